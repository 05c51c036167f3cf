"""Content plan services: items, plan queries, regularity and mix per channel, import,
export and the iCalendar feed. No HTTP; callers own the transaction."""

from __future__ import annotations

import csv
import io
import secrets
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from hearth.audit import services as audit
from hearth.content import regularity as reg
from hearth.content.csv_import import COLUMNS, ChannelRef, PlanRow
from hearth.content.models import CalendarFeed, Channel, ContentItem, Rubric, Variant
from hearth.content.stats import MixRow, content_mix
from hearth.workspaces.models import hash_token
from hearth.workspaces.roles import Capability

VS = Variant.Status
ON_PLAN = [
    VS.DRAFT,
    VS.SUBMITTED,
    VS.APPROVED,
    VS.SCHEDULED,
    VS.PUBLISHING,
    VS.PUBLISHED,
    VS.UNCONFIRMED,
]
COUNTED = [VS.SCHEDULED, VS.PUBLISHING, VS.PUBLISHED]  # what counts toward the regularity score


def project_zone(project) -> ZoneInfo:
    return ZoneInfo(project.time_zone)


def create_item(
    access, user, project, *, channels, title, master_text="", planned_at=None, **fields
) -> ContentItem:
    """An item and one variant per channel, each starting from the master text."""
    access.require(Capability.DRAFT_CONTENT)
    task = fields.get("task")
    if task is not None and not access.can(Capability.VIEW) and task.assignee_id != user.pk:
        raise PermissionDenied("contractors write only for their own tasks")
    item = ContentItem.objects.create(
        project=project, title=title, master_text=master_text, author=user, **fields
    )
    for channel in channels:
        if channel.project_id != project.pk:
            raise PermissionDenied("channel of another project")
        Variant.objects.create(item=item, channel=channel, text=master_text, planned_at=planned_at)
    audit.record(
        access.workspace, user, "content.create", item, after={"channels": [c.pk for c in channels]}
    )
    return item


def plan_variants(project, first: date, last: date, filters: dict | None = None):
    """Variants shown on local days ``first`` … ``last``, filtered by channel, rubric,
    status and person (author)."""
    zone = project_zone(project)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(1), datetime.min.time(), tzinfo=zone).astimezone(UTC)
    qs = Variant.objects.filter(channel__project=project).select_related(
        "item", "item__rubric", "item__author", "channel"
    )
    from django.db.models import Q

    qs = qs.filter(
        Q(scheduled_at__gte=start, scheduled_at__lt=end)
        | Q(scheduled_at__isnull=True, planned_at__gte=start, planned_at__lt=end)
        | Q(published_at__gte=start, published_at__lt=end)
    )
    filters = filters or {}
    if filters.get("channel"):
        qs = qs.filter(channel_id=filters["channel"])
    if filters.get("rubric"):
        qs = qs.filter(item__rubric_id=filters["rubric"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("person"):
        qs = qs.filter(item__author_id=filters["person"])
    return qs


def _times(channel: Channel, statuses) -> list[datetime]:
    return [v.when for v in channel.variants.filter(status__in=statuses) if v.when is not None]


def channel_regularity(channel: Channel, start: date, days: int) -> reg.Regularity:
    return reg.regularity(_times(channel, COUNTED), channel.zone, start, days, channel.cadence)


def channel_gaps(channel: Channel, today: date, horizon_days: int = 14) -> list[str]:
    gaps = reg.coming_gaps(
        _times(channel, ON_PLAN), channel.zone, today, horizon_days, channel.cadence
    )
    return [reg.describe_gap(channel.name, first, last) for first, last in gaps]


def channel_mix(channel: Channel, first: date, last: date) -> list[MixRow]:
    rubric_names = dict(
        Rubric.objects.filter(project_id=channel.project_id).values_list("pk", "name")
    )
    targets = {
        rubric_names[int(k)]: float(v)
        for k, v in (channel.rubric_targets or {}).items()
        if str(k).isdigit() and int(k) in rubric_names
    }
    counts: Counter[str] = Counter()
    for v in plan_variants(channel.project, first, last, {"channel": channel.pk}):
        if v.status in ON_PLAN:
            counts[v.item.rubric.name if v.item.rubric else "—"] += 1
    return content_mix(targets, counts)


# --- CSV import and export --------------------------------------------------------------------


def import_lookups(project) -> tuple[dict[str, ChannelRef], set[str]]:
    channels: dict[str, ChannelRef] = {}
    for c in project.channels.all():
        ref = ChannelRef(c.pk, c.network)
        channels[c.name.lower()] = ref
        channels[str(c.pk)] = ref
    rubrics = {r.name.lower() for r in project.rubrics.all()}
    return channels, rubrics


def store_import(access, user, project, rows: list[PlanRow]) -> int:
    access.require(Capability.DRAFT_CONTENT)
    rubrics = {r.name.lower(): r for r in project.rubrics.all()}
    channels = {c.pk: c for c in project.channels.all()}
    for row in rows:
        item = ContentItem.objects.create(
            project=project,
            title=row.idea[:200],
            master_text=row.text,
            author=user,
            rubric=rubrics.get(row.rubric.lower()) if row.rubric else None,
        )
        Variant.objects.create(
            item=item,
            channel=channels[row.channel_id],
            text=row.text,
            title=row.title,
            link=row.link,
            hashtags=row.hashtags,
            first_comment=row.first_comment,
            planned_at=row.planned_at,
        )
    audit.record(access.workspace, user, "content.import", project, after={"rows": len(rows)})
    return len(rows)


def export_csv(project, variants) -> str:
    """The plan as CSV in the import's columns (times in the project's zone)."""
    zone = project_zone(project)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*COLUMNS, "status"])
    for v in variants:
        local = v.when.astimezone(zone) if v.when else None
        writer.writerow(
            [
                v.channel.name,
                f"{local:%Y-%m-%d}" if local else "",
                f"{local:%H:%M}" if local else "",
                v.text,
                v.item.title,
                v.item.rubric.name if v.item.rubric else "",
                v.title,
                v.link,
                v.hashtags,
                v.first_comment,
                v.status,
            ]
        )
    return out.getvalue()


