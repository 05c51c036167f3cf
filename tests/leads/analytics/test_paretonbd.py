import numpy as np
import pytest

from hearth.leads.analytics.paretonbd import ParetoNBDFit, fit_paretonbd
from hearth.leads.analytics.simulate import simulate_paretonbd

TRUTH = {"r": 0.55, "alpha": 10.0, "s": 0.6, "beta": 12.0}


@pytest.fixture(scope="module")
def cdnow_fit(cdnow_summary):
    return fit_paretonbd(cdnow_summary.frequency, cdnow_summary.recency, cdnow_summary.T)


def test_cdnow_reproduces_published_pareto_nbd(cdnow_fit):
    assert cdnow_fit.converged
    assert round(cdnow_fit.r, 3) == 0.553
    assert round(cdnow_fit.alpha, 3) == 10.578
    assert round(cdnow_fit.s, 3) == 0.606
    assert round(cdnow_fit.beta, 3) == 11.669
    assert round(cdnow_fit.log_likelihood, 1) == -9595.0


def test_new_customer_conditional_equals_population_expectation(cdnow_fit):
    t = np.array([1.0, 39.0, 78.0])
    np.testing.assert_allclose(
        cdnow_fit.expected_events(t, 0, 0, 1e-12),
        cdnow_fit.expected_cumulative_events(t),
        rtol=1e-8,
    )


def test_probability_alive_is_one_right_after_an_event(cdnow_fit):
    assert cdnow_fit.probability_alive(3, 20.0, 20.0)[0] == pytest.approx(1.0)
    assert cdnow_fit.probability_alive(3, 1.0, 38.0)[0] < 0.2


def test_recovers_simulated_parameters_within_three_standard_errors():
    ages = np.random.default_rng(3).choice([26.0, 39.0, 52.0], 10_000)
    sim = simulate_paretonbd(10_000, **TRUTH, T=ages, seed=21)
    fit = fit_paretonbd(sim.frequency, sim.recency, sim.T)
    assert fit.converged
    for name, true in TRUTH.items():
        assert abs(fit.params[name] - true) < 3 * fit.std_errors[name], name


def test_predictions_are_calibrated_against_simulated_truth():
    sim = simulate_paretonbd(50_000, **TRUTH, T=39.0, horizon=39.0, seed=8)
    model = ParetoNBDFit(
        **TRUTH, log_likelihood=0.0, std_errors={}, n=0, unit="week", converged=True
    )
    p_alive = model.probability_alive(sim.frequency, sim.recency, sim.T)
    assert abs(p_alive.sum() - sim.alive.sum()) < 4 * np.sqrt(np.sum(p_alive * (1 - p_alive)))
    expected = model.expected_events(39.0, sim.frequency, sim.recency, sim.T)
    assert expected.sum() == pytest.approx(sim.future_events.sum(), rel=0.03)
    assert sim.frequency.mean() == pytest.approx(model.expected_cumulative_events(39.0), rel=0.03)
