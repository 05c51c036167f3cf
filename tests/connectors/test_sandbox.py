"""Contract tests of the sandbox connector against the real sandbox app, in-process."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hearth.connectors import registry
from hearth.connectors.base import Capability, Idempotency, MediaFile, PublishRequest
from hearth.connectors.errors import (
    Ambiguous,
    AuthRevoked,
    Duplicate,
    NotFound,
    PermissionDenied,
    RateLimited,
    Transient,
    Validation,
)
from hearth.sandbox.connector import SANDBOX
from hearth.sandbox.engagement import engagement_at
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.sandbox import HANDLE, connect, start_fake_sandbox

PNG = MediaFile(b"\x89PNG\r\n\x1a\nnot-really", "image/png", "a.png", alt="A bright gym")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock):
    with start_fake_sandbox(clock) as running:
        yield running


@pytest.fixture
def creds(sandbox):
    return sandbox.create_account(HANDLE, followers=4000, follower_growth_per_day=0.0)


@pytest.fixture
def conn(sandbox, clock, creds):
    return connect(sandbox, clock, creds)


def request(text: str = "Morning class at 7", key: str = "variant-1") -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key)


def posts_stored(sandbox) -> int:
    return sandbox.admin.stats()["totals"]["posts"]


def test_registered_with_mastodon_rules_and_a_24_hour_key():
    assert registry.get_provider("sandbox") is SANDBOX
    assert SANDBOX.rules.text_limit == 500 and SANDBOX.rules.url_length == 23
    assert SANDBOX.idempotency is Idempotency.REQUEST_KEY
    assert SANDBOX.idempotency_window == timedelta(hours=24)
    assert SANDBOX.supports(Capability.REFRESH) and SANDBOX.supports(Capability.RECONCILE)


def test_publish_reads_back_and_metrics_grow_with_the_clock(conn, clock, sandbox):
    published = clock.now
    post = conn.publish(request())
    assert post.url == f"{sandbox.base_url}/@{HANDLE}/{post.id}" and post.raw["sandbox"] is True
    assert conn.post_metrics(post.id).views == 0
    readings = []
    for hours in (1, 6, 48):
        clock.now += timedelta(hours=hours)
        metrics = conn.post_metrics(post.id)
        expected = engagement_at(int(post.id), 4000, clock.now - published)
        assert (metrics.views, metrics.likes, metrics.reposts, metrics.comments) == (
            expected.views,
            expected.likes,
            expected.shares,
            expected.comments,
        )
        readings.append(metrics)
    assert readings[0].views < readings[1].views < readings[2].views
    assert conn.post_metrics(post.id) == readings[2]  # a second read at the same moment


def test_idempotency_key_replay_returns_the_same_post_and_stores_one(conn, sandbox):
    first = conn.publish(request())
    second = conn.publish(request())
    assert second.id == first.id and second.replayed and not first.replayed
    assert posts_stored(sandbox) == 1


def test_same_key_with_another_text_is_a_duplicate_naming_the_first_post(conn):
    first = conn.publish(request())
    with pytest.raises(Duplicate) as info:
        conn.publish(request(text="Something else"))
    assert info.value.existing.id == first.id
    assert info.value.vendor_code == "idempotency_conflict"


def test_timeout_after_accepting_then_reconciliation_finds_the_post(sandbox, clock, creds):
    sandbox.admin.inject_fault("timeout_after_accept", stall_seconds=30)
    impatient = connect(sandbox, clock, creds, timeout=0.05)
    started = clock.now
    with pytest.raises(Ambiguous) as info:
        impatient.publish(request())
    assert info.value.may_have_applied
    found = impatient.find_recent(request(), since=started)
    assert found is not None and found.raw["text"] == "Morning class at 7"
    assert impatient.publish(request()).id == found.id  # the key replays it, too
    assert posts_stored(sandbox) == 1


def test_find_recent_ignores_other_texts_and_older_posts(conn, clock):
    conn.publish(request("Old news", key="a"))
    clock.now += timedelta(hours=1)
    assert conn.find_recent(request("Old news"), since=clock.now) is None
    assert conn.find_recent(request("Never posted")) is None


def test_injected_429_gives_retry_after_from_the_header(conn, sandbox):
    sandbox.admin.inject_fault("rate_limit", retry_after=3)
    with pytest.raises(RateLimited) as info:
        conn.publish(request())
    assert info.value.retry_after == timedelta(seconds=3) and not info.value.may_have_applied
    assert posts_stored(sandbox) == 0


def test_fault_counts_are_consumed(conn, sandbox):
    sandbox.admin.inject_fault("rate_limit", retry_after=1, count=2, operation="read")
    assert sandbox.admin.faults()[0]["remaining"] == 2
    for _ in range(2):
        with pytest.raises(RateLimited):
            conn.follower_count()
    assert sandbox.admin.faults() == []
    assert conn.follower_count() == 4000


def test_faults_aimed_at_another_account_leave_this_one_alone(conn, sandbox):
    sandbox.create_account("someone-else")
    sandbox.admin.inject_fault("rate_limit", account="someone-else", operation="any")
    assert conn.publish(request()).id
    assert sandbox.admin.faults()[0]["remaining"] == 1


def test_expired_token_is_refreshed_once_and_the_publish_succeeds(sandbox, clock, creds):
    refreshes = []

    def hook(refresh):
        refreshes.append(1)
        return refresh()

    conn = SANDBOX.connect(creds, http=sandbox.client(), clock=clock, refresh_hook=hook)
    assert sandbox.admin.expire_tokens(HANDLE) == 1
    post = conn.publish(request())
    assert post.id and refreshes == [1]
    fresh = conn.credentials
    assert fresh["access_token"] != creds["access_token"]
    assert fresh["refresh_token"] != creds["refresh_token"]
    # The spent refresh token is dead: reconnecting with the old credentials fails cleanly.
    stale = connect(sandbox, clock, creds)
    with pytest.raises(AuthRevoked):
        stale.refresh_credentials()


def test_token_near_expiry_is_refreshed_before_the_call(conn, clock, creds):
    clock.now += timedelta(minutes=59)  # one minute left, inside the two-minute margin
    conn.follower_count()
    assert conn.credentials["access_token"] != creds["access_token"]


def test_unknown_token_is_auth_revoked(sandbox, clock, creds):
    broken = connect(sandbox, clock, {**creds, "access_token": "nope", "refresh_token": ""})
    with pytest.raises(AuthRevoked):
        broken.follower_count()


def test_server_error_before_applying_is_ambiguous_on_posts_transient_on_reads(conn, sandbox):
    sandbox.admin.inject_fault("server_error", status=502, operation="any", count=2)
    with pytest.raises(Ambiguous):
        conn.publish(request())
    with pytest.raises(Transient) as info:
        conn.follower_count()
    assert info.value.vendor_code == "server_error"
    assert posts_stored(sandbox) == 0


def test_server_error_after_applying_is_resolved_by_the_key(conn, sandbox):
    sandbox.admin.inject_fault("server_error", applied=True)
    with pytest.raises(Ambiguous):
        conn.publish(request())
    assert posts_stored(sandbox) == 1
    replay = conn.publish(request())
    assert replay.replayed and posts_stored(sandbox) == 1


def test_duplicate_fault_names_the_existing_post(conn, sandbox):
    first = conn.publish(request(key="k1"))
    sandbox.admin.inject_fault("duplicate")
    with pytest.raises(Duplicate) as info:
        conn.publish(request(key="k2"))
    assert info.value.existing.id == first.id and posts_stored(sandbox) == 1


def test_account_rate_limit_is_enforced_with_the_right_wait(sandbox, clock):
    creds = sandbox.create_account("busy", posts_per_window=3, window_seconds=60)
    conn = connect(sandbox, clock, creds)
    for index in range(3):
        conn.publish(request(f"post {index}", key=f"k{index}"))
        clock.now += timedelta(seconds=10)
    with pytest.raises(RateLimited) as info:
        conn.publish(request("post 3", key="k3"))
    # The first post (t=0) leaves the 60 s window at t=60; it is now t=30.
    assert info.value.retry_after == timedelta(seconds=30)
    clock.now += timedelta(seconds=30)
    conn.publish(request("post 3", key="k3"))
    busy = next(a for a in sandbox.admin.stats()["accounts"] if a["handle"] == "busy")
    assert (busy["posts"], busy["rate_limited"], busy["ceiling_per_minute"]) == (4, 1, 3.0)


def test_replays_do_not_count_against_the_rate_limit(sandbox, clock):
    conn = connect(sandbox, clock, sandbox.create_account("one", posts_per_window=1))
    post = conn.publish(request())
    assert conn.publish(request()).id == post.id


def test_too_long_text_is_refused_locally_in_the_sandbox_name(conn, sandbox):
    with pytest.raises(Validation) as info:
        conn.publish(request("x" * 501))
    assert info.value.network == "sandbox"
    assert posts_stored(sandbox) == 0


def test_links_count_23_like_mastodon(conn):
    long_link = "https://example.com/" + "a" * 600
    assert conn.publish(request(f"Read {long_link}")).id


def test_publish_with_an_image_keeps_its_alt_text(conn):
    post = conn.publish(PublishRequest("With a photo", "img-1", images=(PNG,)))
    assert [(m["mime_type"], m["alt"]) for m in post.raw["media"]] == [("image/png", PNG.alt)]


def test_delete_then_not_found_and_not_listed(conn):
    post = conn.publish(request())
    conn.delete(post.id)
    with pytest.raises(NotFound):
        conn.post_metrics(post.id)
    with pytest.raises(NotFound):
        conn.delete(post.id)
    assert conn.find_recent(request()) is None


def test_only_the_author_deletes(sandbox, clock, conn):
    post = conn.publish(request())
    other = connect(sandbox, clock, sandbox.create_account("other"))
    with pytest.raises(PermissionDenied):
        other.delete(post.id)


def test_comments_arrive_over_time_and_a_reply_joins_the_thread(conn, clock):
    post = conn.publish(request())
    assert conn.list_comments(post.id).items == ()
    clock.now += timedelta(days=3)
    audience = conn.list_comments(post.id).items
    expected = engagement_at(int(post.id), 4000, timedelta(days=3)).comments
    assert len(audience) == expected > 0
    assert all(post.raw["created_at"] <= c.raw["created_at"] for c in audience)
    first = audience[0]
    answer = conn.reply(first.id, "Thank you!", idempotency_key="reply-1")
    assert conn.reply(first.id, "Thank you!", idempotency_key="reply-1").id == answer.id
    thread = conn.list_comments(post.id).items
    mine = [c for c in thread if c.id == answer.id]
    assert len(thread) == expected + 1 and mine[0].parent_id == first.id
    assert conn.post_metrics(post.id).comments == expected + 1
    with pytest.raises(NotFound):
        conn.reply(f"{post.id}-c{expected + 50}", "to a comment that does not exist yet")


def test_follower_count_grows_slowly_with_time(sandbox, clock):
    conn = connect(sandbox, clock, sandbox.create_account("grow", followers=1000))
    assert conn.follower_count() == 1000
    clock.now += timedelta(days=10)  # 0.2 % a day by default
    assert conn.follower_count() == 1020


def test_health_names_the_account_as_a_sandbox(conn):
    health = conn.check_health()
    assert health.ok and health.account == "@coach (sandbox)"
    assert health.details["rate_limit"] == {
        "posts": 30,
        "window_seconds": 60,
        "ceiling_per_minute": 30.0,
    }
