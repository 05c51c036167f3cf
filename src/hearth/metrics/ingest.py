"""Pulling metrics through a connector Connection (hearth.connectors.base).

The lead's scheduler decides *when* (e.g. at 1 h, 6 h, 24 h, 72 h and 7 days after posting,
then daily for follower counts) and builds the Connection; these functions only read the
network once and store the answer. Each call is idempotent for a given ``now``.
Connector errors (RateLimited, AuthExpired, NotFound…) propagate unchanged: the scheduler
owns retries and backoff.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ObjectDoesNotExist

from hearth.metrics.frames import local_today
from hearth.metrics.models import ChannelSnapshot, PostMetricSnapshot, Source
from hearth.metrics.recording import (
    facts_for,
    followers_before,
    record_channel_day,
    record_post_snapshot,
)


def external_post_id(variant) -> str | None:
    """The network's id of the post: the metrics facts row, else the publishing delivery."""
    facts = getattr(variant, "metric_facts", None) if variant.pk else None
    if facts is not None and facts.external_id:
        return facts.external_id
    try:
        delivery = variant.delivery  # set by hearth.publishing when it is installed
    except (ObjectDoesNotExist, AttributeError):
        return None
    return getattr(delivery, "external_id", None) or None


def pull_post_metrics(
    variant, connection, now: datetime, *, post_id: str | None = None
) -> PostMetricSnapshot:
    """Read the post's counts now and store them as a snapshot taken at ``now``.

    ``PostMetrics.reposts`` is stored as shares; counts the network does not expose stay
    null. Followers at posting time: the network's own figure when it reports one
    (``raw.metrics.followers_at_post``), else the channel's snapshot on or before the
    post's local publishing day.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    post_id = post_id or external_post_id(variant)
    if not post_id:
        raise ValueError(f"variant {variant.pk} has no network post id to read metrics for")
    metrics = connection.post_metrics(post_id)
    counts = {
        "views": metrics.views,
        "likes": metrics.likes,
        "comments": metrics.comments,
        "shares": metrics.reposts,
    }
    followers, source = _followers_at_post(variant, metrics.raw)
    snapshot, _changed = record_post_snapshot(
        variant,
        now,
        counts,
        Source.CONNECTOR,
        followers_at_post=followers,
        followers_source=source,
        external_id=post_id,
    )
    return snapshot


def _followers_at_post(variant, raw) -> tuple[int | None, str]:
    reported = ((raw or {}).get("metrics") or {}).get("followers_at_post")
    if isinstance(reported, int) and reported >= 0:
        return reported, "network"
    day = local_today(variant.channel.project, variant.published_at)
    found = followers_before(variant.channel, day)
    return found, "snapshot" if found is not None else ""


def pull_channel_snapshot(channel, connection, now: datetime) -> ChannelSnapshot:
    """Store the channel's follower count for today (project time zone); a later pull the
    same day replaces the earlier reading."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    followers = int(connection.follower_count())
    day = local_today(channel.project, now)
    snapshot, _status = record_channel_day(channel, day, now, Source.CONNECTOR, followers=followers)
    return snapshot


def link_external_id(variant, external_id: str) -> None:
    """Record the network's id of a variant published outside the engine (or before it)."""
    facts_for(variant, external_id=external_id)
