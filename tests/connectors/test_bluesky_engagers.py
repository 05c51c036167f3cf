"""Contract tests of Bluesky's list_engagers (getLikes, getRepostedBy) against a fake PDS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hearth.connectors.base import Capability
from hearth.connectors.bluesky import BLUESKY
from hearth.connectors.errors import RateLimited, Validation
from tests.connectors.fakes.bluesky import APP_PASSWORD, HANDLE, PDS, FakeBluesky, xrpc_error
from tests.connectors.fakes.core import FakeClock

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
POST = "at://did:plc:hearth/app.bsky.feed.post/3kabc"


def actor(n: int) -> dict:
    return {"did": f"did:plc:fan{n}", "handle": f"fan{n}.test", "displayName": f"Fan {n}"}


def like(n: int, created: str) -> dict:
    return {"actor": actor(n), "createdAt": created, "indexedAt": "2026-03-01T12:00:00.000Z"}


@pytest.fixture
def fake() -> FakeBluesky:
    return FakeBluesky(token_expiry=NOW + timedelta(hours=2))


@pytest.fixture
def conn(fake):
    clock = FakeClock(NOW)
    creds = {"identifier": HANDLE, "app_password": APP_PASSWORD, "pds_url": PDS}
    return BLUESKY.connect(creds, http=fake.client(), clock=clock, sleep=clock.sleep)


def collect(conn, kind: str) -> list:
    items, cursor = [], None
    while True:
        page = conn.list_engagers(POST, kind, cursor)
        items.extend(page.items)
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


def test_bluesky_declares_the_capability():
    assert BLUESKY.supports(Capability.LIST_ENGAGERS)


def test_likes_carry_the_actor_did_handle_and_the_like_time(conn, fake):
    fake.likes[POST] = [like(1, "2026-02-28T10:15:00.000Z"), like(2, "2026-02-28T11:00:00+03:00")]
    page = conn.list_engagers(POST, "like")
    call = fake.last("app.bsky.feed.getLikes")
    assert (call.params["uri"], call.params["limit"]) == (POST, "100")
    assert [(e.user_id, e.name, e.kind, e.at) for e in page.items] == [
        ("did:plc:fan1", "fan1.test", "like", datetime(2026, 2, 28, 10, 15, tzinfo=UTC)),
        ("did:plc:fan2", "fan2.test", "like", datetime(2026, 2, 28, 8, 0, tzinfo=UTC)),
    ]
    assert page.next_cursor is None


def test_reposts_come_from_get_reposted_by_without_a_time(conn, fake):
    fake.reposts[POST] = [actor(7)]
    page = conn.list_engagers(POST, "repost")
    assert fake.routes()[-1] == "app.bsky.feed.getRepostedBy"
    assert [(e.user_id, e.name, e.kind, e.at) for e in page.items] == [
        ("did:plc:fan7", "fan7.test", "repost", None)
    ]


def test_cursor_is_passed_back_until_the_last_page(conn, fake):
    fake.reposts[POST] = [actor(n) for n in range(230)]
    items = collect(conn, "repost")
    calls = [c for c in fake.calls if c.route == "app.bsky.feed.getRepostedBy"]
    assert [c.params.get("cursor") for c in calls] == [None, "c100", "c200"]
    assert [e.user_id for e in items] == [f"did:plc:fan{n}" for n in range(230)]


def test_a_malformed_like_time_is_treated_as_unknown(conn, fake):
    fake.likes[POST] = [like(3, "yesterday")]
    (engager,) = conn.list_engagers(POST, "like").items
    assert engager.user_id == "did:plc:fan3" and engager.at is None


def test_unknown_kind_is_refused_before_any_call(conn, fake):
    with pytest.raises(Validation):
        conn.list_engagers(POST, "comment")
    assert not [c for c in fake.calls if c.route.startswith("app.bsky.feed")]


def test_rate_limit_maps_to_rate_limited(conn, fake):
    reset = str(int((NOW + timedelta(seconds=30)).timestamp()))
    fake.enqueue(
        "app.bsky.feed.getLikes",
        xrpc_error(429, "RateLimitExceeded", "slow down", {"RateLimit-Reset": reset}),
    )
    with pytest.raises(RateLimited) as caught:
        conn.list_engagers(POST, "like")
    assert caught.value.retry_after == timedelta(seconds=30)
