"""The one-pass rate summary agrees with ``compute`` exactly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from hearth.metrics.kpi import compute
from hearth.metrics.kpi.summary import ratio_of_sums_summary

METRICS = ("er_followers", "er_reach", "er_views", "reach_rate")


def posts(n=400, seed=3):
    rng = np.random.default_rng(seed)
    reach = rng.integers(0, 500, n).astype(float)
    reach[rng.random(n) < 0.1] = np.nan  # missing reach on some posts
    likes = rng.poisson(20, n).astype(float)
    likes[rng.random(n) < 0.05] = np.nan
    start = datetime(2026, 10, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "post_id": range(n),
            "channel_id": rng.integers(0, 4, n),
            "network": rng.choice(["vk", "telegram", "x"], n),
            "published_at": [start + timedelta(hours=int(h)) for h in rng.integers(0, 24 * 40, n)],
            "followers_at_post": rng.integers(100, 5000, n).astype(float),
            "reach": reach,
            "views": reach * 1.3,
            "likes": likes,
            "comments": rng.poisson(2, n).astype(float),
            "shares": rng.poisson(1, n).astype(float),
        }
    ).with_columns(pl.col("reach", "views", "likes").fill_nan(None))


@pytest.mark.parametrize("tz", ["UTC", "Europe/Moscow"])
def test_summary_equals_compute(tz):
    frame = posts()
    period = (date(2026, 10, 5), date(2026, 10, 31))
    totals, daily = ratio_of_sums_summary(frame, METRICS, period=period, tz=tz)
    for metric in METRICS:
        expected = compute(metric, "ratio_of_sums", frame, period=period, tz=tz)
        assert totals[metric]["value"] == pytest.approx(expected["value"][0])
        assert totals[metric]["n_used"] == expected["n_used"][0]
        by_day = compute(metric, "ratio_of_sums", frame, period=period, tz=tz, by=["day"])
        mine = dict(zip(daily["day"].to_list(), daily[metric].to_list(), strict=True))
        for day, value in zip(by_day["day"].to_list(), by_day["value"].to_list(), strict=True):
            assert (
                mine[day] == pytest.approx(value, nan_ok=True)
                if value is not None
                else mine[day] is None
            )


def test_no_posts_is_missing_with_a_reason():
    totals, daily = ratio_of_sums_summary(posts().head(0), METRICS)
    assert totals["er_reach"]["value"] is None
    assert totals["er_reach"]["reason"] == "no posts in the period"
    assert daily.is_empty()
