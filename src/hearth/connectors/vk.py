"""VK community-wall connector (``POST https://api.vk.com/method/<name>``, API 5.199).

Credentials: ``access_token`` (VK ID user key of a group admin, lives 1 hour),
``refresh_token``, ``device_id``, ``client_id`` (all three needed for a refresh),
``group_id`` (positive), ``expires_at`` (ISO 8601, set by every refresh), optional
``api_base_url`` / ``id_base_url`` for a local fake.

VK reports errors inside HTTP 200 (``{"error": {"error_code": …}}``), so the body is
always parsed before the status. ``owner_id`` is the *negative* group id, while
``group_id`` and ``from_group`` (in comments) are positive: one helper computes each.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hearth.connectors.base import (
    BaseConnection,
    Capability,
    Comment,
    CommentPage,
    Credentials,
    Engager,
    EngagerPage,
    Health,
    Idempotency,
    MediaFile,
    PostMetrics,
    Provider,
    PublishedPost,
    PublishRequest,
    check_publishable,
    texts_match,
)
from hearth.connectors.errors import (
    Ambiguous,
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    Flood,
    MediaRejected,
    NotFound,
    PermissionDenied,
    QuotaExhausted,
    RateLimited,
    Transient,
    Validation,
)

API_BASE = "https://api.vk.com/method"
ID_BASE = "https://id.vk.com"
API_VERSION = "5.199"
REFRESH_MARGIN = timedelta(seconds=60)
RECONCILE_WINDOW = 20  # newest wall posts searched when reconciling
ENGAGERS_PAGE = 100  # likes.getList allows at most 100 per call with extended=1
# likes.getList's filter: "likes" lists who liked, "copies" who reposted (shared).
_ENGAGER_FILTER = {"like": "likes", "repost": "copies"}

_PERMISSION_CODES = {7, 15, 27, 200, 203, 210, 212, 213, 214, 703}
_VALIDATION_CODES = {100, 113, 222, 223}
_MEDIA_CODES = {114, 118, 121, 129}


class VkConnection(BaseConnection):
    network = "vk"

    # --- ids ----------------------------------------------------------------------------

    @property
    def group_id(self) -> int:
        return abs(int(self._credentials["group_id"]))

    @property
    def owner_id(self) -> int:
        return -self.group_id

    def _post_url(self, post_id: str) -> str:
        return f"https://vk.com/wall{self.owner_id}_{post_id}"

    # --- transport ----------------------------------------------------------------------

    def _call(self, method: str, params: Mapping[str, Any], *, mutating: bool = False) -> Any:
        self._refresh_if_due()
        return self._with_auth_retry(lambda: self._call_once(method, params, mutating=mutating))

    def _call_once(self, method: str, params: Mapping[str, Any], *, mutating: bool) -> Any:
        base = str(self._credentials.get("api_base_url") or API_BASE).rstrip("/")
        form = {
            **{k: str(v) for k, v in params.items() if v is not None},
            "access_token": self._credentials["access_token"],
            "v": str(self._credentials.get("api_version") or API_VERSION),
        }
        response = self._send("POST", f"{base}/{method}", mutating=mutating, data=form)
        if response.status_code >= 500:
            raise self._server_error(response, mutating=mutating)
        try:
            body = response.json()
        except ValueError:
            raise Transient(f"unreadable answer to {method}", network=self.network) from None
        if isinstance(body, dict) and "error" in body:
            raise self._map_error(body["error"], mutating=mutating)
        if isinstance(body, dict) and "response" in body:
            return body["response"]
        raise Transient(f"unexpected answer to {method}", network=self.network)

    def _map_error(self, error: Mapping[str, Any], *, mutating: bool) -> ConnectorError:
        code = int(error.get("error_code", 0))
        message = str(error.get("error_msg", ""))
        vendor: dict[str, Any] = {
            "network": self.network,
            "vendor_code": code,
            "vendor_message": message,
        }
        now = self._now()
        if code == 6:
            return RateLimited(
                "too many requests per second", retry_after=timedelta(seconds=1), **vendor
            )
        if code == 9:
            return Flood(
                "flood control: same action too often", retry_after=timedelta(minutes=15), **vendor
            )
        if code == 14:
            return Flood(
                "VK asks for a captcha",
                retry_after=timedelta(hours=1),
                needs_operator=True,
                details={
                    "captcha_sid": error.get("captcha_sid"),
                    "captcha_img": error.get("captcha_img"),
                },
                **vendor,
            )
        if code == 1105:
            return Flood("authorization flood", retry_after=timedelta(minutes=10), **vendor)
        # VK does not say when a daily quota resets; a full day from now is the safe bound.
        if code in (29, 601) or (code == 214 and "day" in message.lower()):
            return QuotaExhausted("daily limit reached", reset_at=now + timedelta(days=1), **vendor)
        if code == 5:
            return AuthExpired("access token expired or invalid", **vendor)
        if code == 17:
            return AuthRevoked("VK requires the user to validate the account", **vendor)
        if code in _PERMISSION_CODES:
            return PermissionDenied(message or "access denied", **vendor)
        if code == 104:
            return NotFound(message or "not found", **vendor)
        if code in _MEDIA_CODES:
            return MediaRejected(message or "photo rejected", **vendor)
        if code in (1, 10):
            if mutating:
                return Ambiguous("VK internal error after sending", **vendor)
            return Transient("VK internal error", **vendor)
        if code in _VALIDATION_CODES:
            return Validation(message or "invalid request", **vendor)
        return Validation(message or f"VK error {code}", **vendor)

    # --- credentials --------------------------------------------------------------------

    def _can_refresh(self) -> bool:
        return all(self._credentials.get(k) for k in ("refresh_token", "device_id", "client_id"))

    def _refresh_if_due(self) -> None:
        expires_at = self._credentials.get("expires_at")
        if not expires_at or not self._can_refresh():
            return
        if self._now() >= datetime.fromisoformat(expires_at) - REFRESH_MARGIN:
            self._refresh_through_hook()

    def refresh_credentials(self) -> Credentials:
        """Exchange the refresh token at VK ID (OAuth 2.1); returns credentials to persist.

        The refresh token rotates: the answer's new ``refresh_token`` replaces the old
        one, which stops working, so the caller must store the returned dict.
        """
        if not self._can_refresh():
            raise AuthRevoked("no refresh token, device_id or client_id", network=self.network)
        base = str(self._credentials.get("id_base_url") or ID_BASE).rstrip("/")
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._credentials["refresh_token"],
            "client_id": str(self._credentials["client_id"]),
            "device_id": self._credentials["device_id"],
        }
        response = self._send("POST", f"{base}/oauth2/auth", mutating=True, data=form)
        if response.status_code >= 500:
            raise self._server_error(response, mutating=True)
        try:
            body = response.json()
        except ValueError:
            raise Transient("unreadable refresh answer", network=self.network) from None
        if "error" in body or "access_token" not in body:
            raise AuthRevoked(
                "VK ID refused the refresh token; reconnect the account",
                network=self.network,
                vendor_code=body.get("error"),
                vendor_message=body.get("error_description"),
            )
        fresh = {
            **self._credentials,
            "access_token": body["access_token"],
            "refresh_token": body.get("refresh_token") or self._credentials["refresh_token"],
            "expires_at": (
                self._now() + timedelta(seconds=int(body.get("expires_in", 3600)))
            ).isoformat(),
        }
        self._adopt(fresh)
        return dict(fresh)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> PublishedPost:
        check_publishable(self.network, request.text, request.images)
        attachments = [self._upload_photo(image) for image in request.images]
        params = {
            "owner_id": self.owner_id,
            "from_group": 1,
            "message": request.text or None,
            "attachments": ",".join(attachments) or None,
            "guid": request.idempotency_key,  # VK drops a repeated wall.post with this guid
        }
        result = self._call("wall.post", params, mutating=True)
        post_id = str(result["post_id"])
        return PublishedPost(id=post_id, url=self._post_url(post_id), raw=result)

    def _upload_photo(self, image: MediaFile) -> str:
        """photos.getWallUploadServer → POST to the upload host → photos.saveWallPhoto.

        An upload that is never attached to a post is harmless, so these steps count as
        safe to retry; only wall.post is a mutation.
        """
        server = self._call("photos.getWallUploadServer", {"group_id": self.group_id})
        files = {"photo": (image.filename, image.content, image.mime_type)}
        response = self._send("POST", server["upload_url"], mutating=False, files=files)
        if response.status_code >= 500:
            raise self._server_error(response, mutating=False)
        try:
            uploaded = response.json()  # not wrapped in "response"
        except ValueError:
            raise Transient("unreadable upload answer", network=self.network) from None
        if "error" in uploaded or uploaded.get("photo") in (None, "", "[]"):
            raise MediaRejected(
                "VK's upload server did not accept the image",
                network=self.network,
                vendor_message=str(uploaded.get("error", "")),
            )
        saved = self._call(
            "photos.saveWallPhoto",
            {
                "group_id": self.group_id,
                "photo": uploaded["photo"],  # passed through verbatim
                "server": uploaded["server"],
                "hash": uploaded["hash"],
            },
        )
        photo = saved[0]
        attachment = f"photo{photo['owner_id']}_{photo['id']}"
        return f"{attachment}_{photo['access_key']}" if photo.get("access_key") else attachment

    def find_recent(
        self, request: PublishRequest, *, since: datetime | None = None
    ) -> PublishedPost | None:
        """Look for our post among the newest wall posts by text (VK never echoes guid)."""
        wall = self._call(
            "wall.get", {"owner_id": self.owner_id, "count": RECONCILE_WINDOW, "filter": "owner"}
        )
        for item in wall.get("items", []):
            posted = datetime.fromtimestamp(item.get("date", 0), tz=UTC)
            if since is not None and posted < since:
                continue
            if texts_match(item.get("text", ""), request.text):
                post_id = str(item["id"])
                return PublishedPost(id=post_id, url=self._post_url(post_id), raw=item)
        return None

    def delete(self, post_id: str) -> None:
        self._call("wall.delete", {"owner_id": self.owner_id, "post_id": post_id}, mutating=True)

    def post_metrics(self, post_id: str) -> PostMetrics:
        answer = self._call("wall.getById", {"posts": f"{self.owner_id}_{post_id}"})
        items = answer.get("items", []) if isinstance(answer, dict) else answer
        if not items:
            raise NotFound(f"post {post_id} not found", network=self.network)
        item = items[0]

        def count(name: str) -> int | None:
            block = item.get(name)
            return int(block["count"]) if isinstance(block, dict) and "count" in block else None

        return PostMetrics(
            likes=count("likes"),
            reposts=count("reposts"),
            comments=count("comments"),
            views=count("views"),
            raw=item,
        )

    def list_comments(self, post_id: str, cursor: str | None = None) -> CommentPage:
        offset = int(cursor or 0)
        answer = self._call(
            "wall.getComments",
            {
                "owner_id": self.owner_id,
                "post_id": post_id,
                "count": 100,
                "offset": offset,
                "sort": "asc",
                "extended": 1,
                "need_likes": 1,
                "thread_items_count": 10,
            },
        )
        names = {
            p["id"]: f"{p.get('first_name', '')} {p.get('last_name', '')}".strip()
            for p in answer.get("profiles", [])
        }
        names.update({-g["id"]: g.get("name", "") for g in answer.get("groups", [])})
        comments: list[Comment] = []
        top_level = answer.get("items", [])
        for item in top_level:
            comments.append(self._comment(post_id, item, names))
            for child in (item.get("thread") or {}).get("items", []):
                comments.append(self._comment(post_id, child, names))
        seen = offset + len(top_level)
        total = int(answer.get("current_level_count", answer.get("count", 0)))
        return CommentPage(
            tuple(comments), next_cursor=str(seen) if seen < total and top_level else None
        )

    def _comment(self, post_id: str, item: Mapping[str, Any], names: Mapping[int, str]) -> Comment:
        parent = item.get("reply_to_comment")
        return Comment(
            id=f"{post_id}:{item['id']}",
            post_id=post_id,
            author_id=str(item.get("from_id", "")),
            author_name=names.get(item.get("from_id", 0)) or None,
            text=item.get("text", ""),
            created_at=datetime.fromtimestamp(item["date"], tz=UTC) if "date" in item else None,
            parent_id=f"{post_id}:{parent}" if parent else None,
            raw=item,
        )

    def list_engagers(self, post_id: str, kind: str, cursor: str | None = None) -> EngagerPage:
        """Who liked or reposted a wall post (``likes.getList type=post``), 100 per page.

        VK gives no time for a like or a repost, so ``Engager.at`` is None. With
        ``extended=1`` the items are profiles (users) or groups; a group's id is returned
        negative, like ``from_id`` in comments, so one account has one id everywhere.
        """
        self._check_engager_kind(kind)
        offset = int(cursor or 0)
        answer = self._call(
            "likes.getList",
            {
                "type": "post",
                "owner_id": self.owner_id,
                "item_id": post_id,
                "filter": _ENGAGER_FILTER[kind],
                "extended": 1,
                "offset": offset,
                "count": ENGAGERS_PAGE,
            },
        )
        items = answer.get("items", [])
        engagers = tuple(self._engager(item, kind) for item in items)
        seen = offset + len(items)
        more = bool(items) and seen < int(answer.get("count", 0))
        return EngagerPage(engagers, next_cursor=str(seen) if more else None)

    def _engager(self, item: Any, kind: str) -> Engager:
        if not isinstance(item, Mapping):  # extended=0 answers bare user ids
            return Engager(user_id=str(item), name=None, kind=kind)
        if item.get("type") in ("group", "page", "event"):
            return Engager(
                user_id=str(-abs(int(item["id"]))), name=item.get("name"), kind=kind, raw=item
            )
        name = f"{item.get('first_name', '')} {item.get('last_name', '')}".strip()
        return Engager(user_id=str(item["id"]), name=name or None, kind=kind, raw=item)

    def reply(
        self, comment_id: str, text: str, *, idempotency_key: str | None = None
    ) -> PublishedPost:
        """Answer a comment as the community; ``comment_id`` is ``"<post id>:<comment id>"``."""
        post_id, _, parent = comment_id.partition(":")
        result = self._call(
            "wall.createComment",
            {
                "owner_id": self.owner_id,
                "post_id": post_id,
                "from_group": self.group_id,  # positive here, unlike owner_id
                "message": text,
                "reply_to_comment": parent,
                "guid": idempotency_key,
            },
            mutating=True,
        )
        new_id = result["comment_id"]
        return PublishedPost(
            id=f"{post_id}:{new_id}", url=f"{self._post_url(post_id)}?reply={new_id}", raw=result
        )

    def follower_count(self) -> int:
        return int(
            self._call("groups.getMembers", {"group_id": self.group_id, "count": 0})["count"]
        )

    def check_health(self) -> Health:
        answer = self._call(
            "groups.getById",
            {"group_id": self.group_id, "fields": "members_count,is_admin,admin_level"},
        )
        groups = answer.get("groups", []) if isinstance(answer, dict) else answer
        if not groups:
            raise NotFound(f"group {self.group_id} not found", network=self.network)
        group = groups[0]
        problems = []
        if not group.get("is_admin"):
            problems.append("the connected user is not an admin or editor of the community")
        return Health(
            ok=not problems,
            account=group.get("screen_name") or str(self.group_id),
            problems=tuple(problems),
            details={"name": group.get("name"), "members_count": group.get("members_count")},
        )


VK = Provider(
    slug="vk",
    display_name="VK",
    capabilities=frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.POST_METRICS,
            Capability.LIST_COMMENTS,
            Capability.REPLY,
            Capability.FOLLOWER_COUNT,
            Capability.REFRESH,
            Capability.RECONCILE,
            Capability.LIST_ENGAGERS,
        }
    ),
    counting_unit="chars",
    idempotency=Idempotency.REQUEST_KEY,
    idempotency_window=None,  # ⚠️ how long VK remembers a guid is undocumented
    connection_class=VkConnection,
)
