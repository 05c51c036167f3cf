"""Fake Mastodon instance (networks.md §8): statuses, v2 media with 202 processing, limits."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.connectors.fakes.core import EXTRA, Call, FakeNetwork, json_response

INSTANCE = "https://mastodon.example"
TOKEN = "mastodon-token"
_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def masto_error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx.Response:
    return json_response(status, {"error": message}, headers)


class FakeMastodon(FakeNetwork):
    def __init__(self, max_characters: int = 500) -> None:
        super().__init__()
        self.max_characters = max_characters
        self.statuses: dict[str, dict[str, Any]] = {}
        self.idempotency: dict[str, str] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.polls_until_ready = (
            0  # >0: POST /api/v2/media answers 202, GET answers 206 this many times
        )
        self.next_id = 110000000000000000

    def route_of(self, request: httpx.Request) -> str:
        return f"{request.method} {_ID_SEGMENT.sub('/:id', request.url.path)}"

    def default(self, call: Call) -> httpx.Response:
        if call.headers.get("authorization") != f"Bearer {TOKEN}":
            return masto_error(401, "The access token is invalid")
        segments = call.path.split("/")
        handlers = {
            "GET /api/v2/instance": self._instance,
            "GET /api/v1/accounts/verify_credentials": self._me,
            "POST /api/v1/statuses": self._post_status,
            "POST /api/v2/media": self._upload,
            "GET /api/v1/media/:id": lambda c: self._poll(segments[4]),
            "GET /api/v1/statuses/:id": lambda c: self._get_status(segments[4]),
            "DELETE /api/v1/statuses/:id": lambda c: self._delete(segments[4]),
            "GET /api/v1/statuses/:id/context": lambda c: self._context(segments[4]),
            "GET /api/v1/accounts/:id/statuses": self._account_statuses,
        }
        return handlers[call.route](call)

    def _new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    def _instance(self, call: Call) -> httpx.Response:
        configuration = {
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": 4,
                "characters_reserved_per_url": 23,
            },
            "media_attachments": {
                "image_size_limit": 16777216,
                "description_limit": 1500,
                "supported_mime_types": ["image/jpeg"],
            },
            "urls": {"streaming": "wss://mastodon.example"},
        }
        return json_response(
            200,
            {
                "domain": "mastodon.example",
                "version": "4.3.0",
                "configuration": configuration,
                **EXTRA,
            },
        )

    def _me(self, call: Call) -> httpx.Response:
        return json_response(
            200,
            {
                "id": "7",
                "acct": "hearth",
                "followers_count": 321,
                "following_count": 5,
                "statuses_count": 9,
                **EXTRA,
            },
        )

    def _post_status(self, call: Call) -> httpx.Response:
        key = call.headers.get("idempotency-key")
        if key and key in self.idempotency:
            return json_response(200, self.statuses[self.idempotency[key]])
        text = call.params.get("status", "")
        if not text and not call.params.get("media_ids"):
            return masto_error(422, "Validation failed: Text can't be blank")
        if len(text) > self.max_characters + 200:  # the fake does not count URLs as 23
            return masto_error(
                422, f"Validation failed: Text character limit of {self.max_characters} exceeded"
            )
        for media_id in call.params.get("media_ids", []):
            if self.media.get(media_id, {}).get("url") is None:
                return masto_error(422, "Validation failed: media still processing")
        status_id = self._new_id()
        status = {
            "id": status_id,
            "uri": f"{INSTANCE}/users/hearth/statuses/{status_id}",
            "url": f"{INSTANCE}/@hearth/{status_id}",
            "created_at": "2026-03-01T12:00:00.000Z",
            "content": "".join(f"<p>{para}</p>" for para in text.split("\n\n")),
            "visibility": call.params.get("visibility"),
            "in_reply_to_id": call.params.get("in_reply_to_id"),
            "account": {"id": "7", "acct": "hearth"},
            "replies_count": 2,
            "reblogs_count": 4,
            "favourites_count": 11,
            "media_attachments": [self.media[m] for m in call.params.get("media_ids", [])],
            **EXTRA,
        }
        self.statuses[status_id] = status
        if key:
            self.idempotency[key] = status_id
        return json_response(200, status)

    def _upload(self, call: Call) -> httpx.Response:
        if "file" not in call.files:
            return masto_error(422, "Validation failed: File can't be blank")
        media_id = self._new_id()
        ready = self.polls_until_ready == 0
        self.media[media_id] = {
            "id": media_id,
            "type": "image",
            "url": f"{INSTANCE}/media/{media_id}.jpg" if ready else None,
            "preview_url": f"{INSTANCE}/media/{media_id}_small.jpg",
            "description": call.params.get("description"),
            "_polls_left": self.polls_until_ready,
            **EXTRA,
        }
        return json_response(200 if ready else 202, self.media[media_id])

    def _poll(self, media_id: str) -> httpx.Response:
        media = self.media[media_id]
        if media["_polls_left"] > 0:
            media["_polls_left"] -= 1
            return json_response(206, media)
        media["url"] = f"{INSTANCE}/media/{media_id}.jpg"
        return json_response(200, media)

    def _get_status(self, status_id: str) -> httpx.Response:
        if status_id not in self.statuses:
            return masto_error(404, "Record not found")
        return json_response(200, self.statuses[status_id])

    def _delete(self, status_id: str) -> httpx.Response:
        status = self.statuses.pop(status_id, None)
        if status is None:
            return masto_error(404, "Record not found")
        return json_response(200, {**status, "text": "source text"})

    def _context(self, status_id: str) -> httpx.Response:
        descendants = [s for s in self.statuses.values() if s.get("in_reply_to_id")]
        return json_response(200, {"ancestors": [], "descendants": descendants})

    def _account_statuses(self, call: Call) -> httpx.Response:
        newest = sorted(self.statuses.values(), key=lambda s: s["id"], reverse=True)
        return json_response(200, newest[: int(call.params.get("limit", 20))])
