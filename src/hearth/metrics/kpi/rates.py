"""Rates over posts: ``compute(metric, aggregation, posts, ...)``.

Every result row says how many posts it used and how many it could not use and why
(``n_missing_numerator``, ``n_missing_denominator``, ``n_zero_denominator``), so a missing
reach is shown as missing, never averaged in as 0. ``n_used + n_missing == n_posts``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from .daily import mean_daily
from .definitions import Aggregation, Metric, get_aggregation, get_metric
from .frames import (
    CALENDAR_KEYS,
    ENTITY_KEYS,
    OK,
    PeriodBound,
    check_by,
    normalize_posts,
    resolve_period,
    status_counts,
    with_calendar_keys,
    with_ratio_parts,
    within,
)

RESULT_COLUMNS = (
    "metric",
    "aggregation",
    "formula",
    "value",
    "n_posts",
    "n_used",
    "n_missing",
    "n_missing_numerator",
    "n_missing_denominator",
    "n_zero_denominator",
    "n_days",
    "n_days_used",
    "reason",
)


def post_ratios(
    posts: pl.DataFrame,
    metric: str,
    *,
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
    engagement: Mapping[str, Sequence[str]] | None = None,
) -> pl.DataFrame:
    """One row per post: ``num``, ``den``, ``ratio`` (null unless ``status == 'ok'``), ``status``."""
    definition = get_metric(metric)
    frame = within(normalize_posts(posts), resolve_period(period, tz), "published_at")
    return with_ratio_parts(frame, definition, engagement).sort("published_at")


def compute(
    metric: str,
    aggregation: str,
    posts: pl.DataFrame,
    *,
    by: Sequence[str] = (),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
    engagement: Mapping[str, Sequence[str]] | None = None,
    followers: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Aggregate ``metric`` over the posts of ``period``, one row per ``by`` group.

    ``by``: any of project_id, network, channel_id, day, week, month, weekday, hour (calendar
    keys are local to ``tz``, the project's time zone). ``period``: dates are whole local days,
    both inclusive; aware datetimes are instants, end exclusive. ``followers``: optional daily
    snapshots (channel_id, day, followers) giving "followers that day" to ``mean_daily``.
    ``median_last_20`` returns one row per group per day of the period (``day`` column).
    """
    definition = get_metric(metric)
    agg = get_aggregation(definition, aggregation)
    window = resolve_period(period, tz)
    frame = with_ratio_parts(normalize_posts(posts), definition, engagement)
    if agg.name == "median_last_20":
        from .trend import median_last_20

        keys = check_by(by, ENTITY_KEYS)
        result = median_last_20(frame, keys, window, tz)
        return _finish(result, definition, agg, (*keys, "day"))

    keys = check_by(by, (*ENTITY_KEYS, *CALENDAR_KEYS))
    frame = with_calendar_keys(
        within(frame, window, "published_at"), (*keys, "day"), tz, "published_at"
    )
    if agg.name == "ratio_of_sums":
        result = _ratio_of_sums(frame, keys)
    elif agg.name == "mean_of_ratios":
        result = _mean_of_ratios(frame, keys)
    else:
        result = mean_daily(frame, definition, keys, window, tz, followers)
    return _finish(result, definition, agg, keys)


def group(frame: pl.DataFrame, keys: Sequence[str], aggs: list[pl.Expr]) -> pl.DataFrame:
    """``group_by`` that still yields one row (of zero counts) when there are no keys."""
    if not keys:
        return frame.select(aggs)
    return frame.group_by(list(keys)).agg(aggs).sort(list(keys), nulls_last=True)


def _ratio_of_sums(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    # A post whose own denominator is 0 still belongs in the sums (it had no reach, say,
    # but it was published); only posts lacking a count are left out.
    usable = pl.col("num").is_not_null() & pl.col("den").is_not_null()
    result = group(
        frame,
        keys,
        [
            *status_counts(),
            usable.sum().alias("n_used"),
            pl.col("num").filter(usable).sum().alias("_sum_num"),
            pl.col("den").filter(usable).sum().alias("_sum_den"),
        ],
    )
    return result.with_columns(
        pl.when(pl.col("_sum_den") > 0)
        .then(pl.col("_sum_num") / pl.col("_sum_den"))
        .alias("value"),
        (pl.col("n_used") > 0).and_(pl.col("_sum_den") == 0).alias("_sum_den_zero"),
        (pl.col("n_posts") - pl.col("n_used")).alias("n_missing"),
        # Zero-denominator posts were used here: report them, but not as missing.
        pl.lit(None, pl.UInt32).alias("n_days"),
        pl.lit(None, pl.UInt32).alias("n_days_used"),
    ).drop("_sum_num", "_sum_den")


def _mean_of_ratios(frame: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    ok = pl.col("status") == OK
    result = group(
        frame,
        keys,
        [
            *status_counts(),
            ok.sum().alias("n_used"),
            pl.col("ratio").filter(ok).mean().alias("value"),
        ],
    )
    return result.with_columns(
        (pl.col("n_posts") - pl.col("n_used")).alias("n_missing"),
        pl.lit(value=False).alias("_sum_den_zero"),
        pl.lit(None, pl.UInt32).alias("n_days"),
        pl.lit(None, pl.UInt32).alias("n_days_used"),
    )


def _reason(metric: Metric) -> pl.Expr:
    """Why a value is null, in words the UI can show as is."""
    num, den = metric.numerator, metric.denominator
    return (
        pl.when(pl.col("value").is_not_null())
        .then(pl.lit(None, pl.String))
        .when(pl.col("n_posts") == 0)
        .then(pl.lit("no posts in the period"))
        .when(pl.col("_sum_den_zero"))
        .then(pl.format(f"Σ{den} is 0 over the {{}} usable post(s)", pl.col("n_used")))
        .when(pl.col("n_days").is_not_null() & (pl.col("n_days_used") == 0))
        .then(
            pl.format(
                "no usable day: {} post(s) lack {}, {} lack {}, {} fall on days with {} = 0",
                pl.col("n_missing_numerator"),
                pl.lit(num),
                pl.col("n_missing_denominator"),
                pl.lit(den),
                pl.col("n_zero_denominator"),
                pl.lit(den),
            )
        )
        .otherwise(
            pl.format(
                "no usable post: {} lack {}, {} lack {}, {} have {} = 0",
                pl.col("n_missing_numerator"),
                pl.lit(num),
                pl.col("n_missing_denominator"),
                pl.lit(den),
                pl.col("n_zero_denominator"),
                pl.lit(den),
            )
        )
    )


def _finish(
    result: pl.DataFrame, metric: Metric, agg: Aggregation, keys: Sequence[str]
) -> pl.DataFrame:
    counts = ["n_posts", "n_used", "n_missing", "n_missing_numerator", "n_missing_denominator"]
    counts += ["n_zero_denominator", "n_days", "n_days_used"]
    return result.with_columns(
        pl.lit(metric.name).alias("metric"),
        pl.lit(agg.name).alias("aggregation"),
        pl.lit(agg.formula(metric)).alias("formula"),
        pl.col("value").cast(pl.Float64),
        *[pl.col(c).cast(pl.Int64) for c in counts],
        _reason(metric).alias("reason"),
    ).select(*keys, *RESULT_COLUMNS)
