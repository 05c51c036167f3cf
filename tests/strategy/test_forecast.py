"""Forecast: OLS trend, prediction band with its stated coverage, status rules."""

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest
from scipy import stats

from hearth.strategy.forecast import days_between, fit_trend, forecast_goal

START = date(2025, 1, 1)


def series(values, start=START, step_days=1):
    return [(start + timedelta(days=i * step_days), float(v)) for i, v in enumerate(values)]


def test_trend_matches_scipy_linregress_on_a_hand_example():
    points = series([10, 12, 11, 15, 16, 18], step_days=2)
    trend = fit_trend(points)
    reference = stats.linregress([0, 2, 4, 6, 8, 10], [10, 12, 11, 15, 16, 18])
    assert trend.slope_per_day == pytest.approx(reference.slope)
    assert trend.intercept == pytest.approx(reference.intercept)
    assert trend.slope_se == pytest.approx(reference.stderr)


def test_exact_line_is_recovered_with_a_zero_width_band():
    points = series([100 + 3 * i for i in range(10)])
    result = forecast_goal(points, baseline_value=100, baseline_date=START, target=250,
                           deadline=START + timedelta(days=50))  # fmt: skip
    assert result.slope_per_day == pytest.approx(3.0)
    assert result.forecast_value == pytest.approx(250.0)
    assert result.band_low == pytest.approx(250.0) and result.band_high == pytest.approx(250.0)
    assert result.status == "on_track"
    # Progress: 127 of 100 → 250 after 9 of 50 days; the straight path says 100 + 150 × 9/50.
    assert result.progress == pytest.approx(27 / 150)
    assert result.planned_value == pytest.approx(100 + 150 * 9 / 50)


def test_band_covers_the_value_measured_at_the_deadline_at_the_stated_rate():
    """500 series y = 1000 + 4·t + N(0, 25²), 30 daily points, deadline at day 60."""
    rng = np.random.default_rng(20250101)
    runs, level, slope, sd, deadline_day = 500, 0.9, 4.0, 25.0, 60
    covered, slopes = 0, []
    for _ in range(runs):
        values = 1000 + slope * np.arange(30) + rng.normal(0, sd, 30)
        truth = 1000 + slope * deadline_day + rng.normal(0, sd)
        result = forecast_goal(series(values), baseline_value=1000, baseline_date=START,
                               target=1200, deadline=START + timedelta(days=deadline_day),
                               level=level)  # fmt: skip
        covered += result.band_low <= truth <= result.band_high
        slopes.append(result.slope_per_day)
    # Binomial(500, 0.9): sd ≈ 6.7 runs; allow 3.5 sd either side.
    tolerance = 3.5 * np.sqrt(runs * level * (1 - level))
    assert abs(covered - runs * level) <= tolerance
    # The trend is recovered: the mean slope is within 4 standard errors of the truth.
    se_of_mean = np.std(slopes, ddof=1) / np.sqrt(runs)
    assert abs(np.mean(slopes) - slope) <= 4 * se_of_mean
    assert abs(np.mean(slopes) - slope) < 0.05


def test_status_rules():
    deadline = START + timedelta(days=40)
    noisy = series([100, 104, 99, 107, 103, 110, 106, 112, 109, 115])  # about +1.4/day

    def status(target, floor=None, higher_is_better=True):
        return forecast_goal(noisy, baseline_value=100, baseline_date=START, target=target,
                             deadline=deadline, floor=floor,
                             higher_is_better=higher_is_better)  # fmt: skip

    reference = status(100)
    forecast, high = reference.forecast_value, reference.band_high
    assert status(forecast - 1).status == "on_track"
    assert status((forecast + high) / 2).status == "at_risk"  # inside the band
    assert status(high + 50).status == "off_track"
    at_floor = status(high + 50, floor=forecast - 1)
    assert at_floor.status == "at_risk" and "floor" in at_floor.reasons[-1]
    # Lower is better: a falling target the rising trend moves away from.
    assert status(50, higher_is_better=False).status == "off_track"


def test_too_few_measurements_give_insufficient_data_not_a_guess():
    result = forecast_goal(series([100, 110]), baseline_value=100, baseline_date=START,
                           target=200, deadline=START + timedelta(days=30))  # fmt: skip
    assert result.status == "insufficient_data"
    assert result.forecast_value is None and result.band_low is None
    assert "need 3" in result.reasons[-1]
    same_day = [(START, 1.0), (START, 2.0), (START, 3.0)]
    assert fit_trend(same_day) is None


def test_times_must_be_timezone_aware():
    with pytest.raises(ValueError, match="naive datetime"):
        fit_trend([(datetime(2025, 1, i), 1.0) for i in range(1, 4)])
    aware = [(datetime(2025, 1, i, 12, tzinfo=UTC), float(i)) for i in range(1, 4)]
    assert fit_trend(aware).slope_per_day == pytest.approx(1.0)
    assert days_between(date(2025, 1, 1), datetime(2025, 1, 2, 12, tzinfo=UTC)) == 1.5


def test_deadline_before_baseline_is_refused():
    with pytest.raises(ValueError, match="deadline"):
        forecast_goal([], baseline_value=1, baseline_date=START, target=2, deadline=START)


def test_to_json_is_serialisable():
    import json

    result = forecast_goal(series([1, 2, 3, 5]), baseline_value=1, baseline_date=START,
                           target=10, deadline=START + timedelta(days=10))  # fmt: skip
    data = json.loads(json.dumps(result.to_json()))
    assert data["status"] in ("on_track", "at_risk", "off_track")
    assert data["deadline"].startswith("2025-01-11")
