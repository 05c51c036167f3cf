"""Contract tests of the VK connector against the fake API, upload and VK ID hosts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.errors import (
    Ambiguous,
    AuthRevoked,
    Flood,
    MediaRejected,
    NotFound,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    Transient,
    Validation,
)
from hearth.connectors.vk import VK
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.vk import GROUP_ID, UPLOADED_PHOTO, FakeVk, vk_error, vk_ok

IMAGE = MediaFile(b"\xff\xd8jpeg", "image/jpeg", "a.jpg")


@pytest.fixture
def fake() -> FakeVk:
    return FakeVk()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def credentials(**overrides):
    base = {
        "access_token": "access-1",
        "refresh_token": "refresh-1",
        "device_id": "device-9",
        "client_id": "51234",
        "group_id": GROUP_ID,
        "expires_at": "2026-03-01T12:30:00+00:00",
    }
    return {**base, **overrides}


@pytest.fixture
def conn(fake, clock):
    return VK.connect(credentials(), http=fake.client(), clock=clock, sleep=clock.sleep)


def request(text: str = "Hello VK", images=(), key: str = "guid-1") -> PublishRequest:
    return PublishRequest(text=text, idempotency_key=key, images=images)


def test_publish_text_uses_negative_owner_guid_and_pinned_version(conn, fake):
    post = conn.publish(request())
    call = fake.last("wall.post")
    assert (call.params["owner_id"], call.params["from_group"]) == ("-777", "1")
    assert (call.params["guid"], call.params["v"], call.params["message"]) == (
        "guid-1",
        "5.199",
        "Hello VK",
    )
    assert post.id == "42" and post.url == "https://vk.com/wall-777_42"


def test_photo_upload_runs_three_steps_across_two_hosts(conn, fake):
    conn.publish(request(images=(IMAGE,)))
    assert fake.routes() == [
        "photos.getWallUploadServer",
        "upload",
        "photos.saveWallPhoto",
        "wall.post",
    ]
    upload = fake.last("upload")
    assert upload.host == "pu.vk.com" and upload.files["photo"].content == IMAGE.content
    assert "access_token" not in upload.params  # the upload host gets no token
    save = fake.last("photos.saveWallPhoto")
    assert save.params["photo"] == UPLOADED_PHOTO  # passed through verbatim
    assert save.params["group_id"] == "777"  # positive here
    assert fake.last("wall.post").params["attachments"] == "photo-777_456_ak"


def test_upload_host_refusing_the_file_is_media_rejected_and_nothing_is_posted(conn, fake):
    fake.enqueue("upload", httpx.Response(200, json={"server": 1, "photo": "[]", "hash": ""}))
    with pytest.raises(MediaRejected):
        conn.publish(request(images=(IMAGE,)))
    assert "wall.post" not in fake.routes()


def test_replay_with_same_guid_returns_the_same_post(conn, fake):
    first = conn.publish(request())
    second = conn.publish(request())
    assert first.id == second.id and len(fake.posts) == 1


@pytest.mark.parametrize(
    ("code", "message", "expected"),
    [
        (6, "Too many requests per second", RateLimited),
        (9, "Flood control", Flood),
        (15, "Access denied", PermissionDenied),
        (214, "Access to adding post denied", PermissionDenied),
        (100, "One of the parameters specified was missing or invalid", Validation),
        (222, "Hyperlinks are forbidden", Validation),
        (17, "Validation required", AuthRevoked),
    ],
)
def test_errors_inside_http_200_map_to_the_normalized_set(conn, fake, code, message, expected):
    fake.enqueue("wall.post", vk_error(code, message))
    with pytest.raises(expected) as info:
        conn.publish(request())
    assert (info.value.vendor_code, info.value.vendor_message) == (code, message)


def test_rate_limit_waits_one_second(conn, fake):
    fake.enqueue("wall.post", vk_error(6, "Too many requests per second"))
    with pytest.raises(RateLimited) as info:
        conn.publish(request())
    assert info.value.retry_after == timedelta(seconds=1)


def test_captcha_is_flood_that_needs_an_operator(conn, fake):
    fake.enqueue(
        "wall.post", vk_error(14, "Captcha needed", captcha_sid="123", captcha_img="https://x")
    )
    with pytest.raises(Flood) as info:
        conn.publish(request())
    assert info.value.needs_operator and info.value.details["captcha_sid"] == "123"


@pytest.mark.parametrize(
    ("code", "message"), [(29, "Rate limit reached"), (214, "you can only add 50 posts a day")]
)
def test_daily_limits_are_quota_exhausted_until_a_day_later(conn, fake, clock, code, message):
    fake.enqueue("wall.post", vk_error(code, message))
    with pytest.raises(QuotaExhausted) as info:
        conn.publish(request())
    assert info.value.reset_at == clock.now + timedelta(days=1)


def test_invalid_photo_on_save_is_media_rejected(conn, fake):
    fake.enqueue("photos.saveWallPhoto", vk_error(129, "Invalid photo"))
    with pytest.raises(MediaRejected):
        conn.publish(request(images=(IMAGE,)))


def test_internal_error_is_ambiguous_on_post_and_transient_on_read(conn, fake):
    fake.enqueue("wall.post", vk_error(10, "Internal server error"))
    with pytest.raises(Ambiguous):
        conn.publish(request())
    fake.enqueue("groups.getMembers", vk_error(1, "Unknown error occurred"))
    with pytest.raises(Transient) as info:
        conn.follower_count()
    assert not isinstance(info.value, Ambiguous)


def test_http_5xx_and_timeouts_on_wall_post_are_ambiguous(conn, fake):
    fake.enqueue("wall.post", httpx.Response(502, text="Bad Gateway"))
    with pytest.raises(Ambiguous):
        conn.publish(request())
    fake.enqueue("wall.post", httpx.ReadTimeout("slow"))
    with pytest.raises(Ambiguous) as info:
        conn.publish(request())
    assert info.value.may_have_applied


def test_expired_token_refreshes_once_with_device_id_and_retries(fake, clock):
    persisted = []

    def hook(refresh):
        fresh = refresh()
        persisted.append(fresh)
        return fresh

    conn = VK.connect(credentials(), http=fake.client(), clock=clock, refresh_hook=hook)
    fake.access_token = "access-rotated-elsewhere"  # the server now rejects access-1 with error 5
    post = conn.publish(request())
    assert post.id == "42"
    assert fake.routes() == ["wall.post", "oauth2/auth", "wall.post"]
    refresh = fake.last("oauth2/auth")
    assert (refresh.host, refresh.params["device_id"], refresh.params["client_id"]) == (
        "id.vk.com",
        "device-9",
        "51234",
    )
    assert persisted[0]["refresh_token"] == "refresh-2"  # the rotated token reaches the caller
    assert persisted[0]["expires_at"] == (clock.now + timedelta(hours=1)).isoformat()
    assert conn.credentials["access_token"] == "access-2"


def test_second_rejection_after_refresh_is_auth_revoked(conn, fake):
    fake.enqueue(
        "wall.post",
        vk_error(5, "User authorization failed"),
        vk_error(5, "User authorization failed"),
    )
    with pytest.raises(AuthRevoked):
        conn.publish(request())
    assert fake.routes() == ["wall.post", "oauth2/auth", "wall.post"]


def test_refused_refresh_token_is_auth_revoked(conn, fake):
    fake.refresh_token = "something-else"
    fake.enqueue("wall.post", vk_error(5, "User authorization failed"))
    with pytest.raises(AuthRevoked):
        conn.publish(request())


def test_token_past_expiry_is_refreshed_before_the_call(conn, fake, clock):
    clock.now = datetime(2026, 3, 1, 12, 29, 30, tzinfo=UTC)  # 30 s before expires_at
    conn.follower_count()
    assert fake.routes() == ["oauth2/auth", "groups.getMembers"]


def test_explicit_refresh_returns_credentials_to_persist(conn, fake):
    fresh = conn.refresh_credentials()
    assert fresh["access_token"] == "access-2" and fresh["refresh_token"] == "refresh-2"
    assert fresh["device_id"] == "device-9" and fresh["group_id"] == GROUP_ID


def test_find_recent_matches_text_ignoring_whitespace(conn, fake):
    conn.publish(request("Spring   sale\nstarts today"))
    conn.publish(request("Another post", key="guid-2"))
    found = conn.find_recent(request("Spring sale starts today"))
    assert found is not None and found.id == "42"
    assert conn.find_recent(request("never posted")) is None
    later = datetime(2026, 3, 2, tzinfo=UTC)
    assert conn.find_recent(request("Spring sale starts today"), since=later) is None


def test_delete_and_missing_post(conn, fake):
    post = conn.publish(request())
    conn.delete(post.id)
    assert fake.last("wall.delete").params["owner_id"] == "-777"
    with pytest.raises(NotFound):
        conn.delete(post.id)


def test_post_metrics_from_get_by_id(conn, fake):
    post = conn.publish(request())
    metrics = conn.post_metrics(post.id)
    assert (metrics.likes, metrics.reposts, metrics.comments, metrics.views) == (5, 1, 3, 1200)
    assert fake.last("wall.getById").params["posts"] == "-777_42"
    with pytest.raises(NotFound):
        conn.post_metrics("999")


def test_comments_paginate_over_two_pages_with_threads(conn, fake):
    fake.comments[42] = [
        {"id": i, "from_id": 5, "date": 1772366400, "text": f"c{i}"} for i in range(1, 151)
    ]
    fake.comments[42][0]["thread"] = {
        "count": 1,
        "items": [
            {
                "id": 1000,
                "from_id": -GROUP_ID,
                "date": 1772366500,
                "text": "answer",
                "reply_to_comment": 1,
            }
        ],
    }
    first = conn.list_comments("42")
    assert len(first.items) == 101 and first.next_cursor == "100"
    assert first.items[0].author_name == "Ivan Petrov" and first.items[0].id == "42:1"
    assert first.items[1].parent_id == "42:1" and first.items[1].author_name == "Hearth"
    second = conn.list_comments("42", first.next_cursor)
    assert second.items[0].text == "c101" and len(second.items) == 50
    assert second.next_cursor is None


def test_reply_uses_positive_from_group_and_guid(conn, fake):
    reply = conn.reply("42:7", "Thank you!", idempotency_key="r-1")
    call = fake.last("wall.createComment")
    assert (call.params["from_group"], call.params["owner_id"]) == ("777", "-777")
    assert (call.params["reply_to_comment"], call.params["guid"], call.params["post_id"]) == (
        "7",
        "r-1",
        "42",
    )
    assert reply.id == "42:901" and reply.url == "https://vk.com/wall-777_42?reply=901"


def test_follower_count_and_health(conn, fake):
    assert conn.follower_count() == 1234
    health = conn.check_health()
    assert health.ok and health.account == "hearth"
    fake.enqueue(
        "groups.getById",
        vk_ok({"groups": [{"id": GROUP_ID, "name": "Hearth", "is_admin": 0}], "profiles": []}),
    )
    assert not conn.check_health().ok


def test_text_over_limit_is_rejected_locally(conn, fake):
    with pytest.raises(Validation):
        conn.publish(request("x" * 16385))
    assert fake.calls == []
