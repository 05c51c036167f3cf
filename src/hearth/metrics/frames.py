"""Stored rows → the Polars frames the KPI engine expects (hearth.metrics.kpi).

Column names and types are exactly the engine's: a count nobody reported stays null here and
reaches the engine as null, which reports it as missing, never as 0.

Followers at posting time: the ``PostFacts.followers_at_post`` recorded when the post was
first measured (the connector's own figure, or the channel's snapshot then); when absent, the
channel's latest daily snapshot on or before the post's local publishing day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from django.db.models import FloatField, Max, Q, TextField
from django.db.models.functions import Cast

from hearth.content.models import Variant
from hearth.metrics.kpi.frames import PeriodBound, resolve_period
from hearth.metrics.models import (
    COUNT_FIELDS,
    ChannelSnapshot,
    Conversion,
    PostMetricSnapshot,
    Spend,
)

UTC_US = pl.Datetime("us", "UTC")
POST_SCHEMA = {
    "post_id": pl.Int64,
    "channel_id": pl.Int64,
    "network": pl.String,
    "published_at": UTC_US,
    "project_id": pl.Int64,
    "followers_at_post": pl.Float64,
    **{name: pl.Float64 for name in COUNT_FIELDS},
}
SNAPSHOT_SCHEMA = {
    "channel_id": pl.Int64,
    "network": pl.String,
    "project_id": pl.Int64,
    "day": pl.Date,
    "followers": pl.Float64,
    "reach": pl.Float64,
    "impressions": pl.Float64,
    "views": pl.Float64,
}
DEFAULT_AGE_TOLERANCE = 0.25
"""For ``at_age_hours=A``: the latest snapshot taken at an age ≤ A is used only if it is at
least (1 − 0.25)·A old; a 3-hour reading does not stand in for "at 24 h"."""


def published_variants(project, period=None, channel=None):
    posts = Variant.objects.filter(
        channel__project=project, status=Variant.Status.PUBLISHED, published_at__isnull=False
    )
    if channel is not None:
        posts = posts.filter(channel=channel)
    window = resolve_period(period, project.time_zone)
    if window is not None:
        posts = posts.filter(published_at__gte=window.start, published_at__lt=window.end)
    return posts


def _aware(value: datetime) -> datetime:
    return value.astimezone(UTC)


def as_text(field: str) -> Cast:
    """A datetime column read as text: Django's per-row conversion of datetimes is the
    slowest part of reading ten thousand rows; Polars parses the text column at once."""
    return Cast(field, output_field=TextField())


def parse_utc(column: str) -> pl.Expr:
    """Parse ``as_text`` values: SQLite stores UTC as 'YYYY-MM-DD HH:MM:SS[.ffffff]',
    PostgreSQL (session time zone UTC under Django) adds '+00'."""
    return (
        pl.col(column)
        .str.replace(r"[+-]00(:?00)?$", "")
        .str.replace("T", " ", literal=True)
        .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_zone="UTC", time_unit="us")
        .alias(column)
    )


def posts_frame(
    project,
    period: tuple[PeriodBound, PeriodBound] | None = None,
    *,
    at_age_hours: float | None = None,
    channel=None,
    tolerance: float = DEFAULT_AGE_TOLERANCE,
) -> pl.DataFrame:
    """One row per published variant of ``project`` (published inside ``period``).

    ``at_age_hours=None``: the latest counts. ``at_age_hours=24``: the counts of the latest
    snapshot taken when the post was at most 24 h old (and at least 18 h, see tolerance);
    a post without such a snapshot has null counts.
    """
    fields = [
        "pk",
        "channel_id",
        "channel__network",
        "published_at",
        "metric_facts__followers_at_post",
    ]
    fields += [f"metric_facts__{name}" for name in COUNT_FIELDS]
    fields[3] = "published_text"
    rows = list(
        published_variants(project, period, channel)
        .annotate(published_text=as_text("published_at"))
        .order_by("published_at", "pk")
        .values_list(*fields)
    )
    columns = [
        "post_id",
        "channel_id",
        "network",
        "published_at",
        "followers_at_post",
        *COUNT_FIELDS,
    ]
    schema = {c: POST_SCHEMA[c] for c in columns} | {"published_at": pl.String}
    frame = pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        parse_utc("published_at"), pl.lit(project.pk, pl.Int64).alias("project_id")
    )
    if at_age_hours is not None:
        frame = _counts_at_age(frame, at_age_hours, tolerance)
    frame = _fill_followers(project, frame)
    return frame.select(list(POST_SCHEMA))


def _counts_at_age(frame: pl.DataFrame, age: float, tolerance: float) -> pl.DataFrame:
    if age <= 0:
        raise ValueError("at_age_hours must be positive")
    ids = frame["post_id"].to_list()
    rows = PostMetricSnapshot.objects.filter(variant_id__in=ids, age_hours__lte=age).values_list(
        "variant_id", "age_hours", *COUNT_FIELDS
    )
    schema = {"post_id": pl.Int64, "age_hours": pl.Float64, **{c: pl.Float64 for c in COUNT_FIELDS}}
    snaps = pl.DataFrame(list(rows), schema=schema, orient="row")
    latest = (
        snaps.sort("age_hours")
        .group_by("post_id")
        .last()
        .filter(pl.col("age_hours") >= age * (1 - tolerance))
    )
    return frame.drop(COUNT_FIELDS).join(latest.drop("age_hours"), on="post_id", how="left")


def _fill_followers(project, frame: pl.DataFrame) -> pl.DataFrame:
    """Fill missing followers_at_post from the latest snapshot on or before the local day."""
    if frame.is_empty() or frame["followers_at_post"].null_count() == 0:
        return frame
    channels = frame["channel_id"].unique().to_list()
    rows = ChannelSnapshot.objects.filter(channel_id__in=channels, followers__isnull=False)
    snaps = pl.DataFrame(
        list(rows.values_list("channel_id", "day", "followers")),
        schema={"channel_id": pl.Int64, "day": pl.Date, "followers": pl.Float64},
        orient="row",
    ).sort("day")
    local = frame.with_columns(
        pl.col("published_at").dt.convert_time_zone(project.time_zone).dt.date().alias("_day"),
        pl.int_range(pl.len()).alias("_row"),
    ).sort("_day")
    joined = local.join_asof(
        snaps,
        left_on="_day",
        right_on="day",
        by="channel_id",
        strategy="backward",
        check_sortedness=False,
    )
    return (
        joined.with_columns(
            pl.coalesce("followers_at_post", "followers").alias("followers_at_post")
        )
        .sort("_row")
        .drop("_day", "_row", "day", "followers")
    )


def snapshots_frame(
    project,
    period: tuple[PeriodBound, PeriodBound] | None = None,
    *,
    channel=None,
    carry_in: bool = False,
) -> pl.DataFrame:
    """Daily channel snapshots: channel_id, network, project_id, day, followers, reach,
    impressions, views (for ``community_growth`` and ``compute(..., followers=...)``).

    ``carry_in``: also each channel's latest snapshot *before* the period (so a level can be
    carried forward into the period's first days without reading the whole history).
    """
    rows = ChannelSnapshot.objects.filter(channel__project=project)
    if channel is not None:
        rows = rows.filter(channel=channel)
    window = resolve_period(period, project.time_zone)
    inside = rows
    if window is not None:
        inside = rows.filter(day__gte=window.first_day, day__lte=window.last_day)
    columns = ("channel_id", "channel__network", "day_text", "followers", "reach")
    columns += ("impressions", "views")
    as_day = Cast("day", output_field=TextField())
    values = list(inside.annotate(day_text=as_day).order_by().values_list(*columns))
    if carry_in and window is not None:
        latest = (
            rows.filter(day__lt=window.first_day, followers__isnull=False)
            .order_by()
            .values("channel_id")
            .annotate(last=Max("day"))
            .values_list("channel_id", "last")
        )
        wanted = Q()
        for channel_id, day in latest:
            wanted |= Q(channel_id=channel_id, day=day)
        if wanted:
            carried = rows.filter(wanted).annotate(day_text=as_day).order_by()
            values += list(carried.values_list(*columns))
    schema = {k: v for k, v in SNAPSHOT_SCHEMA.items() if k != "project_id"}
    frame = pl.DataFrame(values, schema=schema | {"day": pl.String}, orient="row").with_columns(
        pl.col("day").str.slice(0, 10).str.to_date("%Y-%m-%d"),
        pl.lit(project.pk, pl.Int64).alias("project_id"),
    )
    return frame.select(list(SNAPSHOT_SCHEMA)).sort("channel_id", "day")


def _blank_is_null(*columns: str) -> list[pl.Expr]:
    return [pl.when(pl.col(c) != "").then(pl.col(c)).alias(c) for c in columns]


def conversions_frame(project) -> pl.DataFrame:
    """All conversions (history matters: a new customer is one whose first sale is in the
    period): occurred_at, kind, amount, currency, customer_id, network, project_id."""
    rows = (
        Conversion.objects.filter(project=project)
        .order_by("occurred_at", "pk")
        .annotate(at=as_text("occurred_at"), money=Cast("amount", output_field=FloatField()))
        .values_list("at", "kind", "money", "currency", "customer_key", "network")
    )
    schema = {
        "occurred_at": pl.String,
        "kind": pl.String,
        "amount": pl.Float64,
        "currency": pl.String,
        "customer_id": pl.String,
        "network": pl.String,
    }
    return pl.DataFrame(list(rows), schema=schema, orient="row").with_columns(
        parse_utc("occurred_at"),
        *_blank_is_null("currency", "customer_id", "network"),
        pl.lit(project.pk, pl.Int64).alias("project_id"),
    )


def spend_frame(project) -> pl.DataFrame:
    """Spend per local day: day, amount, currency, network, project_id."""
    rows = (
        Spend.objects.filter(project=project)
        .order_by()
        .annotate(
            day_text=Cast("day", output_field=TextField()),
            money=Cast("amount", output_field=FloatField()),
        )
        .values_list("day_text", "money", "currency", "network")
    )
    schema = {"day": pl.String, "amount": pl.Float64, "currency": pl.String, "network": pl.String}
    return pl.DataFrame(list(rows), schema=schema, orient="row").with_columns(
        pl.col("day").str.slice(0, 10).str.to_date("%Y-%m-%d"),
        *_blank_is_null("network"),
        pl.lit(project.pk, pl.Int64).alias("project_id"),
    )


def local_today(project, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(project.time_zone)).date()
