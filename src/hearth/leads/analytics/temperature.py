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

Everything runs over columns (Polars): touches are reduced to the last touch per subscriber
and day, and state *changes* are derived per gap between consecutive touch days, so the work
is proportional to the number of touch days, never to subscribers × days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

import numpy as np
import polars as pl

from hearth.leads.analytics._time import (
    check_time_column,
    day_to_date,
    epoch_days_expr,
    instant_to_days,
)

STATES = ("warm", "cooling", "cold")
StateEnum = pl.Enum(["new", *STATES])
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
) -> pl.DataFrame:
    """Every change of a subscriber's end-of-day state up to local day `until`.

    Columns: subscriber, day (local date), from_state, to_state. A subscriber's first row has
    from_state "new" (entered as warm, or colder if W < 1 day). Within one gap, starting from
    a touch at t (the day's last touch, on day d) and ending on the next touch day, the state
    at the end of day k is that of silence k + 1 − t; it crosses W on day ⌊t + W⌋ and C on day
    ⌊t + C⌋, and those crossings are recorded if they fall strictly between the two touch days.
    """
    last_day = instant_to_days(until)
    w, c = rule.warm_days, rule.cold_days
    days = (
        _touch_days(touches, subscriber, at, time_zone)
        .with_columns(day=pl.col("t").floor())
        .filter(pl.col("day") <= last_day)
        .group_by("subscriber", "day")
        .agg(pl.col("t").max())
        .sort("subscriber", "day")
        .with_columns(
            previous_t=pl.col("t").shift(1).over("subscriber"),
            next_day=pl.col("day").shift(-1).over("subscriber").fill_null(float("inf")),
        )
    )
    state = rule.state_expr
    entries = days.select(
        "subscriber",
        "day",
        from_state=pl.when(pl.col("previous_t").is_null())
        .then(pl.lit("new", dtype=StateEnum))
        .otherwise(state(pl.col("day") - pl.col("previous_t"))),
        to_state=state(pl.col("day") + 1 - pl.col("t")),
    )

    def crossing(threshold: float, skip_if_same_as: float | None) -> pl.LazyFrame:
        k = (pl.col("t") + threshold).floor()
        keep = (k > pl.col("day")) & (k < pl.col("next_day")) & (k <= last_day)
        if skip_if_same_as is not None:  # both thresholds crossed on one day: one change
            keep &= k != (pl.col("t") + skip_if_same_as).floor()
        return days.filter(keep).select(
            "subscriber",
            day=k,
            from_state=state(k - pl.col("t")),
            to_state=state(k + 1 - pl.col("t")),
        )

    return (
        pl.concat([entries, crossing(w, None), crossing(c, w)])
        .filter(pl.col("from_state") != pl.col("to_state"))
        .with_columns(day=day_to_date(pl.col("day")))
        .sort("subscriber", "day", "from_state")
        .collect()
    )


def daily_counts(changes: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    """Subscribers per state at the end of each day in [start, end], with shares.

    `changes` is the output of `transitions` (with the whole history, so that the state on
    `start` is right). Columns: day, warm, cooling, cold, total, warm_share, … .
    """
    deltas = pl.concat(
        [
            changes.select("day", state=pl.col("to_state").cast(pl.String), delta=pl.lit(1)),
            changes.filter(pl.col("from_state") != "new").select(
                "day", state=pl.col("from_state").cast(pl.String), delta=pl.lit(-1)
            ),
        ]
    )
    first = min(start, changes["day"].min()) if changes.height else start
    calendar = pl.DataFrame({"day": pl.date_range(first, end, "1d", eager=True)})
    counts = calendar
    for name in STATES:
        per_day = deltas.filter(pl.col("state") == name).group_by("day").agg(pl.sum("delta"))
        counts = counts.join(per_day.rename({"delta": name}), on="day", how="left")
    counts = counts.sort("day").with_columns(pl.col(STATES).fill_null(0).cum_sum())
    total = pl.sum_horizontal(STATES)
    return (
        counts.with_columns(total=total)
        .with_columns(
            [
                (pl.col(name) / pl.col("total")).fill_nan(None).alias(f"{name}_share")
                for name in STATES
            ]
        )
        .filter(pl.col("day") >= start)
    )


def flows(
    changes: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    every: Literal["1d", "1w", "1mo"] = "1d",
) -> pl.DataFrame:
    """Counts of transitions per period (weeks start on Monday): period, from_state, to_state, count."""
    return (
        changes.filter(pl.col("day").is_between(start, end))
        .with_columns(period=pl.col("day").dt.truncate(every))
        .group_by("period", "from_state", "to_state")
        .agg(count=pl.len())
        .sort("period", "from_state", "to_state")
    )
