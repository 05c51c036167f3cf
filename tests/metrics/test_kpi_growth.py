"""Community growth, frequency trade-off and active-audience share against hand values."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from hearth.metrics.kpi import (
    ACTIVE_SHARE_REFERENCES,
    active_audience_share,
    community_growth,
    frequency_tradeoff,
)

from .kpi_fixtures import PERIOD, posts_fixture

OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def snapshots() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "channel_id": ["a", "a", "a", "b", "b", "c"],
            "network": ["vk", "vk", "vk", "vk", "vk", "instagram"],
            "day": [
                *(date(2026, 9, 30), date(2026, 10, 1), date(2026, 10, 31)),
                *(date(2026, 10, 5), date(2026, 10, 31), date(2026, 10, 10)),
            ],
            "followers": [900, 1000, 1300, 0, 50, 2000],
        }
    )


def test_growth_per_channel_absolute_and_percent():
    result = community_growth(snapshots(), period=OCTOBER)
    rows = {r["channel_id"]: r for r in result.iter_rows(named=True)}
    a = rows["a"]
    assert (a["followers_start"], a["followers_end"], a["growth_abs"]) == (1000, 1300, 300)
    assert a["growth_pct"] == pytest.approx(0.3)
    assert a["covers_period"] and a["reason"] is None
    b = rows["b"]  # starts from zero followers: % undefined, late start flagged
    assert b["growth_abs"] == 50 and b["growth_pct"] is None
    assert not b["covers_period"]
    assert b["reason"] == "no followers at the start: growth % undefined"
    c = rows["c"]  # a single snapshot: no growth can be claimed
    assert c["growth_abs"] is None and c["reason"].startswith("1 of 1 channel(s)")


def test_growth_by_network_sums_channels_and_refuses_partial_data():
    result = community_growth(snapshots(), by=["network"], period=OCTOBER)
    rows = {r["network"]: r for r in result.iter_rows(named=True)}
    assert rows["vk"]["growth_abs"] == 350
    assert rows["vk"]["growth_pct"] == pytest.approx(350 / 1000)
    assert rows["instagram"]["growth_abs"] is None


def test_frequency_tradeoff_per_post_and_per_day():
    posts = posts_fixture().filter(pl.col("post_id") != "p5")  # keep engagement complete
    row = frequency_tradeoff(posts, period=PERIOD).row(0, named=True)
    # p1 50, p2 10, p6 12, p3 24, p4 0 over 5 posts and 3 days.
    assert (row["n_posts"], row["n_days"], row["engagements"]) == (5, 3, 96)
    assert row["engagements_per_post"] == pytest.approx(96 / 5)
    assert row["engagements_per_day"] == pytest.approx(32)
    assert row["posts_per_day"] == pytest.approx(5 / 3)
    by_day = frequency_tradeoff(posts, by=["day"], period=(date(2026, 10, 1), date(2026, 10, 4)))
    assert by_day["n_posts"].to_list() == [2, 1, 2, 0]
    assert by_day["engagements_per_day"].to_list() == [60, 12, 24, 0]
    assert by_day["engagements_per_post"].to_list()[:3] == [30, 12, 12]
    assert by_day["engagements_per_post"][3] is None


def test_frequency_tradeoff_missing_engagement_is_not_zero():
    row = frequency_tradeoff(posts_fixture(), period=PERIOD).row(0, named=True)
    assert row["engagements"] is None and row["engagements_per_day"] is None
    assert row["reason"] == "1 post(s) lack a counted action"


def test_active_audience_share_with_reference_lines():
    t = datetime(2026, 10, 15, 12, tzinfo=UTC)
    interactions = pl.DataFrame(
        {
            "channel_id": ["a", "a", "a", "b", "c", "c"],
            "user_id": ["u1", "u1", "u2", "u2", "u9", "u8"],
            "occurred_at": [t] * 5 + [datetime(2026, 11, 2, tzinfo=UTC)],
        }
    )
    result = active_audience_share(interactions, snapshots(), by=["network"], period=OCTOBER)
    rows = {r["network"]: r for r in result.iter_rows(named=True)}
    # vk: distinct users u1, u2 over 1300 + 50 followers at the period end.
    assert rows["vk"]["engaged_users"] == 2
    assert rows["vk"]["value"] == pytest.approx(2 / 1350)
    assert rows["instagram"]["value"] == pytest.approx(1 / 2000)  # u8 is after October
    assert rows["instagram"]["reference_low"] == ACTIVE_SHARE_REFERENCES["instagram"].low == 0.15
    assert rows["vk"]["reference_low"] is None
    assert ACTIVE_SHARE_REFERENCES["facebook"].high == 0.015


def test_active_audience_share_without_followers_is_null():
    t = datetime(2026, 10, 15, tzinfo=UTC)
    interactions = pl.DataFrame({"channel_id": ["z"], "user_id": ["u"], "occurred_at": [t]})
    snaps = pl.DataFrame({"channel_id": ["z"], "day": [date(2026, 9, 1)], "followers": [10]})
    row = active_audience_share(interactions, snaps, period=OCTOBER).row(0, named=True)
    assert row["value"] is None and row["reason"] == "1 channel(s) have no follower snapshot"
