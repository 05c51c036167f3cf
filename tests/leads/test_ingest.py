"""Leads fed from the networks: the in-process sandbox (comments) and the scripted VK and
Bluesky fakes (likes and reposts). Expected values are computed by hand from what the fakes
were told to show, or read independently through the connection."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hearth.channels.models import ChannelAccount
from hearth.connectors.base import PublishRequest
from hearth.content.models import ContentItem, Variant
from hearth.leads.ingest import ingest_post_activity, ingest_project
from hearth.leads.models import InteractionEvent, Subscriber
from hearth.publishing.models import Delivery
from hearth.sandbox.connector import SANDBOX
from hearth.sandbox.inprocess import start_in_process
from tests.connectors.fakes.bluesky import APP_PASSWORD, HANDLE, PDS, FakeBluesky
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.vk import GROUP_ID, FakeVk
from tests.content.factories import make_channel

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
VK_CREDENTIALS = {"access_token": "access-1", "group_id": GROUP_ID}


def published(channel, external_id: str, at: datetime, text: str = "post") -> Variant:
    item = ContentItem.objects.create(project=channel.project, title=text, master_text=text)
    variant = Variant.objects.create(
        item=item, channel=channel, text=text, status=Variant.Status.PUBLISHED, published_at=at
    )
    Delivery.objects.create(variant=variant, external_id=external_id)
    return variant


def connect(channel, credentials) -> ChannelAccount:
    return ChannelAccount.objects.create(
        channel=channel, credentials=credentials, state=ChannelAccount.State.HEALTHY
    )


def events(project) -> set[tuple[str, str, datetime]]:
    rows = InteractionEvent.objects.filter(subscriber__project=project)
    return set(rows.values_list("subscriber__external_id", "kind", "at"))


def first_seen(project) -> dict[str, datetime]:
    rows = Subscriber.objects.filter(project=project)
    return dict(rows.values_list("external_id", "first_seen"))


def vk_comment(comment_id: int, from_id: int, at: datetime, **extra) -> dict:
    return {
        "id": comment_id,
        "from_id": from_id,
        "date": int(at.timestamp()),
        "text": "hi",
        **extra,
    }


def vk_profile(user_id: int) -> dict:
    return {"type": "profile", "id": user_id, "first_name": "U", "last_name": str(user_id)}


# --- sandbox: comments ---------------------------------------------------------------------


@pytest.fixture
def clock():
    return FakeClock(T0)


@pytest.fixture
def sandbox(clock):
    with start_in_process(clock=clock) as box:
        yield box


def all_comments(connection, post_id: str) -> list:
    found, cursor = [], None
    while True:
        page = connection.list_comments(post_id, cursor)
        found.extend(page.items)
        if not page.next_cursor:
            return found
        cursor = page.next_cursor


def test_sandbox_commenters_become_subscribers_idempotently(project, sandbox, clock):
    channel = make_channel(project, network="sandbox")
    credentials = sandbox.create_account(
        "coach", followers=60_000, token_ttl_seconds=30 * 86400
    )  # one token for the reader and the stored channel: no rotation between them
    connect(channel, credentials)
    reader = SANDBOX.connect(credentials, http=sandbox.client(), clock=clock)
    post = reader.publish(PublishRequest("Morning class at 7", idempotency_key="v-1"))
    variant = published(channel, post.id, T0)
    clock.now = T0 + timedelta(days=3)
    comments = all_comments(reader, post.id)
    reader.reply(comments[0].id, "Thank you!", idempotency_key="r-1")  # ours: not a lead
    audience = [c for c in comments if c.author_id != str(credentials["account_id"])]
    assert len(audience) > 20  # enough to span two pages of 20

    report = ingest_project(project, sandbox.client(), clock, since=T0 - timedelta(days=1))

    expected = {(c.author_id, "comment", c.created_at) for c in audience}
    assert events(project) == expected
    assert report.posts == 1 and report.seen["comment"] == len(audience)
    assert report.events_created == len(expected)
    assert report.subscribers_created == len({c.author_id for c in audience})
    earliest: dict[str, datetime] = {}
    for c in audience:
        earliest[c.author_id] = min(earliest.get(c.author_id, c.created_at), c.created_at)
    assert first_seen(project) == earliest
    assert str(credentials["account_id"]) not in first_seen(project)
    # the sandbox lists no likers: reported, not failed
    assert any("likes not read" in note for note in report.notes)

    again = ingest_post_activity(variant, reader, clock.now + timedelta(seconds=1))
    assert (again.subscribers_created, again.events_created) == (0, 0)
    assert events(project) == expected


# --- VK: comments, likes, reposts --------------------------------------------------------------


@pytest.fixture
def vk(project):
    fake = FakeVk()
    channel = make_channel(project, network="vk")
    connect(channel, VK_CREDENTIALS)
    return fake, channel


def test_vk_comments_likes_and_reposts_are_stored_once(project, vk):
    fake, channel = vk
    commented = T0 - timedelta(hours=20)
    fake.comments[42] = [vk_comment(1, 5, commented), vk_comment(2, -GROUP_ID, commented)]
    fake.engagers[42] = {
        "likes": [vk_profile(5), vk_profile(8)],
        "copies": [vk_profile(9), {"type": "group", "id": 31, "name": "Runners"}],
    }
    published(channel, "42", T0 - timedelta(days=1))
    clock = FakeClock(T0)
    stamp = T0

    report = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=2))

    assert events(project) == {
        ("5", "comment", commented),
        ("5", "like", stamp),
        ("8", "like", stamp),
        ("9", "share", stamp),
        ("-31", "share", stamp),
    }
    assert first_seen(project) == {"5": commented, "8": stamp, "9": stamp, "-31": stamp}
    assert (report.subscribers_created, report.events_created) == (4, 5)
    assert dict(report.seen) == {"comment": 1, "like": 2, "share": 2}

    clock.now = T0 + timedelta(hours=6)  # a later run sees the same likes: nothing changes
    again = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=2))
    assert (again.subscribers_created, again.events_created) == (0, 0)
    assert again.seen == report.seen
    assert len(events(project)) == 5

    fake.engagers[42]["likes"].append(vk_profile(10))  # a new like, first seen now
    third = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=2))
    assert (third.subscribers_created, third.events_created) == (1, 1)
    later = clock.now
    assert ("10", "like", later) in events(project)
    assert first_seen(project)["10"] == later and first_seen(project)["5"] == commented


def test_an_older_action_seen_later_moves_first_seen_earlier(project, vk):
    fake, channel = vk
    fake.engagers[42] = {"likes": [vk_profile(5)]}
    published(channel, "42", T0 - timedelta(days=1))
    clock = FakeClock(T0)
    ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=2))
    assert first_seen(project) == {"5": T0}
    commented = T0 - timedelta(hours=12)  # e.g. the comment listing was rate limited before
    fake.comments[42] = [vk_comment(1, 5, commented)]
    clock.now += timedelta(hours=1)
    report = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=2))
    assert (report.subscribers_created, report.events_created) == (0, 1)
    assert first_seen(project) == {"5": commented}


def test_vk_likes_over_several_pages_are_all_counted(project, vk):
    fake, channel = vk
    fake.engagers[42] = {"likes": [vk_profile(1000 + n) for n in range(230)]}
    published(channel, "42", T0)
    report = ingest_project(project, fake.client(), FakeClock(T0), since=T0)
    likes = [c for c in fake.calls if c.params.get("filter") == "likes"]
    assert [c.params["offset"] for c in likes] == [
        "0",
        "100",
        "200",
    ]
    assert report.seen["like"] == 230 and report.events_created == 230
    assert Subscriber.objects.filter(project=project, network="vk").count() == 230


def test_one_person_liking_two_posts_seen_in_one_run_makes_two_likes(project, vk):
    fake, channel = vk
    fake.engagers[42] = {"likes": [vk_profile(5)]}
    fake.engagers[43] = {"likes": [vk_profile(5)]}
    published(channel, "42", T0 - timedelta(hours=2))
    published(channel, "43", T0 - timedelta(hours=1))
    clock = FakeClock(T0)
    ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=1))
    clock.now += timedelta(days=1)
    ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=1))
    likes = InteractionEvent.objects.filter(subscriber__project=project, kind="like")
    assert sorted(likes.values_list("post_ref", "at")) == [("42", T0), ("43", T0)]


def test_a_rate_limited_channel_is_noted_and_stores_nothing_of_that_post(project, vk):
    fake, channel = vk
    fake.engagers[42] = {"likes": [vk_profile(5)]}
    published(channel, "42", T0)
    rate_limited = {"error": {"error_code": 6, "error_msg": "Too many requests per second"}}
    fake.enqueue("likes.getList", httpx.Response(200, json=rate_limited))
    report = ingest_project(project, fake.client(), FakeClock(T0), since=T0)
    assert report.posts == 0 and events(project) == set()
    assert any("RateLimited" in note for note in report.notes)


def test_only_published_variants_since_the_date_with_a_post_id_are_read(project, vk):
    fake, channel = vk
    fake.engagers[42] = {"likes": [vk_profile(5)]}
    fake.engagers[41] = {"likes": [vk_profile(6)]}
    published(channel, "42", T0)
    published(channel, "41", T0 - timedelta(days=10))  # before `since`
    published(channel, "", T0)  # never reached the network
    report = ingest_project(project, fake.client(), FakeClock(T0), since=T0 - timedelta(days=1))
    assert report.posts == 1
    assert set(first_seen(project)) == {"5"}


# --- Bluesky: dated likes, undated reposts ------------------------------------------------------


def test_bluesky_likes_keep_their_own_time_and_reposts_get_first_sight(project):
    fake = FakeBluesky(token_expiry=T0 + timedelta(hours=2))
    channel = make_channel(project, network="bluesky")
    connect(channel, {"identifier": HANDLE, "app_password": APP_PASSWORD, "pds_url": PDS})
    uri = "at://did:plc:hearth/app.bsky.feed.post/3kabc"
    liked = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    fake.likes[uri] = [
        {"actor": {"did": "did:plc:ann", "handle": "ann.test"}, "createdAt": "2026-03-01T09:30Z"},
        {"actor": {"did": "did:plc:hearth", "handle": HANDLE}, "createdAt": "2026-03-01T09:31Z"},
    ]
    fake.reposts[uri] = [{"did": "did:plc:ann", "handle": "ann.test"}]
    published(channel, uri, T0 - timedelta(hours=4))
    clock = FakeClock(T0)

    report = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=1))

    stamp = T0
    assert events(project) == {("did:plc:ann", "like", liked), ("did:plc:ann", "share", stamp)}
    assert first_seen(project) == {"did:plc:ann": liked}  # our own like is not a lead
    assert report.events_created == 2 and report.seen["like"] == 1
    # the fake PDS has no thread for the post: zero comments, no failure
    assert report.seen["comment"] == 0

    clock.now += timedelta(hours=3)
    again = ingest_project(project, fake.client(), clock, since=T0 - timedelta(days=1))
    assert (again.subscribers_created, again.events_created) == (0, 0)


# --- networks without per-user activity ----------------------------------------------------------


def test_telegram_is_reported_as_not_supported_not_failed(project):
    channel = make_channel(project, network="telegram")
    connect(channel, {"bot_token": "123:abc", "chat_id": "@coach"})
    published(channel, "17", T0)

    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"no call expected, got {request.url}")

    http = httpx.Client(transport=httpx.MockTransport(no_network))
    report = ingest_project(project, http, FakeClock(T0), since=T0)

    assert report.posts == 1 and report.events_created == 0
    assert any(n.startswith("telegram: comments not read") for n in report.notes)
    assert any(n.startswith("telegram: likes not read") for n in report.notes)
    assert any(n.startswith("telegram: reposts not read") for n in report.notes)
    assert Subscriber.objects.filter(project=project).count() == 0


def test_naive_now_is_refused(project, vk):
    _fake, channel = vk
    variant = published(channel, "42", T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        ingest_post_activity(variant, None, datetime(2026, 3, 1, 12, 0))
