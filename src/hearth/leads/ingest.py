"""Feeding the leads tables from the networks: who commented, liked and reposted our posts.

For one published variant (its ``Delivery.external_id``) the connection is read page by page
— comments (``list_comments``) and, where the network lists them, likes and reposts
(``list_engagers``) — and every author becomes a `Subscriber` (project, channel's network,
the network's user id) with an `InteractionEvent` per action: comment, like, share.

Idempotency rests on the natural keys of the leads tables: a subscriber is (project, network,
external id); an event read from a network also carries the network's post id (``post_ref``).
A comment has its own time. A like or repost usually has none (VK never says when; Bluesky
dates likes but not reposts): such an action is stamped with the moment Hearth first saw it,
the ``now`` of that run, and is unique per (subscriber, kind, post) — so a later run does not
add it again, and one person's likes of two posts stay two events.

Network reads happen first, outside any transaction; each post's writes are then atomic
(a savepoint inside the caller's transaction, if any), so a failure half-way through a post
stores nothing of it. Connector errors other than `NotSupported` propagate from
`ingest_post_activity`; `ingest_project` notes them and moves on to the next channel.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import httpx
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from hearth.connectors.base import ENGAGER_KINDS, CommentPage, Connection, EngagerPage
from hearth.connectors.errors import ConnectorError, NotFound, NotSupported
from hearth.leads.models import EventKind, InteractionEvent, Subscriber

MAX_PAGES = 500  # a network that keeps handing out cursors must not hold a worker forever
ENGAGER_EVENT = {"like": EventKind.LIKE, "repost": EventKind.SHARE}
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Sighting:
    external_id: str
    kind: str  # an EventKind value
    at: datetime | None  # None: the network gave no time (stamped at first sight)


@dataclass
class IngestReport:
    """What one run read and stored; ``seen`` counts actions read, by event kind."""

    posts: int = 0
    seen: Counter[str] = field(default_factory=Counter)
    subscribers_created: int = 0
    events_created: int = 0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:  # one "not supported" line per network, not per post
            self.notes.append(text)

    def add(self, other: IngestReport) -> None:
        self.posts += other.posts
        self.seen.update(other.seen)
        self.subscribers_created += other.subscribers_created
        self.events_created += other.events_created
        for text in other.notes:
            self.note(text)


# --- one post ---------------------------------------------------------------------------


def ingest_post_activity(variant, connection: Connection, now: datetime) -> IngestReport:
    """Read the comments, likes and reposts of one published variant and store them.

    The time of a like or repost is the network's when it gives one (Bluesky likes);
    otherwise it is the first time Hearth saw it — ``now`` on first sight, kept on re-runs
    (see the module docstring for how). Re-running changes nothing unless the network
    shows new activity. Operations the network does not offer (`NotSupported`) are noted
    in the report, not raised.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    report = IngestReport()
    post_id = _post_id(variant)
    if not post_id:
        report.note(f"variant {variant.pk}: no network post id; skipped")
        return report
    network = variant.channel.network
    sightings = _read_activity(connection, post_id, network, report)
    report.posts = 1
    report.seen.update(s.kind for s in sightings)
    with transaction.atomic():
        created_subscribers, created_events = _store(
            variant.channel.project, network, post_id, sightings, now, variant.published_at
        )
    report.subscribers_created = created_subscribers
    report.events_created = created_events
    return report


def _post_id(variant) -> str:
    try:
        return variant.delivery.external_id or ""
    except ObjectDoesNotExist:
        return ""


def _own_ids(connection: Connection) -> set[str]:
    """Ids under which our own account appears (our replies are not a lead's activity)."""
    credentials = connection.credentials
    own = {str(credentials[k]) for k in ("account_id", "did", "user_id") if credentials.get(k)}
    if credentials.get("group_id"):  # VK: the community writes as the negative group id
        own.add(str(-abs(int(credentials["group_id"]))))
    return own


def _paged(
    fetch: Callable[[str | None], CommentPage | EngagerPage], report: IngestReport, what: str
) -> Iterator:
    cursor: str | None = None
    for _ in range(MAX_PAGES):
        page = fetch(cursor)
        yield from page.items
        following = page.next_cursor
        if not following or following == cursor:
            return
        cursor = following
    report.note(f"{what}: stopped after {MAX_PAGES} pages")


