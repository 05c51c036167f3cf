"""Contract tests of the Mastodon connector against a fake instance."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.errors import (
    Ambiguous,
    AuthRevoked,
    MediaRejected,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    Transient,
    Validation,
)
from hearth.connectors.mastodon import MASTODON, html_to_text
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.mastodon import INSTANCE, TOKEN, FakeMastodon, masto_error

IMAGE = MediaFile(b"\xff\xd8jpeg", "image/jpeg", "a.jpg", alt="A red door")


@pytest.fixture
def fake() -> FakeMastodon:
    return FakeMastodon()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def conn(fake, clock):
    creds = {"instance_url": INSTANCE, "access_token": TOKEN}
    return MASTODON.connect(creds, http=fake.client(), clock=clock, sleep=clock.sleep)


def request(text: str = "Hello fediverse", images=(), key: str = "idem-1") -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, images=images)


def test_publish_sends_idempotency_key_and_a_replay_returns_the_same_status(conn, fake):
    first = conn.publish(request())
    assert fake.last("POST /api/v1/statuses").headers["idempotency-key"] == "idem-1"
    assert first.url == f"{INSTANCE}/@hearth/{first.id}"
    second = conn.publish(request())
    assert second.id == first.id and len(fake.statuses) == 1


def test_instance_limits_are_read_once_per_connection(conn, fake):
    conn.publish(request())
    conn.publish(request(key="idem-2"))
    assert fake.routes().count("GET /api/v2/instance") == 1


def test_media_202_is_polled_until_processed_then_attached(conn, fake, clock):
    fake.polls_until_ready = 2
    post = conn.publish(request(images=(IMAGE,)))
    upload = fake.last("POST /api/v2/media")
    assert (
        upload.files["file"].content == IMAGE.content
        and upload.params["description"] == "A red door"
    )
    assert fake.routes()[-4:] == ["GET /api/v1/media/:id"] * 3 + ["POST /api/v1/statuses"]
    assert clock.slept == [1, 1, 2]
    status = fake.last("POST /api/v1/statuses")
    assert status.params["media_ids"] == [fake.statuses[post.id]["media_attachments"][0]["id"]]


def test_media_that_never_finishes_is_transient_and_posts_nothing(conn, fake):
    fake.polls_until_ready = 1000
    with pytest.raises(Transient) as info:
        conn.publish(request(images=(IMAGE,)))
    assert not info.value.may_have_applied
    assert "POST /api/v1/statuses" not in fake.routes()


def test_default_limit_rejects_locally_but_urls_count_23(conn, fake):
    with pytest.raises(Validation) as info:
        conn.publish(request("a" * 501))
    assert "500" in info.value.message
    assert "POST /api/v1/statuses" not in fake.routes()
    long_url = "https://example.com/" + "x" * 100
    conn.publish(request("a" * 470 + " " + long_url))  # 591 code points, counts 494


def test_a_larger_instance_limit_is_honoured():
    fake = FakeMastodon(max_characters=5000)
    clock = FakeClock()
    conn = MASTODON.connect(
        {"instance_url": INSTANCE, "access_token": TOKEN}, http=fake.client(), clock=clock
    )
    assert conn.publish(request("b" * 600)).id in fake.statuses
    assert conn.check_health().details["instance_limits"]["max_characters"] == 5000


def test_rate_limit_uses_iso_reset_header_and_the_injected_clock(conn, fake, clock):
    reset = (clock.now + timedelta(minutes=4, seconds=30)).isoformat().replace("+00:00", "Z")
    fake.enqueue(
        "POST /api/v1/statuses",
        masto_error(
            429, "Too many requests", {"X-RateLimit-Reset": reset, "X-RateLimit-Remaining": "0"}
        ),
    )
    with pytest.raises(RateLimited) as info:
        conn.publish(request())
    assert info.value.retry_after == timedelta(minutes=4, seconds=30)


@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, AuthRevoked), (403, PermissionDenied), (422, Validation), (404, NotFound)],
)
def test_http_errors_map_to_the_normalized_set(conn, fake, status, expected):
    conn.instance_limits()
    fake.enqueue(
        "POST /api/v1/statuses", masto_error(status, "Validation failed: Text can't be blank")
    )
    with pytest.raises(expected) as info:
        conn.publish(request())
    assert info.value.vendor_message == "Validation failed: Text can't be blank"


def test_revoked_token_against_the_fake(fake, clock):
    conn = MASTODON.connect(
        {"instance_url": INSTANCE, "access_token": "old"}, http=fake.client(), clock=clock
    )
    with pytest.raises(AuthRevoked):
        conn.follower_count()


def test_media_422_is_media_rejected(conn, fake):
    fake.enqueue(
        "POST /api/v2/media", masto_error(422, "Validation failed: File content type is invalid")
    )
    with pytest.raises(MediaRejected):
        conn.publish(request(images=(IMAGE,)))


def test_server_error_or_timeout_on_post_is_ambiguous(conn, fake):
    conn.instance_limits()
    fake.enqueue(
        "POST /api/v1/statuses", masto_error(503, "unavailable"), httpx.ReadTimeout("slow")
    )
    for _ in range(2):
        with pytest.raises(Ambiguous):
            conn.publish(request())


def test_find_recent_matches_the_html_content(conn, fake, clock):
    conn.publish(request("First paragraph\n\nSecond & last"))
    found = conn.find_recent(request("First paragraph Second & last"))
    assert found is not None and found.id in fake.statuses
    assert conn.find_recent(request("something else")) is None
    assert (
        conn.find_recent(
            request("First paragraph Second & last"), since=datetime(2026, 3, 2, tzinfo=UTC)
        )
        is None
    )


def test_html_to_text_keeps_full_links():
    html = (
        '<p>Read <a href="https://example.com/long/path"><span class="invisible">https://</span>'
        '<span class="ellipsis">example.com/lo</span><span class="invisible">ng/path</span></a></p><p>x<br>y &amp; z</p>'
    )
    assert html_to_text(html) == "Read https://example.com/long/path\n\nx\ny & z"


def test_delete_metrics_and_missing_status(conn, fake):
    post = conn.publish(request())
    metrics = conn.post_metrics(post.id)
    assert (metrics.likes, metrics.reposts, metrics.comments, metrics.views) == (11, 4, 2, None)
    conn.delete(post.id)
    with pytest.raises(NotFound):
        conn.delete(post.id)


def test_comments_from_context_and_reply_mentions_the_author(conn, fake):
    post = conn.publish(request())
    fake.statuses["900"] = {
        "id": "900",
        "in_reply_to_id": post.id,
        "content": "<p>Great!</p>",
        "created_at": "2026-03-01T12:05:00.000Z",
        "account": {"id": "55", "acct": "ann@other.social"},
    }
    fake.statuses["901"] = {
        **fake.statuses["900"],
        "id": "901",
        "in_reply_to_id": "900",
        "content": "<p>Agreed</p>",
    }
    page = conn.list_comments(post.id)
    assert [(c.id, c.parent_id, c.text) for c in page.items] == [
        ("900", None, "Great!"),
        ("901", "900", "Agreed"),
    ]
    assert page.items[0].created_at == datetime(2026, 3, 1, 12, 5, tzinfo=UTC)
    reply = conn.reply("900", "Thanks!", idempotency_key="r-1")
    sent = fake.last("POST /api/v1/statuses")
    assert sent.params["status"] == "@ann@other.social Thanks!"
    assert sent.params["in_reply_to_id"] == "900" and sent.headers["idempotency-key"] == "r-1"
    assert reply.id in fake.statuses


def test_followers_health_and_no_refresh(conn):
    assert conn.follower_count() == 321
    health = conn.check_health()
    assert health.ok and health.account == "@hearth"
    assert health.details["instance_limits"]["characters_reserved_per_url"] == 23
    with pytest.raises(NotSupported):
        conn.refresh_credentials()
