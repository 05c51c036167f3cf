import warnings

import numpy as np
import pytest

from hearth.leads.analytics.survival import kaplan_meier

lifelines = pytest.importorskip("lifelines")
datasets = pytest.importorskip("lifelines.datasets")


def _lifelines_fit(durations, observed, weights=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifelines.KaplanMeierFitter().fit(durations, observed, weights=weights)


def _assert_same(ours, theirs):
    np.testing.assert_allclose(ours.timeline, theirs.survival_function_.index.to_numpy())
    np.testing.assert_allclose(ours.survival, theirs.survival_function_.iloc[:, 0], atol=1e-6)
    bands = theirs.confidence_interval_.to_numpy()
    np.testing.assert_allclose(ours.lower, bands[:, 0], atol=1e-6)
    np.testing.assert_allclose(ours.upper, bands[:, 1], atol=1e-6)
    assert ours.median == theirs.median_survival_time_
    interval = lifelines.utils.median_survival_times(theirs.confidence_interval_)
    assert ours.time_at_survival_interval(0.5) == tuple(interval.iloc[0])


@pytest.mark.parametrize(
    ("loader", "duration", "event"),
    [
        ("load_waltons", "T", "E"),  # many ties
        ("load_dd", "duration", "observed"),  # heavy censoring, ties of events and censorings
        ("load_rossi", "week", "arrest"),  # curve never reaches 0.5: median = inf
        ("load_lymphoma", "Time", "Censor"),
    ],
)
def test_equals_lifelines_on_its_datasets(loader, duration, event):
    frame = getattr(datasets, loader)()
    _assert_same(
        kaplan_meier(frame[duration], frame[event]), _lifelines_fit(frame[duration], frame[event])
    )


def test_integer_weights_equal_lifelines_and_repeated_rows():
    frame = datasets.load_dd()
    weights = np.random.default_rng(0).integers(1, 4, len(frame))
    weighted = kaplan_meier(frame["duration"], frame["observed"], weights=weights)
    _assert_same(weighted, _lifelines_fit(frame["duration"], frame["observed"], weights))
    repeated = kaplan_meier(
        np.repeat(frame["duration"], weights), np.repeat(frame["observed"], weights)
    )
    np.testing.assert_allclose(weighted.survival, repeated.survival)


def test_hand_computed_curve_with_censoring_and_ties():
    # times 3, 5, 5(censored), 7, 9(censored): S = 4/5, ·3/4, ·1/2
    curve = kaplan_meier([3, 5, 5, 7, 9], [1, 1, 0, 1, 0])
    np.testing.assert_allclose(curve.timeline, [0, 3, 5, 7, 9])
    np.testing.assert_allclose(curve.survival, [1, 0.8, 0.6, 0.3, 0.3])
    np.testing.assert_allclose(curve.at([0, 2.9, 3, 6, 100]), [1, 1, 0.8, 0.6, 0.3])
    assert curve.median == 7.0
    assert curve.time_at_survival(0.2) == float("inf")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        kaplan_meier([-1.0, 2.0])
    with pytest.raises(ValueError, match="match"):
        kaplan_meier([1.0, 2.0], [True])
