"""Best time to post on data simulated with a known ±10 % hour effect (Kanuri et al. 2018)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
import pytest

from hearth.metrics.kpi import best_slots, best_time_to_post

TZ = "Europe/Moscow"
BASE_ER = 0.05
BEST_HOUR, WORST_HOUR = 18, 4
FOLLOWERS = 100_000


def hour_effect(hour: int) -> float:
    return {BEST_HOUR: 1.10, WORST_HOUR: 0.90}.get(hour, 1.0)


def simulate(posts_per_slot: int, seed: int) -> pl.DataFrame:
    """Posts at every local weekday × hour; ER = base × hour effect × lognormal noise."""
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(TZ)
    monday = datetime(2026, 1, 5, tzinfo=zone)
    rows = []
    for week in range(posts_per_slot):
        for weekday in range(7):
            for hour in range(24):
                local = monday + timedelta(weeks=week, days=weekday, hours=hour)
                er = BASE_ER * hour_effect(hour) * rng.lognormal(0.0, 0.3)
                rows.append((local.astimezone(ZoneInfo("UTC")), round(FOLLOWERS * er)))
    frame = pl.DataFrame(rows, schema=["published_at", "likes"], orient="row")
    return frame.with_columns(
        pl.int_range(pl.len()).cast(pl.String).alias("post_id"),
        pl.lit("ch").alias("channel_id"),
        pl.lit("vk").alias("network"),
        pl.lit(FOLLOWERS).alias("followers_at_post"),
        pl.lit(0).alias("comments"),
        pl.lit(0).alias("shares"),
        pl.col("published_at").cast(pl.Datetime("us", "UTC")),
    )


def test_best_slot_recovered_when_data_are_plentiful():
    table = best_time_to_post(simulate(300, seed=1), tz=TZ, n_boot=200)
    assert table.height == 7 * 24
    assert table["weight"].min() == pytest.approx(300 / 320)
    top = best_slots(table, top=1).row(0, named=True)
    assert top["hour"] == BEST_HOUR
    assert top["clear"]  # its interval lies above the network's typical rate
    by_hour = table.group_by("hour").agg(pl.col("lift").mean()).sort("hour")
    lifts = dict(zip(by_hour["hour"], by_hour["lift"], strict=True))
    assert lifts[BEST_HOUR] == pytest.approx(0.10, abs=0.03)
    assert lifts[WORST_HOUR] == pytest.approx(-0.10, abs=0.03)
    assert max(abs(v) for h, v in lifts.items() if h not in (BEST_HOUR, WORST_HOUR)) < 0.03
    best_hour_rows = table.filter(pl.col("hour") == BEST_HOUR)
    assert (best_hour_rows["ci_low"] < best_hour_rows["estimate"]).all()
    assert (best_hour_rows["estimate"] < best_hour_rows["ci_high"]).all()


def test_thin_data_shrink_to_the_network_average():
    table = best_time_to_post(simulate(2, seed=2), tz=TZ)
    raw_spread = (table["median"] / table["prior"] - 1).abs().max()
    assert raw_spread > 0.2  # the raw slot medians scatter far more than the true ±10 %
    assert table["weight"].max() == pytest.approx(2 / 22)
    assert table["lift"].abs().max() < raw_spread * 2 / 22 + 1e-12
    # Shrinking pays: the estimates are closer to the true slot rates than the raw medians.
    truth = pl.Series([BASE_ER * hour_effect(h) for h in table["hour"]])
    raw_error = ((table["median"] - truth) ** 2).mean()
    shrunk_error = ((table["estimate"] - truth) ** 2).mean()
    assert shrunk_error < raw_error / 4
    assert table["ci_low"].null_count() == table.height  # too few posts for an interval
    assert not best_slots(table)["clear"].any()


def test_empty_slot_falls_back_to_prior_and_prior_can_be_given():
    posts = simulate(1, seed=3).filter(pl.col("published_at").dt.hour() != 0)
    table = best_time_to_post(posts, tz=TZ, prior={"vk": 0.04})
    empty = table.filter(pl.col("n") == 0)
    assert empty.height == 7  # 00:00 UTC is 03:00 in Moscow, every weekday
    assert empty["hour"].unique().to_list() == [3]
    assert (empty["estimate"] == 0.04).all() and empty["median"].null_count() == 7
