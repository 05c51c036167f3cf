"""The "first 15 minutes" measure: do new subscribers come back after their first session?

Definitions:
* a *session* is a run of a subscriber's touches (subscription included) each less than
  `session_gap` (30 minutes) after the previous one;
* the *first session* starts at the subscriber's first touch;
* the subscriber *returned* if they touch again after the first session ended, i.e. they
  have a second session, starting within `within` of their first touch.
Only subscribers whose first touch is at least `within` before `as_of` are counted, so every
counted subscriber had the full window to come back (no right-censoring bias).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from hearth.leads.analytics._stats import wilson_interval
from hearth.leads.analytics._time import check_time_column
from hearth.leads.analytics.temperature import SESSION_GAP


def first_session_return(
    touches: pl.DataFrame,
    *,
    as_of: dt.datetime,
    within: dt.timedelta = dt.timedelta(days=30),
    session_gap: dt.timedelta = SESSION_GAP,
    every: str | None = None,
    subscriber: str = "subscriber",
    at: str = "at",
    confidence: float = 0.95,
) -> pl.DataFrame:
    """Share of new subscribers who come back after their first session, with a Wilson interval.

    With `every` ("1w", "1mo", …) one row per cohort of first-touch period (UTC), else one row
    with a null cohort. Columns: cohort, new, returned, share, lower, upper.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    frame = check_time_column(touches, at).select(
        pl.col(subscriber).alias("subscriber"), pl.col(at).dt.convert_time_zone("UTC").alias("t")
    )
    horizon = as_of.astimezone(dt.UTC) - within
    per_subscriber = (
        frame.lazy()
        .sort("subscriber", "t")
        .with_columns(
            first=pl.col("t").min().over("subscriber"),
            starts_session=(pl.col("t").diff().over("subscriber") >= session_gap).fill_null(False),
        )
        .filter(pl.col("first") <= horizon)
        .group_by("subscriber")
        .agg(
            first=pl.col("first").first(),
            second_session=pl.col("t").filter(pl.col("starts_session")).min(),
        )
        .with_columns(
            returned=(pl.col("second_session") - pl.col("first") <= within).fill_null(False),
            cohort=pl.col("first").dt.truncate(every)
            if every
            else pl.lit(None, pl.Datetime("us", "UTC")),
        )
    )
    result = (
        per_subscriber.group_by("cohort")
        .agg(new=pl.len(), returned=pl.col("returned").sum())
        .sort("cohort")
        .collect()
    )
    lower, upper = wilson_interval(result["returned"], result["new"], confidence)
    return result.with_columns(
        share=pl.col("returned") / pl.col("new"), lower=pl.Series(lower), upper=pl.Series(upper)
    )
