"""Writing measurements: the one place that keeps PostFacts' latest counts in step with the
snapshots, so connector pulls, imports and the demo all store the same way (idempotently)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from hearth.metrics.models import COUNT_FIELDS, ChannelSnapshot, PostFacts, PostMetricSnapshot

Counts = Mapping[str, int | None]


def facts_for(variant, *, external_id: str = "") -> PostFacts:
    facts, created = PostFacts.objects.get_or_create(
        variant=variant, defaults={"channel_id": variant.channel_id, "external_id": external_id}
    )
    if external_id and not created and facts.external_id != external_id:
        facts.external_id = external_id
        facts.save(update_fields=["external_id"])
    return facts


def followers_before(channel, day: date) -> int | None:
    """The channel's follower level on the latest snapshot day on or before ``day``."""
    snapshot = (
        ChannelSnapshot.objects.filter(channel=channel, day__lte=day, followers__isnull=False)
        .order_by("-day")
        .first()
    )
    return None if snapshot is None else snapshot.followers


def record_post_snapshot(
    variant,
    taken_at: datetime,
    counts: Counts,
    source: str,
    *,
    followers_at_post: int | None = None,
    followers_source: str = "",
    external_id: str = "",
) -> tuple[PostMetricSnapshot, bool]:
    """Store the counts of ``variant`` at ``taken_at``; same instant again → same row.

    Returns (snapshot, changed): ``changed`` is False when an identical snapshot was there.
    """
    if taken_at.tzinfo is None:
        raise ValueError("taken_at must be timezone-aware")
    if variant.published_at is None:
        raise ValueError(f"variant {variant.pk} has no published_at: nothing to measure yet")
    unknown = set(counts) - set(COUNT_FIELDS)
    if unknown:
        raise ValueError(f"unknown count(s): {sorted(unknown)}")
    values = {name: counts.get(name) for name in COUNT_FIELDS}
    for name, value in values.items():
        if value is not None and value < 0:
            raise ValueError(f"{name} is negative ({value})")
    age = (taken_at - variant.published_at).total_seconds() / 3600
    snapshot = PostMetricSnapshot.objects.filter(variant=variant, taken_at=taken_at).first()
    changed = True
    if snapshot is None:
        snapshot = PostMetricSnapshot.objects.create(
            variant=variant, taken_at=taken_at, age_hours=age, source=source, **values
        )
    elif all(getattr(snapshot, k) == v for k, v in values.items()):
        changed = False
    else:
        for name, value in values.items():
            setattr(snapshot, name, value)
        snapshot.source = source
        snapshot.save()
    facts = facts_for(variant, external_id=external_id)
    dirty: list[str] = []
    if facts.followers_at_post is None and followers_at_post is not None:
        facts.followers_at_post, facts.followers_source = followers_at_post, followers_source
        dirty += ["followers_at_post", "followers_source"]
    newest = facts.latest_taken_at is None or taken_at >= facts.latest_taken_at
    if newest and (facts.latest_taken_at != taken_at or changed):
        facts.latest_taken_at = taken_at
        for name, value in values.items():
            setattr(facts, name, value)
        dirty += ["latest_taken_at", *COUNT_FIELDS]
    if dirty:
        facts.save(update_fields=dirty)
    return snapshot, changed


def record_channel_day(
    channel, day: date, taken_at: datetime, source: str, **counts: int | None
) -> tuple[ChannelSnapshot, str]:
    """Store a channel's day; a later reading of the same day replaces the earlier one.

    Only the counts given are written: a followers pull does not erase an imported reach.
    Returns the row and what happened: ``created``, ``updated`` or ``unchanged``.
    """
    allowed = {"followers", "reach", "impressions", "views"}
    if set(counts) - allowed:
        raise ValueError(f"unknown channel count(s): {sorted(set(counts) - allowed)}")
    snapshot = ChannelSnapshot.objects.filter(channel=channel, day=day).first()
    if snapshot is None:
        snapshot = ChannelSnapshot.objects.create(
            channel=channel, day=day, taken_at=taken_at, source=source, **counts
        )
        return snapshot, "created"
    if all(getattr(snapshot, k) == v for k, v in counts.items()):
        return snapshot, "unchanged"
    for name, value in counts.items():
        setattr(snapshot, name, value)
    snapshot.taken_at, snapshot.source = max(taken_at, snapshot.taken_at), source
    snapshot.save()
    return snapshot, "updated"