def _read_activity(
    connection: Connection, post_id: str, network: str, report: IngestReport
) -> list[Sighting]:
    sightings: list[Sighting] = []
    try:
        for comment in _paged(
            partial(connection.list_comments, post_id), report, f"{network} comments"
        ):
            sightings.append(Sighting(comment.author_id, EventKind.COMMENT, comment.created_at))
    except NotSupported as exc:
        report.note(f"{network}: comments not read ({exc.message})")
    for kind in ENGAGER_KINDS:
        try:
            listing = partial(connection.list_engagers, post_id, kind)
            for engager in _paged(listing, report, f"{network} {kind}s"):
                sightings.append(Sighting(engager.user_id, ENGAGER_EVENT[kind], engager.at))
        except NotSupported as exc:
            report.note(f"{network}: {kind}s not read ({exc.message})")
    # Read our own ids only now: a session (Bluesky's DID) may have been opened by the reads.
    own = _own_ids(connection)
    return [s for s in sightings if s.external_id and s.external_id not in own]


# --- storing ------------------------------------------------------------------------------


def _store(
    project,
    network: str,
    post_id: str,
    sightings: list[Sighting],
    now: datetime,
    published_at: datetime | None,
) -> tuple[int, int]:
    if not sightings:
        return 0, 0
    ids, created_subscribers = _upsert_subscribers(project, network, sightings, now)
    wanted: dict[tuple[int, str, datetime | None], None] = {}
    for s in sightings:
        wanted[(ids[s.external_id], s.kind, s.at)] = None
    events = InteractionEvent.objects.filter(subscriber_id__in=ids.values())
    before = events.count()
    # Both natural keys (time-and-post, and one like/share per post) make a re-run a no-op.
    InteractionEvent.objects.bulk_create(
        [
            InteractionEvent(subscriber_id=sub, kind=kind, at=at or now, post_ref=post_id)
            for sub, kind, at in wanted
        ],
        ignore_conflicts=True,
    )
    return created_subscribers, events.count() - before


def _upsert_subscribers(
    project, network: str, sightings: list[Sighting], stamp: datetime
) -> tuple[dict[str, int], int]:
    """Create the unknown authors; move ``first_seen`` earlier when an older action shows up."""
    earliest: dict[str, datetime] = {}
    for s in sightings:
        at = s.at or stamp
        if s.external_id not in earliest or at < earliest[s.external_id]:
            earliest[s.external_id] = at
    mine = Subscriber.objects.filter(project=project, network=network)
    existing = {
        ext: (pk, first_seen)
        for ext, pk, first_seen in mine.filter(external_id__in=earliest).values_list(
            "external_id", "pk", "first_seen"
        )
    }
    Subscriber.objects.bulk_create(
        [
            Subscriber(project=project, network=network, external_id=ext, first_seen=at)
            for ext, at in earliest.items()
            if ext not in existing
        ],
        ignore_conflicts=True,  # another worker may have created the same author meanwhile
    )
    for ext, (pk, first_seen) in existing.items():
        if earliest[ext] < first_seen:
            Subscriber.objects.filter(pk=pk, first_seen__gt=earliest[ext]).update(
                first_seen=earliest[ext]
            )
    ids = dict(mine.filter(external_id__in=earliest).values_list("external_id", "pk"))
    return ids, len(ids) - len(existing)


# --- a whole project ---------------------------------------------------------------------


def ingest_project(project, http: httpx.Client, clock: Clock, since: datetime) -> IngestReport:
    """Ingest every variant published since ``since`` on the project's connected channels.

    One connection per channel. A channel needing reconnection is skipped with a note; a
    deleted post (`NotFound`) is noted and the next post read; any other connector error
    (rate limit, quota, revoked token…) is noted and ends that channel's run — the next
    upkeep run starts over, and the natural keys make that safe.
    """
    from hearth.channels.models import ChannelAccount
    from hearth.channels.services import connection_for, persist_credentials
    from hearth.content.models import Variant

    if since.tzinfo is None:
        raise ValueError("since must be timezone-aware")
    report = IngestReport()
    variants = (
        Variant.objects.filter(
            channel__project=project,
            status=Variant.Status.PUBLISHED,
            published_at__gte=since,
            channel__account__isnull=False,
            delivery__isnull=False,
        )
        .exclude(delivery__external_id="")
        .select_related("channel", "channel__account", "channel__project", "delivery")
        .order_by("channel_id", "published_at", "pk")
    )
    for channel, posts in itertools.groupby(variants, key=lambda v: v.channel):
        account = channel.account
        if account.state == ChannelAccount.State.NEEDS_RECONNECT:
            report.note(f"{channel.name} ({channel.network}): needs reconnect; skipped")
            continue
        connection = connection_for(account, http=http, clock=clock)
        try:
            for variant in posts:
                try:
                    report.add(ingest_post_activity(variant, connection, clock()))
                except NotFound as exc:
                    report.note(f"{channel.name}: post {variant.delivery.external_id} gone ({exc})")
                except ConnectorError as exc:
                    report.note(
                        f"{channel.name} ({channel.network}): stopped on "
                        f"{type(exc).__name__}: {exc}"
                    )
                    break
        finally:
            persist_credentials(account, connection)  # keep a session refreshed meanwhile
    return report
