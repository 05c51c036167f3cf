"""``commerce_summary`` for several disjoint periods in one pass.

A dashboard shows the period's sales figures beside the previous period's; two calls
normalise the whole conversion history twice. Here every row is labelled with the period it
falls in and the periods are computed as groups of one ``commerce_summary`` call, which gives
each period exactly its own figures: counts and money are per group, and a new customer is
credited to the group of their first sale in the whole history (tested against separate
calls).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise

import polars as pl

from .commerce import commerce_summary
from .frames import UTC_DATETIME, Window, require_aware, resolve_period

_LABEL = "project_id"
"""``commerce_summary`` groups by entity keys only; the period label travels in the
``project_id`` key (all rows belong to one project here, so nothing else is lost)."""


def commerce_by_period(
    conversions: pl.DataFrame,
    periods: Sequence[tuple[date, date]],
    *,
    spend: pl.DataFrame | None = None,
    tz: str = "UTC",
) -> list[dict | None]:
    """One ``commerce_summary(..., by=["project_id"], period=p)`` row (as a dict, without the
    ``project_id`` key) per period ``p`` of ``periods`` (local dates, both inclusive, not
    overlapping); ``None`` where that call would return no row."""
    windows = [_window(p, tz) for p in periods]
    if not windows:
        return []
    starts = sorted(range(len(windows)), key=lambda i: windows[i].start)
    for a, b in pairwise(starts):
        if windows[b].start < windows[a].end:
            raise ValueError("periods overlap")

    def label_instant(column: str) -> pl.Expr:
        expr = pl.lit(None, pl.Int64)
        for i, w in enumerate(windows):
            inside = (pl.col(column) >= pl.lit(w.start, UTC_DATETIME)) & (
                pl.col(column) < pl.lit(w.end, UTC_DATETIME)
            )
            expr = pl.when(inside).then(pl.lit(i, pl.Int64)).otherwise(expr)
        return expr.alias(_LABEL)

    def label_day(column: str) -> pl.Expr:
        expr = pl.lit(None, pl.Int64)
        for i, w in enumerate(windows):
            inside = pl.col(column).cast(pl.Date).is_between(w.first_day, w.last_day)
            expr = pl.when(inside).then(pl.lit(i, pl.Int64)).otherwise(expr)
        return expr.alias(_LABEL)

    labelled = require_aware(conversions, "occurred_at").with_columns(label_instant("occurred_at"))
    labelled_spend = spend.with_columns(label_day("day")) if spend is not None else None
    span = (min(p[0] for p in periods), max(p[1] for p in periods))
    result = commerce_summary(labelled, spend=labelled_spend, by=[_LABEL], period=span, tz=tz)
    rows = {r[_LABEL]: r for r in result.iter_rows(named=True) if r[_LABEL] is not None}
    return [
        {k: v for k, v in rows[i].items() if k != _LABEL} if i in rows else None
        for i in range(len(windows))
    ]


def _window(period: tuple[date, date], tz: str) -> Window:
    window = resolve_period(period, tz)
    if window is None:  # only a missing period resolves to None
        raise ValueError("every period needs a start and an end")
    return window
