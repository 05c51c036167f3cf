"""Time columns → float days, shared by the RFM summary and the temperature states.

Every analytic in this package measures time as *float days since the Unix epoch on the
project's local wall clock*. Why the wall clock: "same day", "per day" and "per month" mean
the project's calendar day, not UTC's. The price is that a duration spanning a daylight-saving
change is off by that hour, which no threshold measured in days notices.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

SECONDS_PER_DAY = 86_400.0
_EPOCH_DATE = dt.date(1970, 1, 1)


def epoch_days_expr(column: str, time_zone: str = "UTC") -> pl.Expr:
    """Polars expression: an aware Datetime (or Date) column as float local-wall-clock days."""
    col = pl.col(column)
    wall = col.dt.convert_time_zone(time_zone).dt.replace_time_zone(None)
    return wall.dt.epoch("us").cast(pl.Float64) / (SECONDS_PER_DAY * 1e6)


def check_time_column(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Return `frame` with `column` as an aware UTC Datetime; refuse naive datetimes.

    A `Date` column is accepted (midnight UTC), since a date carries no time to misread.
    """
    if column not in frame.columns:
        raise ValueError(f"missing time column {column!r}; columns are {frame.columns}")
    dtype = frame.schema[column]
    if dtype == pl.Date:
        return frame.with_columns(
            pl.col(column).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        )
    if not isinstance(dtype, pl.Datetime):
        raise ValueError(f"column {column!r} must be an aware Datetime, got {dtype}")
    if dtype.time_zone is None:
        raise ValueError(f"column {column!r} holds naive datetimes; Hearth needs aware UTC times")
    return frame


def instant_to_days(value: dt.datetime | dt.date, time_zone: str = "UTC") -> float:
    """One aware datetime (or a date, read as local midnight) as float local-wall-clock days."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}; pass an aware UTC datetime")
        frame = pl.DataFrame({"t": [value]}).with_columns(pl.col("t").dt.convert_time_zone("UTC"))
        return float(frame.select(epoch_days_expr("t", time_zone)).item())
    return float((value - _EPOCH_DATE).days)


def day_to_date(day_number: pl.Expr) -> pl.Expr:
    """Integer epoch day → `pl.Date` (local calendar day)."""
    return day_number.cast(pl.Int32).cast(pl.Date)