# --- iCalendar feed -----------------------------------------------------------------------------


def issue_feed(access, user, project) -> str:
    """A new secret feed URL token (shown once); only its hash is stored."""
    access.require(Capability.SCHEDULE_CONTENT)
    raw = "cal_" + secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        project=project, token_hash=hash_token(raw), hint=raw[:8], created_by=user
    )
    audit.record(access.workspace, user, "calendar_feed.issue", feed)
    return raw


def revoke_feed(access, user, feed: CalendarFeed) -> None:
    access.require(Capability.SCHEDULE_CONTENT)
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(access.workspace, user, "calendar_feed.revoke", feed)


def feed_by_token(raw: str) -> CalendarFeed | None:
    return (
        CalendarFeed.objects.select_related("project")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )


def _ical_escape(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def _fold(line: str) -> list[str]:
    """RFC 5545 §3.1: lines longer than 75 octets continue on lines starting with a space."""
    out, current = [], ""
    for ch in line:
        limit = 75 if not out else 74
        if len((current + ch).encode("utf-8")) > limit:
            out.append(current)
            current = ch
        else:
            current += ch
    out.append(current)
    return [out[0], *(" " + part for part in out[1:])]


def ical(project, variants, now: datetime | None = None) -> str:
    stamp = f"{(now or timezone.now()).astimezone(UTC):%Y%m%dT%H%M%SZ}"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Hearth//content plan//EN",
        f"X-WR-CALNAME:{_ical_escape(project.name)}",
    ]
    for v in variants:
        if v.when is None:
            continue
        start = v.when.astimezone(UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:variant-{v.pk}@hearth",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{start + timedelta(minutes=15):%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ical_escape(f'[{v.channel.name}] {v.item.title}')}",
            f"DESCRIPTION:{_ical_escape(f'{v.get_status_display()}: {v.text[:500]}')}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))


# --- media library ------------------------------------------------------------------------------


def store_image(access, user, project, raw: bytes, original_name: str, storage=None):
    """Check, clean and store an uploaded image; raises ``images.ImageRejected``."""
    from hearth.content.images import clean_image
    from hearth.content.models import MediaAsset
    from hearth.content.storage import default_storage

    access.require(Capability.DRAFT_CONTENT)
    image = clean_image(raw)
    storage = storage or default_storage()
    stem = f"projects/{project.pk}/{image.sha256[:2]}/{image.sha256}"
    name = storage.save(f"{stem}.{image.extension}", image.data)
    thumbnail = storage.save(f"{stem}.thumb.jpg", image.thumbnail)
    asset = MediaAsset.objects.create(
        project=project,
        original_name=original_name[:200],
        name=name,
        thumbnail_name=thumbnail,
        kind=image.kind,
        mime=image.mime,
        width=image.width,
        height=image.height,
        size_bytes=len(image.data),
        sha256=image.sha256,
        uploaded_by=user,
    )
    audit.record(access.workspace, user, "media.upload", asset)
    return asset
