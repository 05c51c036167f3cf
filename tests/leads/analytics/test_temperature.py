import datetime as dt
import math

import numpy as np
import polars as pl
import pytest

from hearth.leads.analytics.returning import first_session_return
from hearth.leads.analytics.temperature import (
    TOPIC_DEFAULTS,
    TemperatureRule,
    daily_counts,
    flows,
    learn_thresholds,
    states_at,
    transitions,
)

UTC = dt.UTC
RULE = TemperatureRule(2.0, 5.0)


def at(day, hour=12, minute=0):
    return dt.datetime(2024, 1, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def history():
    return pl.DataFrame(
        {
            "subscriber": [1, 1, 1, 2, 2, 2],
            "at": [at(1), at(3), at(12), at(2, 10), at(2, 10, 10), at(3, 9)],
        }
    )


def _rows(changes):
    return [
        (row["subscriber"], row["day"].day, row["from_state"], row["to_state"])
        for row in changes.iter_rows(named=True)
    ]


def test_transitions_of_a_constructed_history(history):
    # subscriber 1, last touch Jan 3 12:00: silence at the end of Jan 5 is 2.5 > W=2 → cooling,
    # at the end of Jan 8 it is 5.5 > C=5 → cold; Jan 12 brings it back; then again.
    changes = transitions(history, RULE, until=dt.date(2024, 1, 20))
    assert _rows(changes) == [
        (1, 1, "new", "warm"),
        (1, 5, "warm", "cooling"),
        (1, 8, "cooling", "cold"),
        (1, 12, "cold", "warm"),
        (1, 14, "warm", "cooling"),
        (1, 17, "cooling", "cold"),
        (2, 2, "new", "warm"),
        (2, 5, "warm", "cooling"),  # last touch Jan 3 09:00: 2.625 days at the end of Jan 5
        (2, 8, "cooling", "cold"),
    ]
    cut = [
        row for row in _rows(transitions(history, RULE, until=dt.date(2024, 1, 13))) if row[0] == 1
    ]
    assert cut[-1] == (1, 12, "cold", "warm")


def test_counts_and_weekly_flows(history):
    changes = transitions(history, RULE, until=dt.date(2024, 1, 20))
    counts = daily_counts(changes, dt.date(2024, 1, 4), dt.date(2024, 1, 20))
    by_day = {
        row["day"].day: (row["warm"], row["cooling"], row["cold"])
        for row in counts.iter_rows(named=True)
    }
    assert by_day[4] == (2, 0, 0)
    assert by_day[5] == (0, 2, 0)
    assert by_day[8] == (0, 0, 2)
    assert by_day[12] == (1, 0, 1)
    assert by_day[14] == (0, 1, 1)
    assert by_day[20] == (0, 0, 2)
    assert counts.filter(pl.col("day") == dt.date(2024, 1, 12))["warm_share"].item() == 0.5
    weekly = flows(changes, dt.date(2024, 1, 1), dt.date(2024, 1, 31), every="1w")
    second_week = weekly.filter(pl.col("period") == dt.date(2024, 1, 8))
    assert set(
        zip(second_week["from_state"], second_week["to_state"], second_week["count"], strict=True)
    ) == {
        ("warm", "cooling", 1),
        ("cooling", "cold", 2),
        ("cold", "warm", 1),
    }


def test_thresholds_crossed_within_one_day_make_one_change():
    rule = TemperatureRule(0.25, 0.5)  # 6 h and 12 h
    touches = pl.DataFrame({"subscriber": [7, 7], "at": [at(1, 2), at(3, 23)]})
    # Jan 1 02:00: at the end of Jan 1 the silence is 22 h → already cold
    assert _rows(transitions(touches, rule, until=dt.date(2024, 1, 4))) == [
        (7, 1, "new", "cold"),
        (7, 3, "cold", "warm"),  # touched at 23:00: 1 h of silence at the end of Jan 3
        (7, 4, "warm", "cold"),  # W and C both crossed on Jan 4 (05:00, 11:00): one change
    ]


def test_daily_counts_agree_with_states_at_each_day_end():
    rng = np.random.default_rng(2)
    start = dt.datetime(2024, 3, 1, tzinfo=UTC)
    n = 3000
    touches = pl.DataFrame(
        {
            "subscriber": rng.integers(0, 300, n),
            "at": [start + dt.timedelta(days=float(d)) for d in rng.exponential(20, n)],
        }
    ).filter(pl.col("at") < start + dt.timedelta(days=60))
    rule = TemperatureRule(1.5, 6.0)
    changes = transitions(touches, rule, until=dt.date(2024, 4, 29))
    counts = daily_counts(changes, dt.date(2024, 3, 1), dt.date(2024, 4, 29))
    for row in counts.iter_rows(named=True):
        end_of_day = dt.datetime.combine(row["day"], dt.time(), UTC) + dt.timedelta(days=1)
        states = states_at(touches, rule, end_of_day)["state"].value_counts()
        truth = dict(zip(states["state"].cast(pl.String), states["count"], strict=True))
        assert (row["warm"], row["cooling"], row["cold"]) == tuple(
            truth.get(name, 0) for name in ("warm", "cooling", "cold")
        ), row["day"]


def test_thresholds_learned_from_exponential_gaps_match_closed_form():
    # between-session gaps: 30 min + Exp(mean 3 days) by memorylessness, so
    # q50 = 30 min + 3 ln 2, q90 = 30 min + 3 ln 10 (days)
    rng = np.random.default_rng(4)
    subscribers, per_subscriber = 2000, 30
    gaps = rng.exponential(3.0, (subscribers, per_subscriber))
    times = np.cumsum(gaps, axis=1)
    start = dt.datetime(2023, 1, 1, tzinfo=UTC)
    touches = pl.DataFrame(
        {"subscriber": np.repeat(np.arange(subscribers), per_subscriber), "offset": times.ravel()}
    ).select(
        "subscriber",
        at=pl.lit(start) + pl.duration(microseconds=(pl.col("offset") * 86_400e6).cast(pl.Int64)),
    )
    rule = learn_thresholds(touches)
    half_hour = 1 / 48
    assert rule.warm_days == pytest.approx(half_hour + 3 * math.log(2), rel=0.02)
    assert rule.cold_days == pytest.approx(half_hour + 3 * math.log(10), rel=0.02)
    assert rule.source.startswith("learned")


def test_too_little_history_falls_back_to_the_topic_default(history):
    assert learn_thresholds(history, topic="news") == TOPIC_DEFAULTS["news"]
    with pytest.raises(ValueError, match="topic"):
        learn_thresholds(history, topic="astrology")


def test_rule_is_validated_and_described():
    with pytest.raises(ValueError):
        TemperatureRule(5.0, 2.0)
    text = TemperatureRule(0.5, 7.0, "learned").describe()
    assert "12 hours" in text and "7 days" in text and "learned" in text


def test_first_session_return_share():
    touches = pl.DataFrame(
        {
            "subscriber": [1, 1, 2, 2, 2, 3, 4, 4],
            "at": [
                at(1, 10),
                at(1, 10, 20),  # 1: one session only
                at(1, 10),
                at(1, 10, 29),
                at(1, 11, 30),  # 2: back 61 min after the session ended → returned
                at(2, 9),  # 3: never back
                at(3, 9),
                at(25, 9),  # 4: back, but after the 7-day window
            ],
        }
    )
    result = first_session_return(touches, as_of=at(30), within=dt.timedelta(days=7))
    assert (result["new"].item(), result["returned"].item(), result["share"].item()) == (4, 1, 0.25)
    assert result["lower"].item() < 0.25 < result["upper"].item()
    # subscribers seen less than `within` before as_of are not judged yet
    recent = first_session_return(touches, as_of=at(9, 12), within=dt.timedelta(days=7))
    assert recent["new"].item() == 3
