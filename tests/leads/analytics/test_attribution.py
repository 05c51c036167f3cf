import datetime as dt

import numpy as np
import polars as pl
import pytest

from hearth.leads.analytics._stats import wilson_interval
from hearth.leads.analytics.attribution import (
    _ratio_share,
    payback_curve,
    price_segment,
    sales_by_temperature,
    time_to_first_purchase,
)
from hearth.leads.analytics.temperature import TemperatureRule

UTC = dt.UTC


def at(day, hour=12):
    return dt.datetime(2024, 1, day, hour, tzinfo=UTC)


TOUCHES = pl.DataFrame({"subscriber": [1, 1, 2, 3], "at": [at(1), at(10), at(2), at(1)]})
PURCHASES = pl.DataFrame(
    {
        "subscriber": [1, 2, 3, 4, 1],
        "at": [at(2), at(6), at(20), at(3), at(10)],
        "amount": [10.0, 20.0, 30.0, 5.0, 40.0],
    }
)


def test_each_purchase_takes_the_state_just_before_it():
    table = sales_by_temperature(PURCHASES, TOUCHES, TemperatureRule(2.0, 5.0))
    rows = {row["state"]: row for row in table.iter_rows(named=True)}
    # 1 buys a day after a touch (warm); 2 after 4 days (cooling); 3 after 19 days (cold);
    # 1's second purchase coincides with a touch, which does not count: 9 days → cold; 4 unknown
    assert [(s, rows[s]["purchases"], rows[s]["revenue"]) for s in rows] == [
        ("warm", 1, 10.0),
        ("cooling", 1, 20.0),
        ("cold", 2, 70.0),
        ("unknown", 1, 5.0),
    ]
    assert rows["cold"]["purchase_share"] == 0.5
    assert rows["cold"]["revenue_share"] == 0.7
    assert rows["warm"]["rule_of_thumb"] == 0.8
    assert rows["unknown"]["revenue_share"] is None


def test_wilson_interval_hand_value():
    low, high = wilson_interval(8, 10, 0.95)
    # z = 1.959964: centre (0.8 + z²/20)/(1 + z²/10), half-width z√(0.016 + z²/400)/(1 + z²/10)
    assert float(low) == pytest.approx(0.4901624, abs=1e-6)
    assert float(high) == pytest.approx(0.9433178, abs=1e-6)


def test_revenue_share_delta_interval_matches_buyer_bootstrap():
    rng = np.random.default_rng(9)
    buyers = 400
    totals = rng.lognormal(3, 1, buyers)
    in_state = totals * rng.beta(2, 3, buyers)
    share, half = _ratio_share(in_state, totals, 1.959964)
    draws = rng.integers(0, buyers, (4000, buyers))
    boot = in_state[draws].sum(axis=1) / totals[draws].sum(axis=1)
    assert share == pytest.approx(in_state.sum() / totals.sum())
    assert half / 1.959964 == pytest.approx(boot.std(), rel=0.1)


def test_time_to_first_purchase_by_segment():
    interactions = TOUCHES.with_columns(band=pl.Series(["high", "high", "low", "high"]))
    curves = time_to_first_purchase(interactions, PURCHASES, as_of=at(25), segment="band")
    assert sorted(curves) == ["high", "low"]
    # high: subscriber 1 buys after 1 day, 3 after 19 days; low: 2 after 4 days
    np.testing.assert_allclose(curves["high"].timeline, [0, 1, 19])
    np.testing.assert_allclose(curves["high"].survival, [1, 0.5, 0])
    censored = time_to_first_purchase(TOUCHES, PURCHASES, as_of=at(15))["all"]
    # 3 has not bought by Jan 15: censored at 14 days
    np.testing.assert_allclose(censored.timeline, [0, 1, 4, 14])
    np.testing.assert_allclose(censored.survival, [1, 2 / 3, 1 / 3, 1 / 3])


def test_price_segments():
    labels = price_segment([5, 100, 999.9, 1000, 50_000], [100, 1000], ["low", "mid", "high"])
    assert labels.to_list() == ["low", "mid", "mid", "high", "high"]


def test_payback_curve_by_calendar_month():
    curve = payback_curve(
        PURCHASES,
        pl.DataFrame({"at": [at(1), dt.datetime(2024, 2, 20, tzinfo=UTC)], "amount": [80.0, 50.0]}),
        project_start=dt.date(2023, 12, 15),
        months=3,
    )
    assert curve["revenue"].to_list() == [75.0, 30.0, 0.0]  # Jan 20 falls in month 1
    assert curve["spend"].to_list() == [80.0, 0.0, 50.0]
    assert curve["cumulative_net"].to_list() == [-5.0, 25.0, -25.0]
    assert curve["paid_back"].to_list() == [False, True, False]
    assert curve["month_start"].to_list() == [
        dt.date(2023, 12, 15),
        dt.date(2024, 1, 15),
        dt.date(2024, 2, 15),
    ]
