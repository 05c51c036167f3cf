"""Fake VK (networks.md §3): API host, photo upload host and VK ID OAuth host.

Errors come inside HTTP 200 like the real API. The fake checks the classic bugs:
``owner_id`` negative, ``group_id``/``from_group`` positive, ``v`` pinned, the upload's
``photo`` string passed back verbatim, and it honours ``guid`` on wall.post.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.connectors.fakes.core import EXTRA, Call, FakeNetwork, json_response

GROUP_ID = 777
UPLOAD_URL = "https://pu.vk.com/c123/upload.php?act=do_add&gid=777"
UPLOADED_PHOTO = '[{"photo":"abc123","sizes":[],"latitude":0}]'


def vk_error(code: int, message: str, **extra: Any) -> httpx.Response:
    body = {
        "error_code": code,
        "error_msg": message,
        "request_params": [{"key": "v", "value": "5.199"}],
        **extra,
    }
    return json_response(200, {"error": body})


def vk_ok(result: Any) -> httpx.Response:
    return json_response(200, {"response": result})


class FakeVk(FakeNetwork):
    def __init__(self) -> None:
        super().__init__()
        self.access_token = "access-1"
        self.refresh_token = "refresh-1"
        self.device_id = "device-9"
        self.posts: dict[int, dict[str, Any]] = {}
        self.guids: dict[str, int] = {}
        self.next_post = 41
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.next_comment = 900
        # post id → likes.getList filter ("likes" | "copies") → extended items, oldest first
        self.engagers: dict[int, dict[str, list[dict[str, Any]]]] = {}

    def route_of(self, request: httpx.Request) -> str:
        if request.url.host == "pu.vk.com":
            return "upload"
        if request.url.host == "id.vk.com":
            return "oauth2/auth"
        return request.url.path.removeprefix("/method/")

    def default(self, call: Call) -> httpx.Response:
        if call.route == "upload":
            return self._upload(call)
        if call.route == "oauth2/auth":
            return self._refresh(call)
        if call.params.get("v") != "5.199":
            return vk_error(8, "Invalid request: v is required")
        if call.params.get("access_token") != self.access_token:
            return vk_error(5, "User authorization failed: invalid access_token (4).")
        handler = getattr(self, "_" + call.route.replace(".", "_"))
        return handler(call.params)

    # --- other hosts ---

    def _upload(self, call: Call) -> httpx.Response:
        if "photo" not in call.files:
            return json_response(200, {"server": 123, "photo": "[]", "hash": "none"})
        return json_response(200, {"server": 123, "photo": UPLOADED_PHOTO, "hash": "h1", **EXTRA})

    def _refresh(self, call: Call) -> httpx.Response:
        p = call.params
        if (p.get("grant_type"), p.get("refresh_token"), p.get("device_id")) != (
            "refresh_token",
            self.refresh_token,
            self.device_id,
        ):
            return json_response(
                400, {"error": "invalid_grant", "error_description": "Refresh token is invalid"}
            )
        number = int(self.refresh_token.rsplit("-", 1)[1]) + 1
        self.access_token, self.refresh_token = f"access-{number}", f"refresh-{number}"
        body = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": 3600,
            "user_id": 1,
            "token_type": "Bearer",
            "scope": "wall photos groups",
            **EXTRA,
        }
        return json_response(200, body)

    # --- API methods ---

    def _check_owner(self, params: dict[str, Any]) -> httpx.Response | None:
        if params.get("owner_id") != f"-{GROUP_ID}":
            return vk_error(100, "One of the parameters specified was missing or invalid: owner_id")
        return None

    def _wall_post(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        if p.get("from_group") != "1":
            return vk_error(100, "from_group must be 1")
        for attachment in filter(None, p.get("attachments", "").split(",")):
            if attachment != f"photo-{GROUP_ID}_456_ak":
                return vk_error(100, f"bad attachment {attachment}")
        guid = p.get("guid")
        if guid in self.guids:
            return vk_ok({"post_id": self.guids[guid]})
        self.next_post += 1
        self.posts[self.next_post] = {
            "id": self.next_post,
            "text": p.get("message", ""),
            "date": 1772366400,
        }
        if guid:
            self.guids[guid] = self.next_post
        return vk_ok({"post_id": self.next_post, **EXTRA})

    def _photos_getWallUploadServer(self, p: dict[str, Any]) -> httpx.Response:
        if p.get("group_id") != str(GROUP_ID):
            return vk_error(100, "group_id must be positive")
        return vk_ok({"upload_url": UPLOAD_URL, "album_id": -14, "user_id": 1, **EXTRA})

    def _photos_saveWallPhoto(self, p: dict[str, Any]) -> httpx.Response:
        if p.get("group_id") != str(GROUP_ID):
            return vk_error(100, "group_id must be positive")
        if (p.get("photo"), p.get("server"), p.get("hash")) != (UPLOADED_PHOTO, "123", "h1"):
            return vk_error(121, "Invalid hash")
        return vk_ok([{"id": 456, "owner_id": -GROUP_ID, "access_key": "ak", "sizes": [], **EXTRA}])

    def _wall_delete(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        if self.posts.pop(int(p["post_id"]), None) is None:
            return vk_error(104, "Not found")
        return vk_ok(1)

    def _wall_getById(self, p: dict[str, Any]) -> httpx.Response:
        owner, _, post_id = p["posts"].partition("_")
        if owner != f"-{GROUP_ID}" or int(post_id) not in self.posts:
            return vk_ok({"items": []})
        item = {
            "id": int(post_id),
            "likes": {"count": 5, "user_likes": 0},
            "reposts": {"count": 1},
            "comments": {"count": 3},
            "views": {"count": 1200},
            **EXTRA,
        }
        return vk_ok({"items": [item], "profiles": [], "groups": []})

    def _wall_get(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        items = sorted(self.posts.values(), key=lambda post: -post["id"])[: int(p.get("count", 20))]
        return vk_ok({"count": len(self.posts), "items": [{**item, **EXTRA} for item in items]})

    def _wall_getComments(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        top = self.comments.get(int(p["post_id"]), [])
        offset, count = int(p.get("offset", 0)), int(p.get("count", 10))
        page = top[offset : offset + count]
        return vk_ok(
            {
                "count": len(top) + sum(len(c.get("thread", {}).get("items", [])) for c in top),
                "current_level_count": len(top),
                "can_post": True,
                "items": page,
                "profiles": [{"id": 5, "first_name": "Ivan", "last_name": "Petrov"}],
                "groups": [{"id": GROUP_ID, "name": "Hearth"}],
            }
        )

    def _likes_getList(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        if p.get("type") != "post" or p.get("filter") not in ("likes", "copies"):
            return vk_error(100, "One of the parameters specified was missing or invalid: type")
        if p.get("extended") == "1" and int(p.get("count", 100)) > 100:
            return vk_error(100, "count must be at most 100 with extended=1")
        listed = self.engagers.get(int(p["item_id"]), {}).get(p["filter"], [])
        offset, count = int(p.get("offset", 0)), int(p.get("count", 100))
        page = listed[offset : offset + count]
        if p.get("extended") != "1":
            page = [item["id"] for item in page]
        return vk_ok({"count": len(listed), "items": page, **EXTRA})

    def _wall_createComment(self, p: dict[str, Any]) -> httpx.Response:
        if (bad := self._check_owner(p)) is not None:
            return bad
        if p.get("from_group") != str(GROUP_ID):
            return vk_error(100, "from_group must be the positive group id")
        self.next_comment += 1
        return vk_ok(
            {"comment_id": self.next_comment, "parents_stack": [int(p.get("reply_to_comment", 0))]}
        )

    def _groups_getMembers(self, p: dict[str, Any]) -> httpx.Response:
        return vk_ok({"count": 1234, "items": [], "next_from": "x"})

    def _groups_getById(self, p: dict[str, Any]) -> httpx.Response:
        group = {
            "id": GROUP_ID,
            "name": "Hearth",
            "screen_name": "hearth",
            "is_admin": 1,
            "admin_level": 3,
            "members_count": 1234,
        }
        return vk_ok({"groups": [{**group, **EXTRA}], "profiles": []})
