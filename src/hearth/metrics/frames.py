"""Stored rows → the Polars frames the KPI engine expects (hearth.metrics.kpi).

Column names and types are exactly the engine's: a count nobody reported stays null here and
reaches the engine as null, which reports it as missing, never as 0.

Followers at posting time: the ``PostFacts.followers_at_post`` recorded when the post was
first measured (the connector's own figure, or the channel's snapshot then); when absent, the
channel's latest daily snapshot on or before the post's local publishing day.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import FloatField, Max, TextField
from django.db.models.functions import Cast

from hearth.content.models import Channel, Variant
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


def query_frame(queryset, schema: Mapping[str, Any], rename: Sequence[str] = ()) -> pl.DataFrame:
    """A ``values_list`` queryset read with one ``fetchall`` and built column by column.

    Django's row iterator fetches in chunks and handles every row in Python, and a frame
    built row by row converts every value again: for ten thousand posts that is most of the
    page's time. The SQL is still the ORM's. No database converters run, so this is for
    numbers and text only (datetimes and dates come as text through ``as_text`` and are
    parsed by Polars). ``schema`` maps each selected name to its dtype, in the wanted order;
    ``rename`` gives the frame's column names in that order.
    """
    labels = list(rename) or list(schema)
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # the filter cannot match a row (e.g. pk__in=[])
        return _frame_of_columns({}, schema, labels)
    names = [alias for _, _, alias in compiler.select]
    with _no_cyclic_gc():
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        columns = dict(zip(names, zip(*rows, strict=True), strict=False)) if rows else {}
        del rows
        return _frame_of_columns(columns, schema, labels)


def _frame_of_columns(columns: Mapping[str, Sequence], schema, labels) -> pl.DataFrame:
    return pl.DataFrame(
        [
            pl.Series(label, columns.get(name, ()), dtype=dtype)
            for label, (name, dtype) in zip(labels, schema.items(), strict=True)
        ]
    )


@contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector while a large result is read.

    Fetching ten thousand rows allocates tens of thousands of tuples; each 700 allocations
    trigger a collection, and now and then a full one walks every object of the process
    (tens of ms in a Django process, measured as the worst requests of the dashboard). The
    rows hold no reference cycles and are freed by reference counting right after, so the
    pause loses nothing; the collector is re-enabled (if it was on) even on errors.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


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
    query = (
        published_variants(project, period, channel)
        .annotate(published_text=as_text("published_at"))
        .order_by()  # sorted below by Polars: cheaper than the database's temporary B-tree
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
    dtypes = [pl.String if c == "published_at" else POST_SCHEMA[c] for c in columns]
    frame = (
        query_frame(query, dict(zip(fields, dtypes, strict=True)), columns)
        .with_columns(parse_utc("published_at"), pl.lit(project.pk, pl.Int64).alias("project_id"))
        .sort("published_at", "post_id")
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
    values = ("followers", "reach", "impressions", "views")
    return _snapshot_frame(project, period, channel, carry_in, values)


def follower_snapshots_frame(
    project, period: tuple[PeriodBound, PeriodBound] | None = None, *, carry_in: bool = False
) -> pl.DataFrame:
    """``snapshots_frame`` with the follower level only (channel_id, network, project_id, day,
    followers): what the dashboard's follower figures need, read without the other counts."""
    return _snapshot_frame(project, period, None, carry_in, ("followers",))


def _snapshot_frame(project, period, channel, carry_in: bool, values: tuple[str, ...]):
    rows = ChannelSnapshot.objects.filter(channel__project=project)
    if channel is not None:
        rows = rows.filter(channel=channel)
    window = resolve_period(period, project.time_zone)
    inside = rows
    if window is not None:
        inside = rows.filter(day__gte=window.first_day, day__lte=window.last_day)
    # The network comes from the project's few channels, not from a join on every row.
    columns = ("channel_id", "day_text", *values)
    as_day = Cast("day", output_field=TextField())
    schema = {"channel_id": pl.Int64, "day_text": pl.String} | {v: pl.Float64 for v in values}
    found = [query_frame(inside.annotate(day_text=as_day).order_by().values_list(*columns), schema)]
    if carry_in and window is not None:
        latest = list(
            rows.filter(day__lt=window.first_day, followers__isnull=False)
            .order_by()
            .values("channel_id")
            .annotate(last=Max("day"))
            .values_list("channel_id", "last")
        )
        if latest:
            # Channels × their distinct last days (usually one day: the eve of the period),
            # then only each channel's own (channel, day) pair: one indexed query instead of
            # an OR of one term per channel.
            candidates = rows.filter(
                channel_id__in=[c for c, _ in latest], day__in={d for _, d in latest}
            )
            carried = query_frame(
                candidates.annotate(day_text=as_day).order_by().values_list(*columns), schema
            )
            pairs = pl.DataFrame(
                {"channel_id": [c for c, _ in latest], "_day": [d.isoformat() for _, d in latest]},
                schema={"channel_id": pl.Int64, "_day": pl.String},
            )
            carried = carried.with_columns(pl.col("day_text").str.slice(0, 10).alias("_day"))
            found.append(carried.join(pairs, on=["channel_id", "_day"], how="semi").drop("_day"))
    networks = dict(Channel.objects.filter(project=project).values_list("pk", "network"))
    frame = pl.concat(found).with_columns(
        pl.col("day_text").str.slice(0, 10).str.to_date("%Y-%m-%d").alias("day"),
        pl.col("channel_id")
        .replace_strict(networks, default=None, return_dtype=pl.String)
        .alias("network"),
        pl.lit(project.pk, pl.Int64).alias("project_id"),
    )
    return frame.select([c for c in SNAPSHOT_SCHEMA if c in frame.columns]).sort(
        "channel_id", "day"
    )


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
        "at": pl.String,
        "kind": pl.String,
        "money": pl.Float64,
        "currency": pl.String,
        "customer_key": pl.String,
        "network": pl.String,
    }
    names = ("occurred_at", "kind", "amount", "currency", "customer_id", "network")
    return query_frame(rows, schema, names).with_columns(
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
    schema = {
        "day_text": pl.String,
        "money": pl.Float64,
        "currency": pl.String,
        "network": pl.String,
    }
    names = ("day", "amount", "currency", "network")
    return query_frame(rows, schema, names).with_columns(
        pl.col("day").str.slice(0, 10).str.to_date("%Y-%m-%d"),
        *_blank_is_null("network"),
        pl.lit(project.pk, pl.Int64).alias("project_id"),
    )


def local_today(project, now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo(project.time_zone)).date()
