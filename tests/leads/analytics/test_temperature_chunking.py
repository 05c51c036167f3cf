"""The chunked transitions path: results must not depend on how subscribers are chunked."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from hearth.leads.analytics import temperature
from hearth.leads.analytics._state_changes import chunk_bounds, chunk_labels
from hearth.leads.analytics.temperature import (
    TemperatureRule,
    daily_counts,
    flows,
    states_at,
    transitions,
)

UTC = dt.UTC
START = dt.datetime(2024, 3, 1, tzinfo=UTC)
RULE = TemperatureRule(1.5, 6.0)
UNTIL = dt.date(2024, 4, 9)


def random_touches(seed: int, n: int = 4000, subscribers: int = 300) -> pl.DataFrame:
    """Unsorted touches; a few very active subscribers; times in whole minutes, so some
    touches sit exactly on a threshold or on midnight."""
    rng = np.random.default_rng(seed)
    ids = np.where(rng.random(n) < 0.2, rng.integers(0, 5, n), rng.integers(0, subscribers, n))
    minutes = rng.integers(0, 40 * 1440, n)
    minutes[:50] = (minutes[:50] // 1440) * 1440  # exactly midnight
    return pl.DataFrame({"subscriber": ids * 7919 - 1000, "minute": minutes}).select(
        "subscriber", at=pl.lit(START) + pl.duration(minutes=pl.col("minute"))
    )


def brute_force_changes(touches: pl.DataFrame, rule: TemperatureRule, until: dt.date):
    """Day by day: every subscriber's state at the day's end, compared with the day before."""
    previous: dict[int, str] = {}
    rows = []
    day = START.date()
    while day <= until:
        end = dt.datetime.combine(day, dt.time(), UTC) + dt.timedelta(days=1)
        states = states_at(touches.filter(pl.col("at") < end), rule, end)
        current = dict(zip(states["subscriber"], states["state"].cast(pl.String), strict=True))
        rows += [
            (who, day, previous.get(who, "new"), state)
            for who, state in current.items()
            if previous.get(who, "new") != state
        ]
        previous = current
        day += dt.timedelta(days=1)
    return sorted(rows)


def as_rows(changes: pl.DataFrame):
    return [
        (who, day, str(before), str(after))
        for who, day, before, after in changes.select(
            "subscriber", "day", "from_state", "to_state"
        ).rows()
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_chunked_transitions_equal_a_day_by_day_brute_force(seed):
    touches = random_touches(seed)
    truth = brute_force_changes(touches, RULE, UNTIL)
    assert len(truth) > 500
    for chunk_events in (1, 37, 500, 10**9):
        changes = transitions(touches, RULE, until=UNTIL, chunk_events=chunk_events)
        assert as_rows(changes) == truth, chunk_events  # already sorted by subscriber, day


def test_chunks_partition_subscribers_and_balance_events():
    touches = random_touches(3, n=20_000)
    keys = touches["subscriber"].to_numpy()
    cuts = chunk_bounds(keys, 2000)
    assert 5 <= cuts.size <= 9
    labels = chunk_labels(keys, cuts, None)
    for label in np.unique(labels):  # every chunk is a contiguous range of ids ...
        inside = keys[labels == label]
        outside = keys[labels != label]
        assert not np.isin(outside, inside).any()  # ... and holds all events of its ids
    # a subscriber with 20 % of the events makes one chunk larger, the rest stay balanced
    sizes = np.bincount(labels)
    assert np.median(sizes) < 4000


def test_time_zone_path_and_string_ids_do_not_depend_on_chunking():
    touches = random_touches(4).with_columns(
        pl.format("lead-{}", pl.col("subscriber")).alias("subscriber")
    )
    whole = transitions(touches, RULE, until=UNTIL, time_zone="America/New_York")
    chunked = transitions(
        touches, RULE, until=UNTIL, time_zone="America/New_York", chunk_events=100
    )
    assert whole.equals(chunked)
    assert whole.schema["subscriber"] == pl.String
    # string ids sort as strings, each subscriber's rows by day
    assert whole["subscriber"].is_sorted()
    assert whole.group_by("subscriber").agg(pl.col("day").is_sorted()).get_column("day").all()
    in_utc = transitions(touches, RULE, until=UNTIL)
    assert not in_utc.equals(whole)  # local days differ from UTC days


def test_null_times_are_ignored_and_null_subscribers_refused():
    touches = random_touches(5, n=500)
    with_gaps = pl.concat(
        [
            touches,
            pl.DataFrame({"subscriber": [7, 8]}).with_columns(at=pl.lit(None, touches["at"].dtype)),
        ]
    )
    expected = transitions(touches, RULE, until=UNTIL)
    for chunk_events in (None, 50):
        assert transitions(with_gaps, RULE, until=UNTIL, chunk_events=chunk_events).equals(expected)
    with pytest.raises(ValueError, match="null"):
        transitions(
            touches.with_columns(pl.lit(None, pl.Int64).alias("subscriber")), RULE, until=UNTIL
        )


def test_counts_and_flows_do_not_depend_on_block_size(monkeypatch):
    changes = transitions(random_touches(6), RULE, until=UNTIL)
    start, end = dt.date(2024, 3, 10), dt.date(2024, 4, 9)
    counts = daily_counts(changes, start, end)
    weekly = flows(changes, start, end, "1w")
    monkeypatch.setattr(temperature, "_ROWS_PER_BLOCK", 7)
    assert daily_counts(changes, start, end).equals(counts)
    assert flows(changes, start, end, "1w").equals(weekly)
    # the counts are the brute-force ones: states from the day-by-day changes
    for row in counts.filter(pl.col("day").is_in([start, end])).iter_rows(named=True):
        moment = dt.datetime.combine(row["day"], dt.time(), UTC) + dt.timedelta(days=1)
        past = random_touches(6).filter(pl.col("at") < moment)
        tally = states_at(past, RULE, moment)["state"].cast(pl.String).value_counts()
        truth = dict(zip(tally["state"], tally["count"], strict=True))
        assert (row["warm"], row["cooling"], row["cold"]) == tuple(
            truth.get(name, 0) for name in ("warm", "cooling", "cold")
        )
