"""Contract tests of the Telegram connector against the fake Bot API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hearth.connectors.base import MediaFile, PublishRequest
from hearth.connectors.errors import (
    Ambiguous,
    AuthRevoked,
    NotFound,
    NotSupported,
    PermissionDenied,
    RateLimited,
    Transient,
    Validation,
)
from hearth.connectors.telegram import TELEGRAM, comment_from_update
from tests.connectors.fakes.core import FakeClock
from tests.connectors.fakes.telegram import CHANNEL, TOKEN, FakeTelegram, error, utf16

IMAGE = MediaFile(b"\xff\xd8fake-jpeg", "image/jpeg", "a.jpg")


@pytest.fixture
def fake() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
def conn(fake: FakeTelegram):
    clock = FakeClock()
    return TELEGRAM.connect(
        {"bot_token": TOKEN, "chat_id": CHANNEL}, http=fake.client(), clock=clock, sleep=clock.sleep
    )


def request(text: str, images: tuple[MediaFile, ...] = ()) -> PublishRequest:
    return PublishRequest(text=text, idempotency_key="k1", images=images)


def test_publish_text_returns_message_id_and_public_url(conn, fake):
    post = conn.publish(request("Hello #hearth https://example.com"))
    assert post.id == "101"
    assert post.url == "https://t.me/hearth_test/101"
    call = fake.last("sendMessage")
    assert call.params == {"chat_id": CHANNEL, "text": "Hello #hearth https://example.com"}
    assert "parse_mode" not in call.params  # plain text: Telegram auto-links, nothing to escape


def test_publish_photo_sends_multipart_field_photo_with_caption(conn, fake):
    post = conn.publish(request("Short caption", (IMAGE,)))
    call = fake.last("sendPhoto")
    assert call.files["photo"].content == IMAGE.content
    assert call.params["caption"] == "Short caption"
    assert fake.routes() == ["sendPhoto"]
    assert post.id == "101"


def test_long_caption_is_split_into_caption_and_follow_up_message(conn, fake):
    words = " ".join(f"word{i:04d}" for i in range(170))  # 170 * 9 - 1 = 1529 units
    post = conn.publish(request(words, (IMAGE,)))
    caption = fake.last("sendPhoto").params["caption"]
    rest = fake.last("sendMessage").params["text"]
    assert fake.routes() == ["sendPhoto", "sendMessage"]
    assert utf16(caption) <= 1024
    assert caption.endswith("word0112")  # 113 words = 1016 units; a 114th would make 1025
    assert f"{caption} {rest}" == words
    assert post.id == "101,102"


def test_caption_limit_is_counted_in_utf16_units(conn, fake):
    text = "a" * 1020 + " 👍👍👍"  # 1024 code points but 1027 UTF-16 units
    conn.publish(request(text, (IMAGE,)))
    assert fake.last("sendPhoto").params["caption"] == "a" * 1020
    assert fake.last("sendMessage").params["text"] == "👍👍👍"


def test_album_puts_caption_on_first_item_only(conn, fake):
    images = tuple(MediaFile(bytes([i]) * 10, "image/png", f"{i}.png") for i in range(3))
    post = conn.publish(request("Album", images))
    call = fake.last("sendMediaGroup")
    media = json.loads(call.params["media"])
    assert [m["media"] for m in media] == ["attach://photo0", "attach://photo1", "attach://photo2"]
    assert media[0]["caption"] == "Album" and "caption" not in media[1]
    assert call.files["photo2"].content == images[2].content
    assert post.id == "101,102,103"


def test_text_over_4096_units_is_rejected_before_any_call(conn, fake):
    with pytest.raises(Validation) as info:
        conn.publish(request("😀" * 2049))  # 2049 code points = 4098 UTF-16 units
    assert "text_too_long" in info.value.details["problems"]
    assert fake.calls == []


def test_more_than_ten_images_is_rejected_locally(conn, fake):
    with pytest.raises(Validation):
        conn.publish(request("x", (IMAGE,) * 11))
    assert fake.calls == []


def test_flood_429_maps_to_rate_limited_with_retry_after(conn, fake):
    fake.enqueue("sendMessage", error(429, "Too Many Requests: retry after 15", retry_after=15))
    with pytest.raises(RateLimited) as info:
        conn.publish(request("hi"))
    assert info.value.retry_after == timedelta(seconds=15)
    assert info.value.vendor_code == 429
    assert info.value.may_have_applied is False


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (error(401, "Unauthorized"), AuthRevoked),
        (error(404, "Not Found"), AuthRevoked),
        (error(403, "Forbidden: bot is not a member of the channel chat"), PermissionDenied),
        (
            error(400, "Bad Request: not enough rights to send text messages to the chat"),
            PermissionDenied,
        ),
        (error(400, "Bad Request: message is too long"), Validation),
        (error(400, "Bad Request: can't parse entities: unexpected end"), Validation),
        (error(400, "Bad Request: chat not found"), NotFound),
    ],
)
def test_vendor_errors_map_to_the_normalized_set(conn, fake, answer, expected):
    fake.enqueue("sendMessage", answer)
    with pytest.raises(expected) as info:
        conn.publish(request("hi"))
    assert info.value.network == "telegram"
    assert info.value.vendor_message == answer.json()["description"]


def test_bad_photo_maps_to_media_rejected(conn, fake):
    from hearth.connectors.errors import MediaRejected

    fake.enqueue("sendPhoto", error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS"))
    with pytest.raises(MediaRejected):
        conn.publish(request("x", (IMAGE,)))


def test_wrong_token_against_fake_is_auth_revoked(fake):
    clock = FakeClock()
    conn = TELEGRAM.connect(
        {"bot_token": "0:bad", "chat_id": CHANNEL}, http=fake.client(), clock=clock
    )
    with pytest.raises(AuthRevoked):
        conn.follower_count()


def test_migrated_chat_reports_the_new_chat_id(conn, fake):
    fake.enqueue(
        "sendMessage",
        error(400, "Bad Request: group chat was upgraded", migrate_to_chat_id=-100555),
    )
    with pytest.raises(Validation) as info:
        conn.publish(request("hi"))
    assert info.value.details["migrate_to_chat_id"] == -100555


def test_timeout_after_sending_a_post_is_ambiguous(conn, fake):
    fake.enqueue("sendMessage", httpx.ReadTimeout("no answer"))
    with pytest.raises(Ambiguous) as info:
        conn.publish(request("hi"))
    assert info.value.may_have_applied is True


def test_connect_failure_is_transient_and_not_applied(conn, fake):
    fake.enqueue("sendMessage", httpx.ConnectError("refused"))
    with pytest.raises(Transient) as info:
        conn.publish(request("hi"))
    assert info.value.may_have_applied is False


def test_server_error_is_ambiguous_on_mutation_and_transient_on_read(conn, fake):
    fake.enqueue("sendMessage", error(502, "Bad Gateway"))
    with pytest.raises(Ambiguous):
        conn.publish(request("hi"))
    fake.enqueue("getChatMemberCount", error(502, "Bad Gateway"))
    with pytest.raises(Transient) as info:
        conn.follower_count()
    assert not isinstance(info.value, Ambiguous)


def test_failure_after_first_part_marks_the_post_as_partly_published(conn, fake):
    fake.enqueue("sendMessage", error(429, "Too Many Requests", retry_after=3))
    with pytest.raises(RateLimited) as info:
        conn.publish(request("word " * 300, (IMAGE,)))
    assert info.value.may_have_applied is True
    assert info.value.details["published_message_ids"] == ["101"]


def test_delete_removes_every_part_and_unknown_message_is_not_found(conn, fake):
    post = conn.publish(request("word " * 300, (IMAGE,)))
    conn.delete(post.id)
    assert [int(c.params["message_id"]) for c in fake.calls if c.route == "deleteMessage"] == [
        101,
        102,
    ]
    assert fake.messages == {}
    with pytest.raises(NotFound):
        conn.delete("101")


def test_follower_count(conn):
    assert conn.follower_count() == 1234


def test_health_requires_admin_with_post_right(conn, fake):
    health = conn.check_health()
    assert health.ok and health.account == "@hearth_bot"
    assert health.details["discussion_chat_id"] == -1009876
    assert fake.last("getChatMember").params["user_id"] == 999
    fake.member_status = "member"
    health = conn.check_health()
    assert not health.ok and "not an administrator" in health.problems[0]


def test_operations_the_bot_api_lacks_raise_not_supported(conn):
    for call in (
        lambda: conn.find_recent(request("x")),
        lambda: conn.post_metrics("101"),
        lambda: conn.list_comments("101"),
        conn.refresh_credentials,
    ):
        with pytest.raises(NotSupported, match="not supported by this network"):
            call()


def test_reply_goes_to_the_discussion_group_with_reply_parameters(conn, fake):
    reply = conn.reply("-1009876:55", "Thanks!")
    call = fake.last("sendMessage")
    assert call.params["chat_id"] == "-1009876"
    assert call.params["reply_parameters"] == {"message_id": 55}
    assert reply.id == "-1009876:101"


def test_comment_from_discussion_update():
    forwarded = {
        "message_id": 7,
        "is_automatic_forward": True,
        "forward_origin": {"type": "channel", "message_id": 101},
    }
    update = {
        "update_id": 1,
        "message": {
            "message_id": 8,
            "chat": {"id": -1009876, "type": "supergroup"},
            "from": {"id": 42, "first_name": "Ada", "last_name": "L"},
            "date": 1772366400,
            "text": "Nice post",
            "message_thread_id": 7,
            "reply_to_message": forwarded,
        },
    }
    comment = comment_from_update(update)
    assert comment is not None
    assert (comment.id, comment.post_id, comment.author_name, comment.parent_id) == (
        "-1009876:8",
        "101",
        "Ada L",
        None,
    )
    assert comment.created_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    nested = {**update["message"], "message_id": 9, "reply_to_message": {"message_id": 8}}
    child = comment_from_update({"message": nested})
    assert child is not None and child.parent_id == "-1009876:8" and child.post_id == "thread:7"
    assert (
        comment_from_update({"message": {"message_id": 1, "chat": {"id": 1}, "text": "no reply"}})
        is None
    )
