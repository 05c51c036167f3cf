"""Telegram channel connector over the Bot API (``POST {base}/bot<token>/<method>``).

Credentials: ``bot_token``, ``chat_id`` (``@channel`` or ``-100…``), optional
``api_base_url`` (a self-hosted Bot API server). The token never expires.

Text goes out as plain text (no ``parse_mode``): clients auto-link URLs, #hashtags and
@mentions, so no entities are needed and nothing has to be escaped; the length Telegram
checks is then simply the UTF-16 length of the text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from hearth.connectors.base import (
    BaseConnection,
    Capability,
    Comment,
    CommentPage,
    Health,
    Idempotency,
    PostMetrics,
    Provider,
    PublishedPost,
    PublishRequest,
    check_publishable,
)
from hearth.connectors.errors import (
    AuthRevoked,
    ConnectorError,
    MediaRejected,
    NotFound,
    PermissionDenied,
    RateLimited,
    Transient,
    Validation,
    retry_after_from_headers,
)
from hearth.connectors.rules import telegram_split
from hearth.kit.text_units import utf16_length

API_BASE = "https://api.telegram.org"
MESSAGE_LIMIT = 4096  # UTF-16 code units after entity parsing
CAPTION_LIMIT = 1024

_MEDIA_HINTS = ("photo_", "image_process_failed", "wrong file", "file is too big", "wrong type")
_RIGHTS_HINTS = ("not enough rights", "have no rights", "administrator rights", "need admin")


class TelegramConnection(BaseConnection):
    network = "telegram"

    # --- transport ----------------------------------------------------------------------

    def _url(self, method: str) -> str:
        base = str(self._credentials.get("api_base_url") or API_BASE).rstrip("/")
        return f"{base}/bot{self._credentials['bot_token']}/{method}"

    def _call(self, method: str, *, mutating: bool, **kwargs: Any) -> Any:
        response = self._send("POST", self._url(method), mutating=mutating, **kwargs)
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True:
            return body.get("result")
        if not isinstance(body, dict):
            if response.status_code >= 500:
                raise self._server_error(response, mutating=mutating)
            raise Transient(
                f"unreadable answer (HTTP {response.status_code})",
                network=self.network,
                vendor_code=response.status_code,
            )
        raise self._map_error(body, response, mutating=mutating)

    def _map_error(
        self, body: Mapping[str, Any], response: httpx.Response, *, mutating: bool
    ) -> ConnectorError:
        code = int(body.get("error_code") or response.status_code)
        description = str(body.get("description") or "")
        parameters = body.get("parameters") or {}
        lowered = description.lower()
        vendor: dict[str, Any] = {
            "network": self.network,
            "vendor_code": code,
            "vendor_message": description,
        }
        if "retry_after" in parameters or code == 429:
            wait = (
                timedelta(seconds=float(parameters["retry_after"]))
                if "retry_after" in parameters
                else retry_after_from_headers(response.headers, self._now())
            )
            return RateLimited("Telegram flood control", retry_after=wait, **vendor)
        if "migrate_to_chat_id" in parameters:
            return Validation(
                "the group became a supergroup; update chat_id",
                details={"migrate_to_chat_id": parameters["migrate_to_chat_id"]},
                **vendor,
            )
        if code in (401, 404):
            return AuthRevoked("the bot token is invalid or revoked", **vendor)
        if code == 403 or any(hint in lowered for hint in _RIGHTS_HINTS):
            return PermissionDenied("the bot is not an admin of the channel", **vendor)
        if code >= 500:
            return self._server_error(response, mutating=mutating, code=code, message=description)
        if "not found" in lowered:
            return NotFound(description, **vendor)
        if any(hint in lowered for hint in _MEDIA_HINTS):
            return MediaRejected(description, **vendor)
        if code == 409:
            return Transient("conflicting getUpdates consumer", **vendor)
        return Validation(description or "rejected", **vendor)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> PublishedPost:
        check_publishable(self.network, request.text, request.images)
        caption, messages = telegram_parts(request.text, with_media=bool(request.images))
        results: list[Mapping[str, Any]] = []
        try:
            if request.images:
                results.extend(self._send_images(request, caption))
            for chunk in messages:
                payload = {"chat_id": self._credentials["chat_id"], "text": chunk}
                results.append(self._call("sendMessage", mutating=True, json=payload))
        except ConnectorError as exc:
            if results:  # part of the post is live: the engine must not start over
                exc.may_have_applied = True
                exc.details = {
                    **exc.details,
                    "published_message_ids": [str(r["message_id"]) for r in results],
                }
            raise
        ids = [str(result["message_id"]) for result in results]
        return PublishedPost(
            id=",".join(ids), url=self._message_url(ids[0]), raw={"messages": results}
        )

    def _send_images(self, request: PublishRequest, caption: str | None) -> list[Mapping[str, Any]]:
        chat_id = str(self._credentials["chat_id"])
        if len(request.images) == 1:
            image = request.images[0]
            data = {"chat_id": chat_id}
            if caption:
                data["caption"] = caption
            files = {"photo": (image.filename, image.content, image.mime_type)}
            return [self._call("sendPhoto", mutating=True, data=data, files=files)]
        media = []
        files = {}
        for index, image in enumerate(request.images):
            name = f"photo{index}"
            item: dict[str, Any] = {"type": "photo", "media": f"attach://{name}"}
            if index == 0 and caption:
                item["caption"] = caption
            media.append(item)
            files[name] = (image.filename, image.content, image.mime_type)
        data = {"chat_id": chat_id, "media": json.dumps(media, ensure_ascii=False)}
        return list(self._call("sendMediaGroup", mutating=True, data=data, files=files))

    def _message_url(self, message_id: str) -> str | None:
        chat = str(self._credentials["chat_id"])
        if chat.startswith("@"):
            return f"https://t.me/{chat[1:]}/{message_id}"
        if chat.startswith("-100"):
            return f"https://t.me/c/{chat[4:]}/{message_id}"
        return None

    def find_recent(
        self, request: PublishRequest, *, since: datetime | None = None
    ) -> PublishedPost | None:
        raise self._unsupported(
            "find_recent", "the Bot API cannot list channel history; check the channel by hand"
        )

    def delete(self, post_id: str) -> None:
        # Only messages younger than 48 h can be deleted by a bot.
        for message_id in post_id.split(","):
            payload = {"chat_id": self._credentials["chat_id"], "message_id": int(message_id)}
            self._call("deleteMessage", mutating=True, json=payload)

    def post_metrics(self, post_id: str) -> PostMetrics:
        raise self._unsupported("post_metrics", "the Bot API exposes no view counts")

    def list_comments(self, post_id: str, cursor: str | None = None) -> CommentPage:
        raise self._unsupported(
            "list_comments", "comments arrive as updates from the linked discussion group"
        )

    def reply(
        self, comment_id: str, text: str, *, idempotency_key: str | None = None
    ) -> PublishedPost:
        """Answer a comment; ``comment_id`` is ``"<discussion chat id>:<message id>"``."""
        chat_id, _, message_id = comment_id.rpartition(":")
        if utf16_length(text) > MESSAGE_LIMIT:
            raise Validation("reply longer than 4096 characters", network=self.network)
        payload = {
            "chat_id": chat_id,
            "text": text,
            "reply_parameters": {"message_id": int(message_id)},
        }
        result = self._call("sendMessage", mutating=True, json=payload)
        return PublishedPost(id=f"{chat_id}:{result['message_id']}", url=None, raw=result)

    def follower_count(self) -> int:
        payload = {"chat_id": self._credentials["chat_id"]}
        return int(self._call("getChatMemberCount", mutating=False, json=payload))

    def check_health(self) -> Health:
        """The bot must be a channel admin allowed to post (and, to delete, to delete)."""
        me = self._call("getMe", mutating=False)
        chat_id = self._credentials["chat_id"]
        member = self._call(
            "getChatMember", mutating=False, json={"chat_id": chat_id, "user_id": me["id"]}
        )
        chat = self._call("getChat", mutating=False, json={"chat_id": chat_id})
        problems = []
        status = member.get("status")
        if status not in ("administrator", "creator"):
            problems.append(f"the bot is '{status}' in the channel, not an administrator")
        elif status == "administrator" and member.get("can_post_messages") is False:
            problems.append("the bot may not post messages in the channel")
        return Health(
            ok=not problems,
            account=f"@{me.get('username')}",
            problems=tuple(problems),
            details={
                "bot_id": me["id"],
                "status": status,
                "can_delete_messages": bool(member.get("can_delete_messages")),
                "discussion_chat_id": chat.get("linked_chat_id"),
            },
        )


def telegram_parts(text: str, *, with_media: bool) -> tuple[str | None, list[str]]:
    """(caption, messages) for a post that passed ``check_publishable``.

    With media, a text over 1024 units is cut by ``rules.telegram_split`` into a caption
    and one follow-up message (the composer warned about it); without media the whole
    text is one message.
    """
    if not with_media:
        return None, [text]
    caption, rest = telegram_split(text, CAPTION_LIMIT)
    return (caption or None), ([rest] if rest else [])


def comment_from_update(update: Mapping[str, Any]) -> Comment | None:
    """Read a comment out of a discussion-group update (webhook or getUpdates).

    Telegram forwards each channel post into the linked discussion group
    (``is_automatic_forward``); a comment is a reply inside that thread. The post id
    is the channel message id when the reply targets the forwarded copy; deeper
    replies point at their parent comment (``parent_id``) and carry the thread id.
    """
    message = update.get("message")
    if not isinstance(message, Mapping) or "text" not in message:
        return None
    parent = message.get("reply_to_message")
    if not isinstance(parent, Mapping):
        return None
    chat_id = message["chat"]["id"]
    sender = message.get("from") or {}
    if parent.get("is_automatic_forward"):
        origin = parent.get("forward_origin") or {}
        post_id = str(origin.get("message_id") or parent.get("forward_from_message_id"))
        parent_id = None
    else:
        post_id = f"thread:{message.get('message_thread_id')}"
        parent_id = f"{chat_id}:{parent['message_id']}"
    name = " ".join(p for p in (sender.get("first_name"), sender.get("last_name")) if p)
    return Comment(
        id=f"{chat_id}:{message['message_id']}",
        post_id=post_id,
        author_id=str(sender.get("id", "")),
        author_name=name or sender.get("username"),
        text=message["text"],
        created_at=datetime.fromtimestamp(message["date"], tz=UTC) if "date" in message else None,
        parent_id=parent_id,
        raw=message,
    )


TELEGRAM = Provider(
    slug="telegram",
    display_name="Telegram",
    capabilities=frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.REPLY,
            Capability.FOLLOWER_COUNT,
        }
    ),
    counting_unit="utf16",
    idempotency=Idempotency.NONE,
    idempotency_window=None,
    connection_class=TelegramConnection,
)
