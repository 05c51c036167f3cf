"""Fake Bluesky PDS (networks.md §9): sessions with JWT expiry, records with rkeys, blobs.

Access and refresh tokens are JWT-shaped (``exp`` claim) so the connector's early
refresh can be tested with the injected clock.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import Any

import httpx
import regex

from tests.connectors.fakes.core import EXTRA, Call, FakeNetwork, json_response

PDS = "https://pds.example"
DID = "did:plc:hearth"
HANDLE = "hearth.test"
APP_PASSWORD = "abcd-efgh-ijkl-mnop"
_TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")


def jwt(subject: str, expires: datetime, serial: int) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'ES256K'})}.{part({'sub': subject, 'exp': int(expires.timestamp()), 'n': serial})}.sig"


def xrpc_error(
    status: int, name: str, message: str, headers: dict[str, str] | None = None
) -> httpx.Response:
    return json_response(status, {"error": name, "message": message}, headers)


class FakeBluesky(FakeNetwork):
    def __init__(self, token_expiry: datetime) -> None:
        super().__init__()
        self.token_expiry = token_expiry
        self.serial = 0
        self.access = ""
        self.refresh = ""
        self.expired: set[str] = set()
        self.records: dict[str, dict[str, Any]] = {}
        self.handles = {"alice.test": "did:plc:alice"}
        self.extra_posts: dict[str, dict[str, Any]] = {}  # other people's posts by uri
        self.thread: dict[str, Any] | None = None
        # post uri → likes (``{"actor", "createdAt", "indexedAt"}``) / reposting profiles
        self.likes: dict[str, list[dict[str, Any]]] = {}
        self.reposts: dict[str, list[dict[str, Any]]] = {}

    def route_of(self, request: httpx.Request) -> str:
        return request.url.path.removeprefix("/xrpc/")

    def issue(self) -> dict[str, Any]:
        self.serial += 1
        self.access = jwt(DID, self.token_expiry, self.serial)
        self.refresh = f"refresh-{self.serial}"
        service = [
            {"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": PDS}
        ]
        return {
            "accessJwt": self.access,
            "refreshJwt": self.refresh,
            "did": DID,
            "handle": HANDLE,
            "didDoc": {"id": DID, "service": service},
            "active": True,
            **EXTRA,
        }

    def default(self, call: Call) -> httpx.Response:
        bearer = call.headers.get("authorization", "").removeprefix("Bearer ")
        if call.route == "com.atproto.server.createSession":
            if (call.params.get("identifier"), call.params.get("password")) != (
                HANDLE,
                APP_PASSWORD,
            ):
                return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
            return json_response(200, self.issue())
        if call.route == "com.atproto.server.refreshSession":
            if bearer != self.refresh:
                return xrpc_error(400, "ExpiredToken", "Token has expired")
            return json_response(200, self.issue())
        if bearer in self.expired:
            return xrpc_error(400, "ExpiredToken", "Token has expired")
        if bearer != self.access:
            return xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        return getattr(self, "_" + call.route.rsplit(".", 1)[-1])(call)

    def uri(self, rkey: str) -> str:
        return f"at://{DID}/app.bsky.feed.post/{rkey}"

    def _createRecord(self, call: Call) -> httpx.Response:
        p = call.params
        if p.get("repo") != DID or p.get("collection") != "app.bsky.feed.post":
            return xrpc_error(400, "InvalidRequest", "bad repo or collection")
        rkey = p.get("rkey")
        if not _TID.fullmatch(rkey or ""):
            return xrpc_error(400, "InvalidRequest", "Invalid record key: must be a TID")
        if rkey in self.records:
            return xrpc_error(400, "InvalidRequest", "Record already exists")
        record = p["record"]
        if len(regex.findall(r"\X", record["text"])) > 300:
            return xrpc_error(
                400, "InvalidRequest", "Invalid app.bsky.feed.post record: text too long"
            )
        size = len(record["text"].encode())
        for facet in record.get("facets", []):
            if not 0 <= facet["index"]["byteStart"] < facet["index"]["byteEnd"] <= size:
                return xrpc_error(400, "InvalidRequest", "facet out of range")
        self.records[rkey] = {"uri": self.uri(rkey), "cid": f"bafy{rkey}", "value": record}
        return json_response(
            200,
            {
                "uri": self.uri(rkey),
                "cid": f"bafy{rkey}",
                "commit": {"cid": "c", "rev": "r"},
                "validationStatus": "valid",
            },
        )

    def _getRecord(self, call: Call) -> httpx.Response:
        record = self.records.get(call.params.get("rkey", ""))
        if record is None:
            return xrpc_error(
                400, "RecordNotFound", f"Could not locate record: {call.params.get('rkey')}"
            )
        return json_response(200, {**record, **EXTRA})

    def _deleteRecord(self, call: Call) -> httpx.Response:
        self.records.pop(call.params["rkey"], None)  # deleting a missing record is not an error
        return json_response(200, {"commit": {"cid": "c", "rev": "r2"}})

    def _uploadBlob(self, call: Call) -> httpx.Response:
        blob = {
            "$type": "blob",
            "ref": {"$link": f"bafkrei{len(call.raw)}"},
            "mimeType": call.headers["content-type"],
            "size": len(call.raw),
        }
        return json_response(200, {"blob": blob})

    def _resolveHandle(self, call: Call) -> httpx.Response:
        did = self.handles.get(call.params.get("handle", ""))
        if did is None:
            return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
        return json_response(200, {"did": did})

    def _post_view(self, uri: str) -> dict[str, Any] | None:
        if uri in self.extra_posts:
            return self.extra_posts[uri]
        rkey = uri.rsplit("/", 1)[-1]
        if rkey not in self.records:
            return None
        record = self.records[rkey]
        return {
            "uri": uri,
            "cid": record["cid"],
            "author": {"did": DID, "handle": HANDLE},
            "record": record["value"],
            "likeCount": 8,
            "repostCount": 2,
            "replyCount": 1,
            "quoteCount": 0,
            "indexedAt": "2026-03-01T12:00:01.000Z",
            **EXTRA,
        }

    def _getPosts(self, call: Call) -> httpx.Response:
        uris = call.params.get("uris", [])
        uris = [uris] if isinstance(uris, str) else uris
        return json_response(200, {"posts": [p for p in map(self._post_view, uris) if p]})

    def _getPostThread(self, call: Call) -> httpx.Response:
        return json_response(200, {"thread": self.thread})

    def _getProfile(self, call: Call) -> httpx.Response:
        return json_response(
            200,
            {
                "did": DID,
                "handle": HANDLE,
                "followersCount": 77,
                "followsCount": 3,
                "postsCount": 12,
                **EXTRA,
            },
        )

    def _engager_page(self, call: Call, listed: list[dict[str, Any]], key: str) -> httpx.Response:
        """A page of ``limit`` (≤ 100); the cursor is an opaque token holding the offset."""
        limit = int(call.params.get("limit", 50))
        if not 1 <= limit <= 100:
            return xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
        cursor = call.params.get("cursor")
        start = int(cursor.removeprefix("c")) if cursor else 0
        page = listed[start : start + limit]
        body: dict[str, Any] = {"uri": call.params.get("uri"), key: page, **EXTRA}
        if start + limit < len(listed):
            body["cursor"] = f"c{start + limit}"
        return json_response(200, body)

    def _getLikes(self, call: Call) -> httpx.Response:
        return self._engager_page(call, self.likes.get(call.params.get("uri", ""), []), "likes")

    def _getRepostedBy(self, call: Call) -> httpx.Response:
        listed = self.reposts.get(call.params.get("uri", ""), [])
        return self._engager_page(call, listed, "repostedBy")
