"""Fake Telegram Bot API (networks.md §2): ``POST /bot<token>/<method>``, ``ok`` envelope."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.connectors.fakes.core import EXTRA, Call, FakeNetwork, json_response

TOKEN = "123456:TEST-token"
CHANNEL = "@hearth_test"


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def error(code: int, description: str, **parameters: Any) -> httpx.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return json_response(code, body)


def ok(result: Any) -> httpx.Response:
    return json_response(200, {"ok": True, "result": result})


class FakeTelegram(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.token = TOKEN
        self.messages: dict[int, dict[str, Any]] = {}
        self.next_id = 100
        self.member_status = "administrator"
        self.can_post = True

    def route_of(self, request: httpx.Request) -> str:
        return request.url.path.rsplit("/", 1)[-1]

    def _message(self, chat_id: Any, **content: Any) -> dict[str, Any]:
        self.next_id += 1
        message = {
            "message_id": self.next_id,
            "chat": {"id": -1001234567890, "type": "channel", "username": "hearth_test", **EXTRA},
            "date": 1772366400,
            "sender_chat": {"id": -1001234567890, "type": "channel"},
            **content,
            **EXTRA,
        }
        self.messages[self.next_id] = message
        return message

    def default(self, call: Call) -> httpx.Response:
        if call.path.split("/")[1] != f"bot{self.token}":
            return error(401, "Unauthorized")
        handler = getattr(self, f"_{call.route}", None)
        if handler is None:
            return error(404, "Not Found")
        return handler(call)

    def _sendMessage(self, call: Call) -> httpx.Response:
        text = call.params.get("text", "")
        if not text:
            return error(400, "Bad Request: message text is empty")
        if utf16(text) > 4096:
            return error(400, "Bad Request: message is too long")
        return ok(self._message(call.params["chat_id"], text=text))

    def _sendPhoto(self, call: Call) -> httpx.Response:
        if "photo" not in call.files:
            return error(400, "Bad Request: there is no photo in the request")
        caption = call.params.get("caption", "")
        if utf16(caption) > 1024:
            return error(400, "Bad Request: MEDIA_CAPTION_TOO_LONG")
        photo = [
            {"file_id": "AgAC", "file_unique_id": "u1", "width": 90, "height": 60, "file_size": 999}
        ]
        return ok(self._message(call.params["chat_id"], photo=photo, caption=caption or None))

    def _sendMediaGroup(self, call: Call) -> httpx.Response:
        media = json.loads(call.params["media"])
        if not 2 <= len(media) <= 10:
            return error(400, "Bad Request: wrong number of messages in the media group")
        results = []
        for item in media:
            name = item["media"].removeprefix("attach://")
            if name not in call.files:
                return error(400, f"Bad Request: file {name} not found in the request")
            if utf16(item.get("caption", "")) > 1024:
                return error(400, "Bad Request: MEDIA_CAPTION_TOO_LONG")
            results.append(self._message(call.params["chat_id"], caption=item.get("caption")))
        return ok(results)

    def _deleteMessage(self, call: Call) -> httpx.Response:
        if self.messages.pop(int(call.params["message_id"]), None) is None:
            return error(400, "Bad Request: message to delete not found")
        return ok(True)

    def _getChatMemberCount(self, call: Call) -> httpx.Response:
        return ok(1234)

    def _getMe(self, call: Call) -> httpx.Response:
        return ok(
            {"id": 999, "is_bot": True, "first_name": "Hearth", "username": "hearth_bot", **EXTRA}
        )

    def _getChatMember(self, call: Call) -> httpx.Response:
        member = {
            "status": self.member_status,
            "user": {"id": call.params["user_id"], "is_bot": True},
            "can_post_messages": self.can_post,
            "can_delete_messages": True,
            **EXTRA,
        }
        return ok(member)

    def _getChat(self, call: Call) -> httpx.Response:
        return ok({"id": -1001234567890, "type": "channel", "linked_chat_id": -1009876, **EXTRA})
