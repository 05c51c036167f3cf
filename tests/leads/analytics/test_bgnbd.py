import numpy as np
import pytest

from hearth.leads.analytics import bgnbd
from hearth.leads.analytics._mle import compress
from hearth.leads.analytics.bgnbd import BGNBDFit, fit_bgnbd
from hearth.leads.analytics.simulate import simulate_bgnbd

TRUTH = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_summary):
    return fit_bgnbd(cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T)


def test_cdnow_reproduces_fader_hardie_lee_2005(cdnow_fit):
    assert cdnow_fit.converged
    assert cdnow_fit.n == 2357
    assert round(cdnow_fit.r, 3) == 0.243
    assert round(cdnow_fit.alpha, 3) == 4.414
    assert round(cdnow_fit.a, 3) == 0.793
    assert round(cdnow_fit.b, 3) == 2.426
    assert round(cdnow_fit.log_likelihood, 1) == -9582.4


def test_cdnow_conditional_expectation_matches_hardie_note(cdnow_fit):
    # Hardie's "Implementing the BG/NBD model" note: x=2, t_x=30.43, T=38.86 → 1.226 in 39 weeks
    assert round(float(cdnow_fit.expected_events(39, 2, 30.43, 38.86)), 3) == 1.226


def test_new_customer_conditional_equals_population_expectation(cdnow_fit):
    t = np.array([1.0, 10.0, 39.0, 78.0])
    np.testing.assert_allclose(
        cdnow_fit.expected_events(t, 0, 0, 0), cdnow_fit.expected_cumulative_events(t), rtol=1e-10
    )


def test_analytic_gradient_matches_central_differences(cdnow_summary):
    data = compress(cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T)
    params = np.array([0.3, 5.0, 0.9, 2.0])
    numeric = []
    for i in range(4):
        step = np.zeros(4)
        step[i] = 1e-6 * params[i]
        numeric.append(
            (
                bgnbd._log_likelihood(params + step, data)
                - bgnbd._log_likelihood(params - step, data)
            )
            / (2 * step[i])
        )
    np.testing.assert_allclose(bgnbd._gradient(params, data), numeric, rtol=1e-5)


def test_recovers_simulated_parameters_within_three_standard_errors():
    ages = np.random.default_rng(7).uniform(20, 52, 20_000)
    sim = simulate_bgnbd(20_000, **TRUTH, T=ages, seed=11)
    progress = []
    fit = fit_bgnbd(sim.frequency, sim.recency, sim.T, progress=lambda i, ll: progress.append(ll))
    for name, true in TRUTH.items():
        assert abs(fit.params[name] - true) < 3 * fit.std_errors[name], name
    assert progress and progress[-1] == pytest.approx(fit.log_likelihood, rel=1e-9)
    assert progress[0] <= progress[-1]


def test_predictions_are_calibrated_against_simulated_truth():
    sim = simulate_bgnbd(50_000, **TRUTH, T=39.0, horizon=39.0, seed=5)
    model = BGNBDFit(**TRUTH, log_likelihood=0.0, std_errors={}, n=0, unit="week", converged=True)
    p_alive = model.probability_alive(sim.frequency, sim.recency, sim.T)
    assert abs(p_alive.sum() - sim.alive.sum()) < 4 * np.sqrt(np.sum(p_alive * (1 - p_alive)))
    expected = model.expected_events(39.0, sim.frequency, sim.recency, sim.T)
    assert expected.sum() == pytest.approx(sim.future_events.sum(), rel=0.03)
    # population curve: mean repeat events of new customers over 39 weeks
    assert sim.frequency.mean() == pytest.approx(model.expected_cumulative_events(39.0), rel=0.03)


def test_customers_without_repeats_are_surely_alive(cdnow_fit):
    assert cdnow_fit.probability_alive([0, 0], [0, 0], [10, 40]).tolist() == [1.0, 1.0]
    assert cdnow_fit.probability_alive(5, 1.0, 38.0) < 0.05


def test_bad_summary_is_refused():
    with pytest.raises(ValueError, match="recency"):
        fit_bgnbd([1, 2], [5.0, 50.0], [10.0, 10.0])
    with pytest.raises(ValueError, match="whole"):
        fit_bgnbd([1.5], [1.0], [10.0])
