"""Lead temperature: every subscriber is warm, cooling or cold, day by day.

The rule (what the UI shows, with the project's two numbers filled in):

    A *touch* is the subscription itself or any activity of the subscriber (visit, reaction,
    comment, message, click, purchase). The *silence* of a subscriber at an instant is the
    time since their latest touch at or before it.
      warm     silence ≤ W          (subscribed or active within the last W days)
      cooling  W < silence ≤ C      (the current gap has grown past the usual rhythm)
      cold     silence > C          (no activity for longer than C days)
    Any touch makes the subscriber warm again. A day's state is the state at the end of that
    local calendar day, so a subscriber who cools and comes back within one day stays warm.

W and C come from the project's own rhythm (`learn_thresholds`) or from a topic default
(`TOPIC_DEFAULTS`). Only the *open* gap (the current silence) decides the state: "visits less
and less" shows as a gap that has outgrown W, which is what cooling means here.

Everything runs over columns: touches are reduced to the last touch per subscriber and day,
and state *changes* are derived per gap between consecutive touch days, so the work is
proportional to the number of touch days, never to subscribers × days. Transitions are
computed with NumPy over chunks of subscribers (`_state_changes`), and daily counts and flows
are `bincount`s over the change rows, so the peak memory stays within about twice the input
event columns even at 10 M events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from hearth.leads.analytics._state_changes import (
    StateChanges,
    state_changes,
    subscriber_keys,
)
from hearth.leads.analytics._time import check_time_column, epoch_days_expr, instant_to_days

STATES = ("warm", "cooling", "cold")
StateEnum = pl.Enum(["new", *STATES])
_STATE_LOOKUP = pl.Series(["new", *STATES], dtype=StateEnum)  # physical code → state
SESSION_GAP = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class TemperatureRule:
    """Thresholds W (`warm_days`) and C (`cold_days`), in days, with where they came from."""

    warm_days: float
    cold_days: float
    source: str = "custom"

    def __post_init__(self) -> None:
        if not 0 < self.warm_days < self.cold_days:
            raise ValueError("thresholds must satisfy 0 < warm_days < cold_days")

    def describe(self) -> str:
        """One-paragraph rule for the UI."""
        w, c = _days_text(self.warm_days), _days_text(self.cold_days)
        return (
            f"Warm: subscribed or active within the last {w}. "
            f"Cooling: silent for more than {w} but at most {c}. "
            f"Cold: silent for more than {c}. Any activity makes a subscriber warm again. "
            f"(Thresholds: {self.source}.)"
        )

    def state_expr(self, silence_days: pl.Expr) -> pl.Expr:
        """Polars expression mapping silence (days) to a state."""
        return (
            pl.when(silence_days <= self.warm_days)
            .then(pl.lit("warm"))
            .when(silence_days <= self.cold_days)
            .then(pl.lit("cooling"))
            .otherwise(pl.lit("cold"))
            .cast(StateEnum)
        )


def _days_text(days: float) -> str:
    if days < 1:
        return f"{days * 24:.0f} hours"
    return f"{days:.3g} days" if days != 1 else "1 day"


# Defaults when a project has too little history. The method says warm→cooling takes "from
# one day to several months depending on the community's topic": fast news-like feeds cool in
# a day, considered purchases over months.
TOPIC_DEFAULTS: dict[str, TemperatureRule] = {
    "news": TemperatureRule(1.0, 7.0, "default for news and entertainment"),
    "lifestyle": TemperatureRule(3.0, 30.0, "default for lifestyle, fitness and hobbies"),
    "general": TemperatureRule(7.0, 45.0, "default"),
    "retail": TemperatureRule(14.0, 90.0, "default for shops and services"),
    "high_ticket": TemperatureRule(30.0, 180.0, "default for expensive or B2B purchases"),
}


def _touch_days(touches: pl.DataFrame, subscriber: str, at: str, time_zone: str) -> pl.LazyFrame:
    frame = check_time_column(touches, at)
    if subscriber not in frame.columns:
        raise ValueError(f"missing subscriber column {subscriber!r}")
    return frame.lazy().select(
        pl.col(subscriber).alias("subscriber"), epoch_days_expr(at, time_zone).alias("t")
    )


def learn_thresholds(
    touches: pl.DataFrame,
    *,
    subscriber: str = "subscriber",
    at: str = "at",
    topic: str = "general",
    warm_quantile: float = 0.5,
    cold_quantile: float = 0.9,
    min_gaps: int = 200,
    session_gap: dt.timedelta = SESSION_GAP,
) -> TemperatureRule:
    """Thresholds from the project's own gaps between sessions.

    A gap is the time between the end of one session and the start of the next (touches less
    than `session_gap` apart form one session, so bursts of clicks do not count as returns).
    W is the `warm_quantile` (median) gap: past it, a subscriber has been silent longer than
    half of all returns take. C is the `cold_quantile` (90th percentile) gap: nine returns in
    ten happen sooner, so a silence beyond C rarely ends. Each subscriber's gaps weigh 1/(their
    count), so the rhythm is the typical subscriber's, not that of the few most active ones.
    Open (still running) gaps are not counted; with short histories this biases thresholds
    downwards, which is why fewer than `min_gaps` gaps fall back to `TOPIC_DEFAULTS[topic]`.
    """
    if topic not in TOPIC_DEFAULTS:
        raise ValueError(f"unknown topic {topic!r}; choose from {sorted(TOPIC_DEFAULTS)}")
    if not 0 < warm_quantile < cold_quantile < 1:
        raise ValueError("quantiles must satisfy 0 < warm_quantile < cold_quantile < 1")
    limit = session_gap.total_seconds() / 86_400
    gaps = (
        _touch_days(touches, subscriber, at, "UTC")
        .sort("subscriber", "t")
        .with_columns(gap=pl.col("t").diff().over("subscriber"))
        .filter(pl.col("gap") >= limit)
        .with_columns(weight=1.0 / pl.len().over("subscriber"))
        .sort("gap")
        .collect()
    )
    if gaps.height < min_gaps:
        return TOPIC_DEFAULTS[topic]
    cumulative = np.cumsum(gaps["weight"].to_numpy())
    cumulative /= cumulative[-1]
    values = gaps["gap"].to_numpy()
    warm = float(values[np.searchsorted(cumulative, warm_quantile)])
    cold = float(values[np.searchsorted(cumulative, cold_quantile)])
    source = f"learned from {gaps.height} gaps (q{warm_quantile:.0%}, q{cold_quantile:.0%})"
    return TemperatureRule(warm, max(cold, np.nextafter(warm, np.inf)), source)


def states_at(
    touches: pl.DataFrame,
    rule: TemperatureRule,
    when: dt.datetime,
    *,
    subscriber: str = "subscriber",
    at: str = "at",
) -> pl.DataFrame:
    """Each subscriber's state at instant `when`: columns subscriber, silence_days, state.

    Subscribers whose first touch comes after `when` are absent.
    """
    moment = instant_to_days(when)
    return (
        _touch_days(touches, subscriber, at, "UTC")
        .filter(pl.col("t") <= moment)
        .group_by("subscriber")
        .agg(silence_days=moment - pl.col("t").max())
        .with_columns(state=rule.state_expr(pl.col("silence_days")))
        .sort("subscriber")
        .collect()
    )


def transitions(
    touches: pl.DataFrame,
    rule: TemperatureRule,
    *,
    until: dt.date,
    subscriber: str = "subscriber",
    at: str = "at",
    time_zone: str = "UTC",
    chunk_events: int | None = None,
) -> pl.DataFrame:
    """Every change of a subscriber's end-of-day state up to local day `until`.

    Columns: subscriber, day (local date), from_state, to_state, sorted by subscriber and day
    (a subscriber changes state at most once a day). A subscriber's first row has from_state
    "new" (entered as warm, or colder if W < 1 day). Within one gap, starting from a touch at
    t (the day's last touch, on day d) and ending on the next touch day, the state at the end
    of day k is that of silence k + 1 − t; it crosses W on day ⌊t + W⌋ and C on day ⌊t + C⌋,
    and those crossings are recorded if they fall strictly between the two touch days.

    Subscribers are processed in chunks of about `chunk_events` events (None: automatic),
    which bounds the working memory; the result does not depend on it. Touches with a null
    time are ignored; a null subscriber is an error.
    """
    frame = check_time_column(touches, at)
    if subscriber not in frame.columns:
        raise ValueError(f"missing subscriber column {subscriber!r}")
    keys, distinct = subscriber_keys(frame[subscriber])
    batches = state_changes(
        keys,
        frame[at],
        warm_days=rule.warm_days,
        cold_days=rule.cold_days,
        last_day=instant_to_days(until),
        time_zone=time_zone,
        chunk_events=chunk_events,
    )
    # One small frame per chunk, built without copying and concatenated without rechunking,
    # so the changes are never held twice.
    return pl.concat([_changes_frame(batch, distinct) for batch in batches], rechunk=False)


def _changes_frame(batch: StateChanges, distinct: pl.Series | None) -> pl.DataFrame:
    ids = pl.Series(batch.keys) if distinct is None else distinct.gather(batch.keys - 1)
    return pl.DataFrame(
        {
            "subscriber": ids,
            "day": pl.Series(batch.days).cast(pl.Date),
            "from_state": _STATE_LOOKUP.gather(batch.from_codes),
            "to_state": _STATE_LOOKUP.gather(batch.to_codes),
        }
    )


def _day_numbers(value: dt.date) -> int:
    return int(instant_to_days(value))


_ROWS_PER_BLOCK = 1 << 16


def _change_blocks(changes: pl.DataFrame) -> Iterator[tuple[np.ndarray, ...]]:
    """(day number, from code, to code) arrays per block of change rows.

    Tallies go block by block so their temporaries stay small next to the changes frame.
    """
    for block in changes.iter_slices(_ROWS_PER_BLOCK):
        yield (
            block["day"].to_physical().to_numpy(),
            block["from_state"].cast(StateEnum).to_physical().to_numpy(),
            block["to_state"].cast(StateEnum).to_physical().to_numpy(),
        )


def daily_counts(changes: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Subscribers per state at the end of each day in [start, end], with shares.

    `changes` is the output of `transitions` (with the whole history, so that the state on
    `start` is right). Columns: day, warm, cooling, cold, total, warm_share, … .
    Each change adds one to its to_state and removes one from its from_state on its day;
    running sums of those per-day deltas (one `bincount` per side) are the counts.
    """
    shown_from, last = _day_numbers(start), _day_numbers(end)
    earliest = changes.select(pl.col("day").min().cast(pl.Int32)).item()  # None if empty
    first = shown_from if earliest is None else min(shown_from, earliest)
    size = max(last - first + 1, 0) * 4
    net = np.zeros(size, dtype=np.int64)
    for day, from_codes, to_codes in _change_blocks(changes):
        in_range = day <= last
        offset = (day[in_range] - first).astype(np.int64) * 4
        net += np.bincount(offset + to_codes[in_range], minlength=size)
        net -= np.bincount(offset + from_codes[in_range], minlength=size)
    totals = np.cumsum(net.reshape(-1, 4), axis=0)[:, 1:].astype(np.int32)
    shown = slice(shown_from - first, None)
    counts = pl.DataFrame(
        {
            "day": pl.Series(np.arange(first, last + 1, dtype=np.int32)[shown]).cast(pl.Date),
            **{name: totals[shown, i] for i, name in enumerate(STATES)},
        }
    )
    total = pl.sum_horizontal(STATES)
    return counts.with_columns(total=total).with_columns(
        [(pl.col(name) / pl.col("total")).fill_nan(None).alias(f"{name}_share") for name in STATES]
    )


def flows(
    changes: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    every: Literal["1d", "1w", "1mo"] = "1d",
) -> pl.DataFrame:
    """Counts of transitions per period (weeks start on Monday): period, from_state, to_state, count."""
    first, last = _day_numbers(start), _day_numbers(end)
    calendar = pl.date_range(start, end, "1d", eager=True) if first <= last else None
    if calendar is None or not changes.height:
        return pl.DataFrame(
            schema={
                "period": pl.Date,
                "from_state": StateEnum,
                "to_state": StateEnum,
                "count": pl.UInt32,
            }
        )
    period_of_day = calendar.dt.truncate(every).to_physical().to_numpy()
    periods, period_index = np.unique(period_of_day, return_inverse=True)
    tally = np.zeros(periods.size * 16, dtype=np.int64)
    for day, from_codes, to_codes in _change_blocks(changes):
        in_range = (day >= first) & (day <= last)
        key = period_index[day[in_range] - first] * 16
        key += from_codes[in_range].astype(np.int64) * 4
        key += to_codes[in_range]
        tally += np.bincount(key, minlength=tally.size)
    present = np.flatnonzero(tally)
    return pl.DataFrame(
        {
            "period": pl.Series(periods[present // 16].astype(np.int32)).cast(pl.Date),
            "from_state": _STATE_LOOKUP.gather((present % 16) // 4),
            "to_state": _STATE_LOOKUP.gather(present % 4),
            "count": pl.Series(tally[present], dtype=pl.UInt32),
        }
    )
