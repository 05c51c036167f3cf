"""``median_last_20``: the LiveDune-style ER trend, one value per group per local day.

As of the end of each day (project time zone), take the 20 most recent posts with a valid
ratio — posts published before the period count — and report their median. A post lacking
a count is skipped (and counted in ``n_missing_*`` if it falls inside the window's time span),
so one unreported post does not shrink the window. Recomputed from raw counts on every call:
late interactions change past values, and that is intended.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from .frames import (
    DENOMINATOR_MISSING,
    NUMERATOR_MISSING,
    OK,
    ZERO_DENOMINATOR,
    Window,
    day_grid,
    local_day,
)

WINDOW_POSTS = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _day_ends(days: list[date], tz: str) -> np.ndarray:
    """UTC microseconds of each local day's end (the next local midnight), DST-safe."""
    zone = ZoneInfo(tz)
    ends = [datetime.combine(d + timedelta(days=1), time(0), zone).astimezone(UTC) for d in days]
    return np.array([(e - _EPOCH) // timedelta(microseconds=1) for e in ends], dtype=np.int64)


def _micros(series: pl.Series) -> np.ndarray:
    return series.dt.epoch("us").to_numpy().astype(np.int64)


def _rolling_medians(ratios: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Median of ``ratios[max(0, k - 20):k]`` for each ``k`` in ``counts`` (NaN when k = 0).

    Days repeat the same ``k`` until a new post arrives, so each distinct ``k`` is computed
    once; full windows use ``np.median``, only the first 19 need the NaN-aware version.
    """
    needed, back = np.unique(counts, return_inverse=True)
    medians = np.full(needed.shape, np.nan)
    if ratios.size:
        padded = np.concatenate([np.full(WINDOW_POSTS - 1, np.nan), ratios])
        windows = np.lib.stride_tricks.sliding_window_view(padded, WINDOW_POSTS)
        full = needed >= WINDOW_POSTS
        partial = (needed > 0) & ~full
        if full.any():
            medians[full] = np.median(windows[needed[full] - 1], axis=1)
        if partial.any():
            medians[partial] = np.nanmedian(windows[needed[partial] - 1], axis=1)
    return medians[back]


def _partitions(frame: pl.DataFrame, keys: Sequence[str]) -> list[tuple[tuple, pl.DataFrame]]:
    ordered = frame.sort([*keys, "published_at"])
    if not keys:
        return [((), ordered)]
    parts = ordered.partition_by(list(keys), as_dict=True, maintain_order=True)
    return list(parts.items())


def median_last_20(
    frame: pl.DataFrame, keys: Sequence[str], window: Window | None, tz: str
) -> pl.DataFrame:
    days: list[date] = []
    if window is not None:
        days = day_grid(window.first_day, window.last_day)["day"].to_list()
    elif frame.height:
        local = frame.select(local_day("published_at", tz).alias("d"))["d"]
        days = day_grid(local.min(), local.max())["day"].to_list()  # type: ignore[arg-type]
    ends = _day_ends(days, tz)
    statuses = (NUMERATOR_MISSING, DENOMINATOR_MISSING, ZERO_DENOMINATOR)
    columns: dict[str, list] = {k: [] for k in (*keys, "day", "value", "n_used", *statuses)}
    for key_values, part in _partitions(frame, keys):
        times = _micros(part["published_at"])
        status = part["status"].to_numpy()
        ok = status == OK
        valid_times = times[ok]
        counts = np.searchsorted(valid_times, ends, side="left")
        values = _rolling_medians(part["ratio"].to_numpy()[ok].astype(float), counts)
        # The oldest post inside each day's window; before any valid post, all history counts.
        oldest = np.zeros_like(ends)
        if valid_times.size:
            oldest = np.where(counts > 0, valid_times[np.maximum(counts - WINDOW_POSTS, 0)], 0)
        for name in statuses:
            skipped = times[status == name]
            upto = np.searchsorted(skipped, ends, side="left")
            before = np.searchsorted(skipped, oldest, side="left")
            columns[name].extend((upto - np.where(counts > 0, before, 0)).tolist())
        for key, value in zip(keys, key_values, strict=True):
            columns[key].extend([value] * len(days))
        columns["day"].extend(days)
        columns["value"].extend(values.tolist())
        columns["n_used"].extend(np.minimum(counts, WINDOW_POSTS).tolist())

    schema: dict[str, pl.DataType] = {k: frame.schema[k] for k in keys}
    schema |= {"day": pl.Date(), "value": pl.Float64(), "n_used": pl.Int64()}
    schema |= {s: pl.Int64() for s in statuses}
    result = pl.DataFrame(columns, schema=schema).rename(
        {
            NUMERATOR_MISSING: "n_missing_numerator",
            DENOMINATOR_MISSING: "n_missing_denominator",
            ZERO_DENOMINATOR: "n_zero_denominator",
        }
    )
    missing = pl.col("n_missing_numerator") + pl.col("n_missing_denominator")
    return result.with_columns(
        pl.col("value").fill_nan(None),
        (missing + pl.col("n_zero_denominator")).alias("n_missing"),
        (pl.col("n_used") + missing + pl.col("n_zero_denominator")).alias("n_posts"),
        pl.lit(value=False).alias("_sum_den_zero"),
        pl.lit(None, pl.Int64).alias("n_days"),
        pl.lit(None, pl.Int64).alias("n_days_used"),
    ).sort([*keys, "day"])
