"""Site visits for the dashboard, counted by the database instead of read click by click.

The rule is ``kpi.site_visits``'s: every click on the project's tracked links inside the
period, known bots excluded, on the local day (project time zone) it happened. A year of
clicks is tens of thousands of rows; the page needs a count per local day and network, so
the database groups them and returns a few thousand counts.

A local day is not a UTC day. When the zone's UTC offset is the same all through the period
(no DST change inside it), a click's local date is its UTC date, shifted by one when its UTC
time of day is past (positive offset) or before (negative offset) the UTC time of local
midnight: the query groups by UTC date × that flag × network. When the offset changes inside
the period, it groups by UTC minute and Polars converts each minute (every zone offset is a
whole number of minutes).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from django.db.models import Case, Count, IntegerField, Value, When
from django.db.models.functions import Substr

from hearth.metrics.frames import as_text, query_frame
from hearth.metrics.kpi.frames import Window, resolve_period


def _window(period: tuple[date, date], tz: str) -> Window:
    window = resolve_period(period, tz)
    if window is None:  # only a missing period resolves to None
        raise ValueError("a period needs a start and an end")
    return window


def _clicks(project, window: Window):
    from hearth.links.models import Click

    return Click.objects.filter(
        link__project=project,
        is_bot=False,
        clicked_at__gte=window.start,
        clicked_at__lt=window.end,
    )


def constant_offset(window: Window, tz: str) -> timedelta | None:
    """The zone's UTC offset if it is the same at every local midnight of the window and at
    its end; ``None`` when it changes inside the window."""
    zone = ZoneInfo(tz)
    offsets = {window.start.astimezone(zone).utcoffset(), window.end.astimezone(zone).utcoffset()}
    day = window.first_day
    while day <= window.last_day and len(offsets) == 1:
        offsets.add(datetime.combine(day, datetime.min.time(), zone).utcoffset())
        day += timedelta(days=1)
    return offsets.pop() if len(offsets) == 1 else None


def _utc_midnight_text(offset: timedelta) -> str:
    """UTC time of day (HH:MM:SS) of local midnight for a fixed offset."""
    seconds = int((-offset).total_seconds()) % 86400
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _counts_fixed_offset(clicks, offset: timedelta) -> pl.DataFrame:
    midnight = _utc_midnight_text(offset)
    text = as_text("clicked_at")
    rows = (
        clicks.annotate(utc_day=Substr(text, 1, 10), utc_time=Substr(text, 12, 8))
        .annotate(
            past=Case(
                When(utc_time__gte=midnight, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values_list("utc_day", "past", "network")
        .annotate(n=Count("id"))
    )
    frame = query_frame(
        rows, {"utc_day": pl.String, "past": pl.Int64, "network": pl.String, "n": pl.Int64}
    )
    # offset > 0: past local midnight → next UTC date; offset ≤ 0: before it → previous date.
    shift = pl.col("past") if offset > timedelta(0) else pl.col("past") - 1
    day = pl.col("utc_day").str.to_date("%Y-%m-%d") + pl.duration(days=shift)
    return frame.select(day.alias("day"), "network", "n")


def _counts_by_minute(clicks, tz: str) -> pl.DataFrame:
    rows = (
        clicks.annotate(minute=Substr(as_text("clicked_at"), 1, 16))
        .order_by()
        .values_list("minute", "network")
        .annotate(n=Count("id"))
    )
    frame = query_frame(rows, {"minute": pl.String, "network": pl.String, "n": pl.Int64})
    at = (
        pl.col("minute")
        .str.replace("T", " ", literal=True)
        .str.to_datetime("%Y-%m-%d %H:%M", time_zone="UTC", time_unit="us")
    )
    return frame.select(at.dt.convert_time_zone(tz).dt.date().alias("day"), "network", "n")


def daily_visit_counts(project, period: tuple[date, date]) -> pl.DataFrame:
    """Non-bot clicks per local day and network: day, network, n (days without clicks are
    absent)."""
    window = _window(period, project.time_zone)
    clicks = _clicks(project, window)
    offset = constant_offset(window, project.time_zone)
    if offset is not None:
        frame = _counts_fixed_offset(clicks, offset)
    else:
        frame = _counts_by_minute(clicks, project.time_zone)
    return frame.group_by("day", "network").agg(pl.col("n").sum()).sort("day", "network")


def visit_count(project, period: tuple[date, date]) -> int:
    """Non-bot clicks of the period: one COUNT(*)."""
    return _clicks(project, _window(period, project.time_zone)).count()
