"""Contract tests of the Bluesky connector against a fake PDS."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from PIL import Image

from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.bluesky import BLUESKY, rkey_for
from hearth.connectors.errors import (
    Ambiguous,
    AuthRevoked,
    Duplicate,
    MediaRejected,
    NotFound,
    QuotaExhausted,
    RateLimited,
    Validation,
)
from tests.connectors.fakes.bluesky import APP_PASSWORD, DID, HANDLE, PDS, FakeBluesky, xrpc_error
from tests.connectors.fakes.core import FakeClock, json_response

SCHEDULED = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(SCHEDULED)


@pytest.fixture
def fake(clock) -> FakeBluesky:
    return FakeBluesky(token_expiry=clock.now + timedelta(hours=2))


@pytest.fixture
def persisted() -> list[dict]:
    return []


@pytest.fixture
def conn(fake, clock, persisted):
    def hook(refresh):
        fresh = refresh()
        persisted.append(fresh)
        return fresh

    creds = {"identifier": HANDLE, "app_password": APP_PASSWORD, "pds_url": PDS}
    return BLUESKY.connect(
        creds, http=fake.client(), clock=clock, sleep=clock.sleep, refresh_hook=hook
    )


def request(text: str = "Hello sky", images=(), key: str = "post-1") -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, images=images, created_at=SCHEDULED)


def png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_one_session_serves_many_posts_and_is_handed_to_the_caller(conn, fake, persisted):
    conn.publish(request())
    conn.publish(request("Second", key="post-2"))
    assert fake.routes().count("com.atproto.server.createSession") == 1
    assert len(persisted) == 1 and persisted[0]["access_jwt"] == fake.access
    assert persisted[0]["did"] == DID and persisted[0]["pds_url"] == PDS


def test_record_uses_a_deterministic_tid_rkey_and_the_stable_created_at(conn, fake):
    post = conn.publish(request())
    call = fake.last("com.atproto.repo.createRecord")
    rkey = rkey_for("post-1", SCHEDULED)
    assert call.params["rkey"] == rkey and call.params["repo"] == DID
    assert call.params["record"]["createdAt"] == "2026-03-01T12:00:00.000Z"
    assert post.id == f"at://{DID}/app.bsky.feed.post/{rkey}"
    assert post.url == f"https://bsky.app/profile/{HANDLE}/post/{rkey}"


def test_rkey_for_is_stable_distinct_and_passes_tids_through():
    assert rkey_for("a", SCHEDULED) == rkey_for("a", SCHEDULED)
    assert rkey_for("a", SCHEDULED) != rkey_for("b", SCHEDULED)
    assert len(rkey_for("a", SCHEDULED)) == 13
    assert rkey_for("3jzfcijpj2z2a", SCHEDULED) == "3jzfcijpj2z2a"
    # later moments sort later, as TIDs must
    assert rkey_for("a", SCHEDULED) < rkey_for("a", SCHEDULED + timedelta(seconds=2))


def test_facets_use_utf8_byte_offsets_after_cyrillic_and_emoji(conn, fake):
    text = "Привет 👋 https://example.com #тест @alice.test"
    conn.publish(request(text))
    facets = fake.last("com.atproto.repo.createRecord").params["record"]["facets"]
    # "Привет " = 6*2+1 = 13 bytes, "👋 " = 4+1 = 5: the link starts at byte 18
    assert facets == [
        {
            "index": {"byteStart": 18, "byteEnd": 37},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com"}],
        },
        {
            "index": {"byteStart": 38, "byteEnd": 47},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "тест"}],
        },
        {
            "index": {"byteStart": 48, "byteEnd": 59},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:alice"}],
        },
    ]
    assert text.encode()[18:37] == b"https://example.com"


def test_unresolvable_mention_stays_plain_text(conn, fake):
    conn.publish(request("hi @nobody.test"))
    assert "facets" not in fake.last("com.atproto.repo.createRecord").params["record"]


def test_replay_with_the_same_key_returns_the_first_record(conn, fake):
    first = conn.publish(request())
    again = conn.publish(request())
    assert again.id == first.id and again.replayed and len(fake.records) == 1


def test_same_key_with_different_text_is_duplicate(conn, fake):
    conn.publish(request())
    with pytest.raises(Duplicate) as info:
        conn.publish(request("Other text"))
    assert info.value.existing.id.endswith(rkey_for("post-1", SCHEDULED))


def test_images_are_uploaded_as_blobs_and_embedded_with_alt_and_aspect_ratio(conn, fake):
    image = MediaFile(png(30, 20), "image/png", "a.png", alt="red")
    conn.publish(request(images=(image,)))
    upload = fake.last("com.atproto.repo.uploadBlob")
    assert upload.raw == image.content and upload.headers["content-type"] == "image/png"
    embed = fake.last("com.atproto.repo.createRecord").params["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert embed["images"][0]["alt"] == "red"
    assert embed["images"][0]["aspectRatio"] == {"width": 30, "height": 20}
    assert embed["images"][0]["image"]["size"] == len(image.content)


def test_limits_are_graphemes_and_bytes_checked_before_any_call(conn, fake):
    with pytest.raises(Validation):
        conn.publish(request("a" * 301))
    with pytest.raises(MediaRejected):
        conn.publish(request(images=(MediaFile(b"x" * 2_000_001, "image/jpeg"),)))
    assert fake.calls == []
    conn.publish(request("👍" * 300))  # 300 graphemes, 1200 bytes: allowed


def test_expired_access_token_is_refreshed_once_and_the_call_retried(conn, fake, persisted):
    conn.follower_count()
    fake.expired.add(fake.access)
    assert conn.follower_count() == 77
    assert fake.routes()[-3:] == [
        "app.bsky.actor.getProfile",
        "com.atproto.server.refreshSession",
        "app.bsky.actor.getProfile",
    ]
    assert fake.routes().count("com.atproto.server.createSession") == 1
    assert persisted[-1]["refresh_jwt"] == fake.refresh == "refresh-2"


def test_dead_refresh_token_falls_back_to_one_login(conn, fake):
    conn.follower_count()
    fake.expired.add(fake.access)
    fake.refresh = "rotated-elsewhere"
    assert conn.follower_count() == 77
    assert fake.routes().count("com.atproto.server.createSession") == 2


def test_access_jwt_near_expiry_is_refreshed_before_the_call(conn, fake, clock):
    conn.follower_count()
    clock.now = fake.token_expiry - timedelta(seconds=30)
    conn.follower_count()
    assert fake.routes()[-2:] == ["com.atproto.server.refreshSession", "app.bsky.actor.getProfile"]


def test_wrong_app_password_is_auth_revoked(fake, clock):
    creds = {"identifier": HANDLE, "app_password": "wrong", "pds_url": PDS}
    conn = BLUESKY.connect(creds, http=fake.client(), clock=clock)
    with pytest.raises(AuthRevoked):
        conn.publish(request())


def test_rate_limit_reads_ratelimit_reset_from_the_injected_clock(conn, fake, clock):
    conn.follower_count()
    reset = str(int((clock.now + timedelta(seconds=30)).timestamp()))
    fake.enqueue(
        "com.atproto.repo.createRecord",
        xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {"ratelimit-reset": reset}),
    )
    with pytest.raises(RateLimited) as info:
        conn.publish(request())
    assert info.value.retry_after == timedelta(seconds=30)


def test_daily_points_exhausted_is_quota_with_reset_at(conn, fake, clock):
    conn.follower_count()
    reset_at = clock.now + timedelta(hours=5)
    fake.enqueue(
        "com.atproto.repo.createRecord",
        xrpc_error(
            429,
            "RateLimitExceeded",
            "Rate Limit Exceeded",
            {"RateLimit-Reset": str(int(reset_at.timestamp()))},
        ),
    )
    with pytest.raises(QuotaExhausted) as info:
        conn.publish(request())
    assert info.value.reset_at == reset_at


def test_server_error_after_the_write_is_ambiguous_and_reconciled_by_rkey(conn, fake):
    def write_then_fail(call):
        fake.default(call)
        return json_response(502, {"error": "InternalServerError", "message": "upstream"})

    fake.enqueue("com.atproto.repo.createRecord", write_then_fail)
    with pytest.raises(Ambiguous):
        conn.publish(request())
    found = conn.find_recent(request())
    assert found is not None and found.id.endswith(rkey_for("post-1", SCHEDULED))
    assert conn.find_recent(request(key="never-sent")) is None


def test_timeout_on_create_is_ambiguous(conn, fake):
    fake.enqueue("com.atproto.repo.createRecord", httpx.ReadTimeout("slow"))
    with pytest.raises(Ambiguous):
        conn.publish(request())


def test_delete_uses_the_rkey_of_the_uri(conn, fake):
    post = conn.publish(request())
    conn.delete(post.id)
    assert fake.last("com.atproto.repo.deleteRecord").params["rkey"] == rkey_for(
        "post-1", SCHEDULED
    )
    assert fake.records == {}


def test_metrics_from_get_posts_and_missing_post(conn, fake):
    post = conn.publish(request())
    metrics = conn.post_metrics(post.id)
    assert (metrics.likes, metrics.reposts, metrics.comments, metrics.quotes, metrics.views) == (
        8,
        2,
        1,
        0,
        None,
    )
    with pytest.raises(NotFound):
        conn.post_metrics(f"at://{DID}/app.bsky.feed.post/3zzzzzzzzzzzz")


def _view(uri, cid, text, parent=None, root=None):
    record = {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2026-03-01T12:10:00.000Z"}
    if parent:
        record["reply"] = {"root": root, "parent": parent}
    return {
        "uri": uri,
        "cid": cid,
        "author": {"did": "did:plc:bob", "handle": "bob.test"},
        "record": record,
    }


def test_comments_walk_the_thread_and_reply_uses_strong_refs(conn, fake):
    post = conn.publish(request())
    root = {"uri": post.id, "cid": fake.records[post.id.rsplit("/", 1)[-1]]["cid"]}
    comment = _view(
        "at://did:plc:bob/app.bsky.feed.post/c1", "bafyc1", "Nice", parent=root, root=root
    )
    answer = _view(
        "at://did:plc:bob/app.bsky.feed.post/c2",
        "bafyc2",
        "Indeed",
        parent={"uri": comment["uri"], "cid": "bafyc1"},
        root=root,
    )
    fake.extra_posts[comment["uri"]] = comment
    fake.thread = {
        "$type": "app.bsky.feed.defs#threadViewPost",
        "post": {"uri": post.id},
        "replies": [
            {
                "$type": "app.bsky.feed.defs#threadViewPost",
                "post": comment,
                "replies": [
                    {"$type": "app.bsky.feed.defs#threadViewPost", "post": answer, "replies": []}
                ],
            },
            {"$type": "app.bsky.feed.defs#notFoundPost", "uri": "at://gone", "notFound": True},
        ],
    }
    page = conn.list_comments(post.id)
    assert [(c.id, c.parent_id, c.text, c.author_name) for c in page.items] == [
        (comment["uri"], None, "Nice", "bob.test"),
        (answer["uri"], comment["uri"], "Indeed", "bob.test"),
    ]
    reply = conn.reply(comment["uri"], "Thanks!", idempotency_key="reply-1")
    record = fake.last("com.atproto.repo.createRecord").params["record"]
    assert record["reply"] == {"root": root, "parent": {"uri": comment["uri"], "cid": "bafyc1"}}
    assert reply.id in {r["uri"] for r in fake.records.values()}


def test_followers_and_health(conn):
    assert conn.follower_count() == 77
    health = conn.check_health()
    assert health.ok and health.account == f"@{HANDLE}" and health.details["did"] == DID
