"""Input frames: validation, periods in the project's time zone, per-post numerators.

Inputs are raw counts only; a null count means "the network did not report it" and stays
null all the way to the result, where it is counted and explained, never turned into 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from zoneinfo import ZoneInfo

import polars as pl

from .definitions import ACTION_COLUMNS, DEFAULT_ENGAGEMENT_ACTIONS, ENGAGEMENT, Metric

COUNT_COLUMNS = ("followers_at_post", "reach", "impressions", "views", *ACTION_COLUMNS)
REQUIRED_POST_COLUMNS = ("post_id", "channel_id", "network", "published_at")
ENTITY_KEYS = ("project_id", "network", "channel_id")
CALENDAR_KEYS = ("day", "week", "month", "weekday", "hour")
UTC_DATETIME = pl.Datetime("us", "UTC")

# Per-post status of a ratio; the order is the order of precedence when several apply.
OK = "ok"
NUMERATOR_MISSING = "numerator_missing"
DENOMINATOR_MISSING = "denominator_missing"
ZERO_DENOMINATOR = "zero_denominator"

PeriodBound = date | datetime


@dataclass(frozen=True, slots=True)
class Window:
    """A period resolved to UTC instants ``[start, end)`` and local calendar days."""

    start: datetime
    end: datetime
    first_day: date
    last_day: date

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def _bound(value: PeriodBound, tz: ZoneInfo, *, is_end: bool) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"period bound {value!r} is naive; pass an aware datetime or a date")
        return value.astimezone(UTC)
    day = value + timedelta(days=1) if is_end else value
    return datetime.combine(day, time(0), tz).astimezone(UTC)


def resolve_period(period: tuple[PeriodBound, PeriodBound] | None, tz: str) -> Window | None:
    """Dates are whole local days, both ends inclusive; datetimes are instants, end exclusive."""
    if period is None:
        return None
    zone = ZoneInfo(tz)
    start = _bound(period[0], zone, is_end=False)
    end = _bound(period[1], zone, is_end=True)
    if end <= start:
        raise ValueError(f"empty period {period!r}: the end must come after the start")
    last_instant = end - timedelta(microseconds=1)
    return Window(start, end, start.astimezone(zone).date(), last_instant.astimezone(zone).date())


def require_aware(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    dtype = frame.schema[column]
    if not isinstance(dtype, pl.Datetime):
        raise ValueError(f"{column} must be a timezone-aware datetime column, got {dtype}")
    if dtype.time_zone is None:
        raise ValueError(f"{column} is naive; Hearth stores aware UTC datetimes only")
    return frame.with_columns(pl.col(column).dt.convert_time_zone("UTC").cast(UTC_DATETIME))


def require_columns(frame: pl.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} frame lacks column(s): {', '.join(missing)}")


def normalize_posts(posts: pl.DataFrame) -> pl.DataFrame:
    """Check the posts frame and give every count column a nullable Float64 type."""
    require_columns(posts, REQUIRED_POST_COLUMNS, "posts")
    frame = require_aware(posts, "published_at")
    extra = [pl.lit(None, pl.Float64).alias(c) for c in COUNT_COLUMNS if c not in frame.columns]
    if "project_id" not in frame.columns:
        extra.append(pl.lit(None, pl.String).alias("project_id"))
    frame = frame.with_columns(extra).with_columns(
        [pl.col(c).cast(pl.Float64) for c in COUNT_COLUMNS]
    )
    negative = [c for c in COUNT_COLUMNS if (frame[c] < 0).any()]
    if negative:
        raise ValueError(f"posts frame has negative counts in: {', '.join(negative)}")
    return frame


def within(frame: pl.DataFrame, window: Window | None, column: str) -> pl.DataFrame:
    if window is None:
        return frame
    start = pl.lit(window.start, UTC_DATETIME)
    end = pl.lit(window.end, UTC_DATETIME)
    return frame.filter((pl.col(column) >= start) & (pl.col(column) < end))


def local_day(column: str, tz: str) -> pl.Expr:
    return pl.col(column).dt.convert_time_zone(tz).dt.date()


def with_calendar_keys(frame: pl.DataFrame, keys: Sequence[str], tz: str, column: str):
    """Add the requested calendar keys (local to ``tz``) computed from ``column``.

    ``column`` may be a datetime (posts) or a date (daily grids); week is the Monday that
    starts the ISO week, month the first day of the month, weekday 0 = Monday.
    """
    is_date = frame.schema[column] == pl.Date
    local = pl.col(column) if is_date else pl.col(column).dt.convert_time_zone(tz)
    day = local if is_date else local.dt.date()
    exprs = {
        "day": day,
        "week": day.dt.truncate("1w"),
        "month": day.dt.truncate("1mo"),
        "weekday": day.dt.weekday().cast(pl.Int8) - 1,
        "hour": local.dt.hour() if not is_date else pl.lit(None, pl.Int8),
    }
    wanted = [
        exprs[k].alias(k)
        for k in dict.fromkeys(keys)
        if k in CALENDAR_KEYS and k not in frame.columns
    ]
    return frame.with_columns(wanted) if wanted else frame


def check_by(by: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    unknown = [k for k in by if k not in allowed]
    if unknown:
        raise ValueError(f"cannot group by {unknown}; allowed: {', '.join(allowed)}")
    return tuple(by)


def engagement_expr(actions: Mapping[str, Sequence[str]] | None = None) -> pl.Expr:
    """Engagements E of a post: the sum of the actions counted for its network.

    Plain ``+`` propagates nulls, so one unreported counted action makes E missing.
    """
    actions = actions or DEFAULT_ENGAGEMENT_ACTIONS
    for network, cols in actions.items():
        bad = [c for c in cols if c not in ACTION_COLUMNS]
        if bad or not cols:
            raise ValueError(f"engagement for {network!r}: unknown or no actions {bad}")

    def total(cols: Sequence[str]) -> pl.Expr:
        return reduce(lambda acc, c: acc + pl.col(c), cols[1:], pl.col(cols[0]))

    fallback = total(actions["*"]) if "*" in actions else pl.lit(None, pl.Float64)
    specific = [(n, c) for n, c in actions.items() if n != "*"]
    if not specific:
        return fallback.alias(ENGAGEMENT)
    # Build the when/then chain from the last network backwards, so each step is an Expr.
    result = fallback
    for network, cols in reversed(specific):
        result = pl.when(pl.col("network") == network).then(total(cols)).otherwise(result)
    return result.alias(ENGAGEMENT)


def with_ratio_parts(
    posts: pl.DataFrame, metric: Metric, actions: Mapping[str, Sequence[str]] | None
) -> pl.DataFrame:
    """Add ``num``, ``den``, ``ratio`` (null unless status is ok) and ``status`` per post."""
    frame = posts.with_columns(engagement_expr(actions))
    num, den = pl.col(metric.numerator), pl.col(metric.denominator)
    status = (
        pl.when(num.is_null())
        .then(pl.lit(NUMERATOR_MISSING))
        .when(den.is_null())
        .then(pl.lit(DENOMINATOR_MISSING))
        .when(den == 0)
        .then(pl.lit(ZERO_DENOMINATOR))
        .otherwise(pl.lit(OK))
    )
    return frame.with_columns(
        num.alias("num"),
        den.alias("den"),
        status.alias("status"),
        pl.when(status == OK).then(num / den).alias("ratio"),
    )


def status_counts() -> list[pl.Expr]:
    """Aggregations counting posts by status, for the ``n_*`` result columns."""
    return [
        pl.len().alias("n_posts"),
        (pl.col("status") == NUMERATOR_MISSING).sum().alias("n_missing_numerator"),
        (pl.col("status") == DENOMINATOR_MISSING).sum().alias("n_missing_denominator"),
        (pl.col("status") == ZERO_DENOMINATOR).sum().alias("n_zero_denominator"),
    ]


def day_grid(first_day: date, last_day: date) -> pl.DataFrame:
    return pl.DataFrame({"day": pl.date_range(first_day, last_day, "1d", eager=True)})
