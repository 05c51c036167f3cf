"""Audience KPIs: community growth, the posting-frequency trade-off, active-audience share."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import polars as pl

from .definitions import ENGAGEMENT
from .frames import (
    ENTITY_KEYS,
    PeriodBound,
    Window,
    check_by,
    day_grid,
    engagement_expr,
    normalize_posts,
    require_aware,
    require_columns,
    resolve_period,
    with_calendar_keys,
    within,
)


@dataclass(frozen=True, slots=True)
class ActiveShareReference:
    low: float
    high: float
    source: str


ACTIVE_SHARE_REFERENCES: Mapping[str, ActiveShareReference] = MappingProxyType(
    {
        "instagram": ActiveShareReference(
            0.15, 0.15, "METHOD.md M7 (source article): about 300 active of 2,000 followers"
        ),
        "facebook": ActiveShareReference(
            0.01, 0.015, "METHOD.md M7 (source article): 20–30 active of 2,000 followers"
        ),
    }
)
"""Reference lines for the active-audience chart: the article's anecdotal figures, shown as
context, never as a target."""


def _snapshot_days(snapshots: pl.DataFrame, window: Window | None) -> pl.DataFrame:
    frame = snapshots.with_columns(
        pl.col("day").cast(pl.Date), pl.col("followers").cast(pl.Float64)
    )
    if window is not None:
        frame = frame.filter(pl.col("day").is_between(window.first_day, window.last_day))
    return frame


def community_growth(
    snapshots: pl.DataFrame,
    *,
    by: Sequence[str] = ("channel_id",),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
) -> pl.DataFrame:
    """Follower growth between the first and last snapshot inside the period.

    ``snapshots``: channel_id, day (local date), followers, plus any ``by`` column. A group's
    growth is null (with ``reason``) if any of its channels has fewer than two known snapshots
    in the period; ``covers_period`` is false when the snapshots start late or end early.
    """
    keys = check_by(by, ENTITY_KEYS)
    require_columns(snapshots, ("channel_id", "day", "followers", *keys), "snapshots")
    window = resolve_period(period, tz)
    known = _snapshot_days(snapshots, window).filter(pl.col("followers").is_not_null())
    channel_keys = list(dict.fromkeys(("channel_id", *keys)))
    channels = snapshots.select(channel_keys).unique()
    per_channel = channels.join(
        known.group_by("channel_id").agg(
            pl.col("day").min().alias("start_day"),
            pl.col("day").max().alias("end_day"),
            pl.col("followers").sort_by("day").first().alias("followers_start"),
            pl.col("followers").sort_by("day").last().alias("followers_end"),
            pl.len().alias("n_snapshots"),
        ),
        on="channel_id",
        how="left",
    ).with_columns(pl.col("n_snapshots").fill_null(0))
    from .rates import group

    complete = pl.col("n_snapshots") >= 2
    result = group(
        per_channel,
        keys,
        [
            pl.len().alias("n_channels"),
            (~complete).sum().alias("n_channels_missing"),
            pl.col("start_day").min(),
            pl.col("end_day").max(),
            pl.col("followers_start").sum(),
            pl.col("followers_end").sum(),
        ],
    )
    ok = pl.col("n_channels_missing") == 0
    covers = pl.lit(value=True)
    if window is not None:
        covers = (pl.col("start_day") == window.first_day) & (pl.col("end_day") == window.last_day)
    growth = pl.col("followers_end") - pl.col("followers_start")
    return result.with_columns(
        pl.when(ok).then(pl.col("followers_start")).alias("followers_start"),
        pl.when(ok).then(pl.col("followers_end")).alias("followers_end"),
        pl.when(ok).then(growth).alias("growth_abs"),
        pl.when(ok & (pl.col("followers_start") > 0))
        .then(growth / pl.col("followers_start"))
        .alias("growth_pct"),
        (ok & covers).fill_null(value=False).alias("covers_period"),
        pl.when(~ok)
        .then(
            pl.format(
                "{} of {} channel(s) have fewer than 2 follower snapshots in the period",
                pl.col("n_channels_missing"),
                pl.col("n_channels"),
            )
        )
        .when(pl.col("followers_start") == 0)
        .then(pl.lit("no followers at the start: growth % undefined"))
        .otherwise(pl.lit(None, pl.String))
        .alias("reason"),
    )


def frequency_tradeoff(
    posts: pl.DataFrame,
    *,
    by: Sequence[str] = (),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
    engagement: Mapping[str, Sequence[str]] | None = None,
) -> pl.DataFrame:
    """Engagements per post and per day side by side, with posts per day.

    Per-post engagement falls as frequency rises while per-day totals stay flat or rise
    (metrics.md): group by ``week`` or ``month`` to see both move. Every calendar day of the
    bucket counts in ``n_days`` (days without posts too). Totals are null, with a reason,
    when any post lacks a counted action.
    """
    keys = check_by(by, (*ENTITY_KEYS, "day", "week", "month"))
    window = resolve_period(period, tz)
    frame = within(normalize_posts(posts), window, "published_at").with_columns(
        engagement_expr(engagement)
    )
    frame = with_calendar_keys(frame, (*keys, "day"), tz, "published_at")
    if window is not None:
        calendar = day_grid(window.first_day, window.last_day)
    elif frame.height:
        calendar = day_grid(frame["day"].min(), frame["day"].max())  # type: ignore[arg-type]
    else:
        calendar = pl.DataFrame(schema={"day": pl.Date})
    entity = [k for k in keys if k in ENTITY_KEYS]
    time_keys = [k for k in keys if k not in ENTITY_KEYS]
    calendar = with_calendar_keys(calendar, time_keys, tz, "day")
    from .rates import group

    buckets = group(calendar, time_keys, [pl.len().alias("n_days")])
    if entity:
        buckets = frame.select(entity).unique().join(buckets, how="cross")
    stats = group(
        frame,
        keys,
        [
            pl.len().alias("n_posts"),
            pl.col(ENGAGEMENT).is_null().sum().alias("n_missing_engagement"),
            pl.col(ENGAGEMENT).sum().alias("engagements_known"),
        ],
    )
    result = (
        buckets.join(stats, on=list(keys), how="left") if keys else buckets.hstack(stats)
    ).with_columns(pl.col("n_posts", "n_missing_engagement", "engagements_known").fill_null(0))
    complete = pl.col("n_missing_engagement") == 0
    total = pl.when(complete).then(pl.col("engagements_known"))
    return result.with_columns(
        pl.when(pl.col("n_days") > 0)
        .then(pl.col("n_posts") / pl.col("n_days"))
        .alias("posts_per_day"),
        total.alias("engagements"),
        pl.when(complete & (pl.col("n_posts") > 0))
        .then(pl.col("engagements_known") / pl.col("n_posts"))
        .alias("engagements_per_post"),
        pl.when(pl.col("n_days") > 0).then(total / pl.col("n_days")).alias("engagements_per_day"),
        pl.when(~complete)
        .then(pl.format("{} post(s) lack a counted action", pl.col("n_missing_engagement")))
        .when(pl.col("n_posts") == 0)
        .then(pl.lit("no posts: engagements per post undefined"))
        .otherwise(pl.lit(None, pl.String))
        .alias("reason"),
    ).sort(list(keys) or "n_days")


def active_audience_share(
    interactions: pl.DataFrame,
    snapshots: pl.DataFrame,
    *,
    by: Sequence[str] = ("channel_id",),
    period: tuple[PeriodBound, PeriodBound] | None = None,
    tz: str = "UTC",
) -> pl.DataFrame:
    """Distinct users who interacted in the period / followers at the period's last snapshot.

    ``interactions``: channel_id, user_id, occurred_at (aware). ``snapshots``: channel_id, day,
    followers plus any ``by`` column (channels are attributed through it). ``reference_low``
    and ``reference_high`` carry ACTIVE_SHARE_REFERENCES when grouping by network.
    """
    keys = check_by(by, ENTITY_KEYS)
    require_columns(interactions, ("channel_id", "user_id", "occurred_at"), "interactions")
    require_columns(snapshots, ("channel_id", "day", "followers", *keys), "snapshots")
    window = resolve_period(period, tz)
    from .rates import group

    events = within(require_aware(interactions, "occurred_at"), window, "occurred_at")
    attributes = snapshots.select(list(dict.fromkeys(("channel_id", *keys)))).unique("channel_id")
    latest = (
        _snapshot_days(snapshots, window)
        .filter(pl.col("followers").is_not_null())
        .group_by("channel_id")
        .agg(pl.col("followers").sort_by("day").last())
    )
    audience = group(
        attributes.join(latest, on="channel_id", how="left"),
        keys,
        [
            pl.col("followers").is_null().sum().alias("n_channels_missing"),
            pl.col("followers").sum(),
        ],
    )
    engaged = group(
        events.join(attributes, on="channel_id", how="inner"),
        keys,
        [pl.col("user_id").n_unique().alias("engaged_users")],
    )
    result = (
        audience.join(engaged, on=list(keys), how="left") if keys else audience.hstack(engaged)
    ).with_columns(pl.col("engaged_users").fill_null(0))
    usable = (pl.col("n_channels_missing") == 0) & (pl.col("followers") > 0)
    result = result.with_columns(
        pl.when(pl.col("n_channels_missing") == 0).then(pl.col("followers")).alias("followers"),
        pl.when(usable).then(pl.col("engaged_users") / pl.col("followers")).alias("value"),
        pl.when(pl.col("n_channels_missing") > 0)
        .then(pl.format("{} channel(s) have no follower snapshot", pl.col("n_channels_missing")))
        .when(~usable)
        .then(pl.lit("no followers: share undefined"))
        .otherwise(pl.lit(None, pl.String))
        .alias("reason"),
    )
    if "network" in keys:
        refs = pl.DataFrame(
            {
                "network": list(ACTIVE_SHARE_REFERENCES),
                "reference_low": [r.low for r in ACTIVE_SHARE_REFERENCES.values()],
                "reference_high": [r.high for r in ACTIVE_SHARE_REFERENCES.values()],
                "reference_source": [r.source for r in ACTIVE_SHARE_REFERENCES.values()],
            }
        ).with_columns(pl.col("network").cast(result.schema["network"]))
        result = result.join(refs, on="network", how="left")
    return result.sort(list(keys)) if keys else result
