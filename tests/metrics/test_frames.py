"""Stored rows → engine frames: latest counts, counts at an age, followers at posting time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from hearth.metrics import kpi
from hearth.metrics.models import Source
from hearth.metrics.recording import record_channel_day, record_post_snapshot
from hearth.metrics.services import Period, measure, posts_frame
from tests.metrics.factories import T0, make_channel, make_post, make_project

H = timedelta(hours=1)


@pytest.fixture
def setup(workspace):
    project = make_project(workspace)
    vk = make_channel(project, "vk")
    tg = make_channel(project, "telegram")
    record_channel_day(vk, date(2026, 9, 30), T0, Source.CSV, followers=1000)
    record_channel_day(vk, date(2026, 10, 2), T0, Source.CSV, followers=1100)
    record_channel_day(tg, date(2026, 9, 30), T0, Source.CSV, followers=400)
    a = make_post(vk, T0)  # day 1: followers from the 30 Sept snapshot (1000)
    b = make_post(vk, T0 + 24 * H)  # day 2: from the 2 Oct snapshot (1100)
    c = make_post(tg, T0 + 2 * H)
    draft = make_post(vk, T0, status="draft")
    counts = {"likes": 10, "comments": 2, "shares": 3, "reach": 200, "views": 300}
    record_post_snapshot(a, T0 + 3 * H, {**counts, "likes": 1}, Source.CSV)
    record_post_snapshot(a, T0 + 20 * H, {**counts, "likes": 5}, Source.CSV)
    record_post_snapshot(a, T0 + 30 * H, counts, Source.CSV)  # latest: E = 15, R = 200
    record_post_snapshot(b, T0 + 24 * H + 3 * H, {**counts, "reach": 100}, Source.CSV)
    record_post_snapshot(c, T0 + 40 * H, {**counts, "reach": None}, Source.CSV)
    return project, vk, tg, a, b, c, draft


def test_posts_frame_has_latest_counts_and_followers_at_posting_time(setup):
    project, _vk, _tg, a, b, c, _draft = setup
    frame = posts_frame(project).sort("post_id")
    assert frame["post_id"].to_list() == [a.pk, b.pk, c.pk]  # the draft is not a post
    assert frame["followers_at_post"].to_list() == [1000, 1100, 400]
    assert frame["likes"].to_list() == [10, 10, 10]
    assert frame["reach"].to_list() == [200, 100, None]  # missing stays missing
    assert frame["network"].to_list() == ["vk", "vk", "telegram"]
    assert str(frame.schema["published_at"]) == "Datetime(time_unit='us', time_zone='UTC')"


def test_counts_at_24_hours_use_the_latest_snapshot_not_older_than_the_age(setup):
    project, _vk, _tg, _a, _b, _c, _draft = setup
    frame = posts_frame(project, at_age_hours=24).sort("post_id")
    # a: the 20 h snapshot (likes 5); b: only a 3 h reading, too young for "at 24 h";
    # c: only a 40 h reading, after 24 h.
    assert frame["likes"].to_list() == [5, None, None]
    assert frame["reach"].to_list() == [200, None, None]


def test_er_reach_ratio_of_sums_by_hand(setup):
    project, *_ = setup
    result = measure(
        project,
        "er_reach",
        aggregation="ratio_of_sums",
        period=Period(date(2026, 10, 1), date(2026, 10, 31)),
    )
    row = result["rows"][0]
    # a: 15/200, b: 15/100, c lacks reach → (15 + 15) / (200 + 100)
    assert row["value"] == pytest.approx(30 / 300)
    assert (row["n_used"], row["n_missing_denominator"]) == (2, 1)
    assert result["formula"] == "ΣE / ΣR"


def test_er_followers_by_network_mean_of_ratios(setup):
    project, *_ = setup
    result = measure(
        project,
        "er_followers",
        aggregation="mean_of_ratios",
        period=Period(date(2026, 10, 1), date(2026, 10, 31)),
        by=["network"],
    )
    values = {r["network"]: r["value"] for r in result["rows"]}
    assert values["vk"] == pytest.approx((15 / 1000 + 15 / 1100) / 2)
    assert values["telegram"] == pytest.approx(15 / 400)


def test_a_period_without_posts_is_missing_not_zero(setup):
    project, *_ = setup
    result = measure(
        project,
        "er_reach",
        aggregation="mean_of_ratios",
        period=Period(date(2025, 1, 1), date(2025, 1, 31)),
    )
    assert result["rows"][0]["value"] is None
    assert result["rows"][0]["reason"] == "no posts in the period"


def test_reach_total_is_missing_when_a_post_lacks_it(setup):
    project, _vk, *_ = setup
    period = Period(date(2026, 10, 1), date(2026, 10, 31))
    total = measure(project, "reach", period=period)["rows"][0]
    assert total["value"] is None and "1 post(s) lack reach" in total["reason"]
    by_network = {
        r["network"]: r["value"]
        for r in measure(project, "reach", period=period, by=["network"])["rows"]
    }
    assert by_network == {"telegram": None, "vk": 300}


def test_followers_and_growth_from_snapshots(setup):
    project, *_ = setup
    period = Period(date(2026, 9, 1), date(2026, 10, 31))
    level = measure(project, "followers", period=period)["rows"][0]
    assert level["value"] == 1100 + 400
    growth = measure(project, "community_growth", period=period, by=["channel_id"])["rows"]
    values = sorted((r["value"] for r in growth), key=lambda v: v is None)
    assert values[0] == 100  # vk 1000 → 1100
    assert values[1] is None  # telegram: one snapshot only


def test_engine_agrees_with_a_direct_compute(setup):
    project, *_ = setup
    frame = posts_frame(project)
    direct = kpi.compute("er_reach", "mean_of_ratios", frame)["value"][0]
    assert direct == pytest.approx((15 / 200 + 15 / 100) / 2)
