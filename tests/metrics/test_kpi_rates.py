"""Every rate and aggregation against hand-computed values (see kpi_fixtures.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from hearth.metrics.kpi import AGGREGATIONS, METRICS, compute, post_ratios

from .kpi_fixtures import PERIOD, at, posts_fixture


def one(metric: str, aggregation: str, **kwargs) -> dict:
    result = compute(metric, aggregation, posts_fixture(), period=PERIOD, **kwargs)
    assert result.height == 1
    return result.row(0, named=True)


def test_registry_declares_denominator_and_aggregations_for_every_rate():
    assert set(METRICS) == {"er_followers", "er_reach", "er_impressions", "er_views", "reach_rate"}
    assert METRICS["er_reach"].denominator == "reach"
    assert METRICS["er_followers"].denominator == "followers_at_post"
    assert METRICS["reach_rate"].numerator == "reach"
    for metric in METRICS.values():
        assert set(metric.aggregations) == set(AGGREGATIONS)
        assert metric.formula and metric.label
    assert AGGREGATIONS["ratio_of_sums"].formula(METRICS["er_reach"]) == "ΣE / ΣR"


def test_post_ratios_flag_each_missing_count():
    frame = post_ratios(posts_fixture(), "er_reach")
    status = dict(zip(frame["post_id"], frame["status"], strict=True))
    assert status == {
        "p0": "ok",
        "p1": "ok",
        "p2": "ok",
        "p6": "ok",
        "p5": "numerator_missing",
        "p3": "denominator_missing",
        "p4": "zero_denominator",
    }
    ratios = dict(zip(frame["post_id"], frame["ratio"], strict=True))
    assert ratios["p1"] == pytest.approx(0.1)
    assert ratios["p4"] is None and ratios["p3"] is None and ratios["p5"] is None


def test_er_reach_four_aggregations_differ_and_match_hand_values():
    ros = one("er_reach", "ratio_of_sums")
    assert ros["value"] == pytest.approx(72 / 1100)
    assert (ros["n_posts"], ros["n_used"], ros["n_missing"]) == (6, 4, 2)
    assert (ros["n_missing_numerator"], ros["n_missing_denominator"]) == (1, 1)
    assert ros["n_zero_denominator"] == 1  # p4 used in the sums, reported nonetheless
    assert ros["formula"] == "ΣE / ΣR" and ros["reason"] is None

    mor = one("er_reach", "mean_of_ratios")
    assert mor["value"] == pytest.approx((0.1 + 0.05 + 0.03) / 3)
    assert (mor["n_used"], mor["n_missing"], mor["n_zero_denominator"]) == (3, 3, 1)

    daily = one("er_reach", "mean_daily")
    assert daily["value"] == pytest.approx((60 / 700 + 12 / 400) / 2)
    assert (daily["n_days"], daily["n_days_used"]) == (3, 2)
    assert (daily["n_used"], daily["n_missing"]) == (3, 3)
    assert (daily["n_missing_numerator"], daily["n_missing_denominator"]) == (1, 1)
    assert daily["n_zero_denominator"] == 1

    trend = compute("er_reach", "median_last_20", posts_fixture(), period=PERIOD)
    assert trend["day"].to_list() == [date(2026, 10, d) for d in (1, 2, 3)]
    # p0 (before the period) is in the window: history counts.
    assert trend["value"].to_list() == pytest.approx([0.1, 0.075, 0.075])
    assert trend["n_used"].to_list() == [3, 4, 4]
    assert trend["n_missing"].to_list() == [0, 0, 3]

    values = {ros["value"], mor["value"], daily["value"], trend["value"][-1]}
    assert len(values) == 4


def test_er_followers_four_aggregations():
    assert one("er_followers", "ratio_of_sums")["value"] == pytest.approx(96 / 4100)
    mor = one("er_followers", "mean_of_ratios")
    assert mor["value"] == pytest.approx((0.05 + 0.01 + 0.012 + 24 / 1100) / 4)
    assert (mor["n_missing_numerator"], mor["n_missing_denominator"]) == (1, 1)

    # Followers from the posts; day 3 has a post without engagement counts, so it is left out
    # (its 3 posts counted as missing), not scored as if E were 0.
    daily = one("er_followers", "mean_daily")
    assert daily["value"] == pytest.approx((60 / 1000 + 12 / 1000) / 2)
    assert (daily["n_days"], daily["n_days_used"], daily["n_missing_numerator"]) == (3, 2, 3)

    trend = compute("er_followers", "median_last_20", posts_fixture(), period=PERIOD)
    assert trend["value"].to_list() == pytest.approx([0.02, 0.016, 0.02])


def test_mean_daily_uses_followers_that_day_and_counts_idle_days_as_zero():
    snapshots = pl.DataFrame(
        {
            "channel_id": ["c1"] * 4,
            "day": [date(2026, 10, d) for d in (1, 2, 3, 4)],
            "followers": [1000, 1200, 1100, 1100],
        }
    )
    daily = one("er_followers", "mean_daily", followers=snapshots)
    assert daily["value"] == pytest.approx((0.06 + 12 / 1200) / 2)
    # Day 4 has no posts: E = 0 that day (NapoleonCat / Popsters ERday divide by all days).
    longer = compute(
        "er_followers",
        "mean_daily",
        posts_fixture(),
        period=(date(2026, 10, 1), date(2026, 10, 4)),
        followers=snapshots,
    ).row(0, named=True)
    assert longer["value"] == pytest.approx((0.06 + 0.01 + 0.0) / 3)
    assert (longer["n_days"], longer["n_days_used"]) == (4, 3)


def test_reach_rate_and_impressions():
    assert one("reach_rate", "ratio_of_sums")["value"] == pytest.approx(1200 / 4100)
    mor = one("reach_rate", "mean_of_ratios")
    assert mor["value"] == pytest.approx((0.5 + 0.2 + 0.4 + 100 / 1100) / 4)
    assert mor["n_missing_numerator"] == 1 and mor["n_missing_denominator"] == 1
    # Impressions: p5 lacks E; p4 has I = 0; the rest are known.
    assert one("er_impressions", "ratio_of_sums")["value"] == pytest.approx(96 / 1850)
    imp = one("er_impressions", "mean_of_ratios")
    assert imp["value"] == pytest.approx((50 / 800 + 10 / 250 + 12 / 500 + 24 / 300) / 4)


@pytest.mark.parametrize("aggregation", ["ratio_of_sums", "mean_of_ratios", "mean_daily"])
def test_missing_metric_is_null_with_reason_never_zero(aggregation):
    row = one("er_views", aggregation)
    assert row["value"] is None
    assert row["n_used"] == 0
    assert row["n_missing_denominator"] == 5 and row["n_missing_numerator"] == 1
    assert "lack views" in row["reason"]


def test_median_last_20_missing_views_is_null_every_day():
    trend = compute("er_views", "median_last_20", posts_fixture(), period=PERIOD)
    assert trend["value"].null_count() == 3
    assert trend["reason"].str.contains("lack views").all()


def test_zero_denominator_sum_is_null_with_reason():
    by_day = compute("er_reach", "ratio_of_sums", posts_fixture(), by=["day"], period=PERIOD)
    rows = {r["day"]: r for r in by_day.iter_rows(named=True)}
    assert rows[date(2026, 10, 1)]["value"] == pytest.approx(60 / 700)
    assert rows[date(2026, 10, 2)]["value"] == pytest.approx(0.03)
    assert rows[date(2026, 10, 3)]["value"] is None
    assert rows[date(2026, 10, 3)]["reason"] == "Σreach is 0 over the 1 usable post(s)"


def test_no_posts_in_period_is_null_not_zero():
    row = compute(
        "er_reach", "mean_of_ratios", posts_fixture(), period=(date(2027, 1, 1), date(2027, 1, 2))
    ).row(0, named=True)
    assert row["value"] is None and row["n_posts"] == 0
    assert row["reason"] == "no posts in the period"


def test_ratio_of_sums_equals_popsters_erpost_when_followers_constant():
    posts = pl.DataFrame(
        {
            "post_id": ["a", "b", "c"],
            "channel_id": ["c2"] * 3,
            "network": ["vk"] * 3,
            "published_at": [at(1, 9), at(2, 9), at(3, 9)],
            "followers_at_post": [2000, 2000, 2000],
            "likes": [10, 30, 50],
            "comments": [0, 0, 0],
            "shares": [0, 0, 0],
        }
    )
    value = compute("er_followers", "ratio_of_sums", posts)["value"][0]
    assert value == pytest.approx((10 + 30 + 50) / 2000 / 3)  # ΣE / F / N


def test_group_by_network_weights_by_audience():
    big = posts_fixture().filter(pl.col("post_id") == "p1")
    small = big.with_columns(
        pl.lit("c9").alias("channel_id"),
        pl.lit("q").alias("post_id"),
        pl.lit(100.0).alias("followers_at_post"),
        pl.lit(30).alias("likes"),
    )  # E = 40 over F = 100
    both = pl.concat([big, small], how="diagonal_relaxed")
    by_net = compute("er_followers", "ratio_of_sums", both, by=["network"])
    assert by_net["value"][0] == pytest.approx(90 / 1100)
    by_channel = compute("er_followers", "mean_of_ratios", both, by=["channel_id"])
    assert by_channel["value"].to_list() == pytest.approx([0.05, 0.4])


def test_engagement_actions_are_configurable_per_network():
    posts = (
        posts_fixture()
        .filter(pl.col("post_id") == "p1")
        .with_columns(pl.lit("instagram").alias("network"), pl.lit(7).alias("saves"))
    )
    default = compute("er_reach", "ratio_of_sums", posts)["value"][0]
    assert default == pytest.approx((40 + 5 + 5 + 7) / 500)  # saves count on Instagram
    likes_only = compute("er_reach", "ratio_of_sums", posts, engagement={"instagram": ["likes"]})
    assert likes_only["value"][0] == pytest.approx(40 / 500)
    # A counted action the network did not report makes E missing, not smaller.
    no_saves = posts.with_columns(pl.lit(None, pl.Int64).alias("saves"))
    row = compute("er_reach", "ratio_of_sums", no_saves).row(0, named=True)
    assert row["value"] is None and row["n_missing_numerator"] == 1
    with pytest.raises(ValueError, match="unknown or no actions"):
        compute("er_reach", "ratio_of_sums", posts, engagement={"instagram": ["hearts"]})


def test_time_zone_moves_posts_between_local_days():
    # Asia/Vladivostok is UTC+10: p2 (18:00 UTC on 1 Oct) is 04:00 on 2 Oct locally;
    # p4 (20:00 UTC on 3 Oct) is on 4 Oct, outside the period; p0 stays on 30 Sep.
    row = one("er_reach", "mean_daily", tz="Asia/Vladivostok")
    assert row["n_posts"] == 5
    assert row["value"] == pytest.approx((0.1 + 22 / 600) / 2)
    assert (row["n_days"], row["n_days_used"]) == (3, 2)


def test_median_last_20_rolls_over_the_last_twenty_valid_posts():
    start = datetime(2026, 1, 1, 12, tzinfo=UTC)
    rows = [
        {
            "post_id": f"p{i}",
            "published_at": start + timedelta(days=i - 1),
            "followers_at_post": 100,
            "likes": i,
        }
        for i in range(1, 26)
    ]
    rows.append(
        {
            "post_id": "bad",
            "published_at": start + timedelta(days=22, hours=1),
            "followers_at_post": None,
            "likes": 99,
        }
    )
    posts = pl.DataFrame(rows).with_columns(
        pl.lit("c1").alias("channel_id"),
        pl.lit("x").alias("network"),
        pl.lit(0).alias("comments"),
        pl.lit(0).alias("shares"),
    )
    trend = compute(
        "er_followers", "median_last_20", posts, period=(date(2026, 1, 1), date(2026, 1, 25))
    )
    value = dict(zip(trend["day"], trend["value"], strict=True))
    assert value[date(2026, 1, 10)] == pytest.approx(5.5 / 100)
    assert value[date(2026, 1, 20)] == pytest.approx(10.5 / 100)
    assert value[date(2026, 1, 21)] == pytest.approx(11.5 / 100)
    assert value[date(2026, 1, 25)] == pytest.approx(15.5 / 100)  # posts 6..25; "bad" skipped
    last = trend.row(-1, named=True)
    assert (last["n_used"], last["n_missing_denominator"]) == (20, 1)
    assert trend["n_used"].max() == 20


def test_group_by_calendar_keys():
    weekly = compute("er_reach", "mean_of_ratios", posts_fixture(), by=["week"])
    # 2026-09-28 is the Monday of the week of 30 Sep .. 4 Oct: all posts in one week.
    assert weekly["week"].to_list() == [date(2026, 9, 28)]
    assert weekly["value"][0] == pytest.approx((0.2 + 0.1 + 0.05 + 0.03) / 4)
    monthly = compute("er_reach", "mean_of_ratios", posts_fixture(), by=["month"])
    assert monthly["month"].to_list() == [date(2026, 9, 1), date(2026, 10, 1)]
    assert monthly["value"].to_list() == pytest.approx([0.2, 0.06])


def test_bad_input_gets_clear_errors():
    posts = posts_fixture()
    with pytest.raises(ValueError, match="unknown metric"):
        compute("er", "ratio_of_sums", posts)
    with pytest.raises(ValueError, match="unknown aggregation"):
        compute("er_reach", "mean", posts)
    with pytest.raises(ValueError, match="naive"):
        compute(
            "er_reach",
            "ratio_of_sums",
            posts.with_columns(pl.col("published_at").dt.replace_time_zone(None)),
        )
    with pytest.raises(ValueError, match="negative"):
        compute("er_reach", "ratio_of_sums", posts.with_columns(pl.lit(-1).alias("reach")))
    with pytest.raises(ValueError, match="cannot group by"):
        compute("er_reach", "median_last_20", posts, by=["day"])
    with pytest.raises(ValueError, match="naive"):
        compute(
            "er_reach", "ratio_of_sums", posts, period=(datetime(2026, 1, 1), datetime(2026, 2, 1))
        )
    with pytest.raises(ValueError, match="lacks column"):
        compute("er_reach", "ratio_of_sums", posts.drop("network"))
