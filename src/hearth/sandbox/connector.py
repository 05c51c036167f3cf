"""Connector for the sandbox network, built exactly like the real ones.

Credentials (what ``SandboxAdmin.create_account`` returns and a demo channel stores):
``base_url``, ``account_id``, ``handle``, ``access_token``, ``refresh_token``,
``expires_at`` (ISO 8601). Access tokens expire (one hour by default); refresh tokens
rotate on every refresh, so the refreshed credentials must be persisted.

Text limits are a default Mastodon instance's (500 characters, links count 23): the
provider reuses the Mastodon rules instead of declaring a network of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import httpx

from hearth.connectors.base import (
    BaseConnection,
    Capability,
    Comment,
    CommentPage,
    Credentials,
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
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    Duplicate,
    MediaRejected,
    NotFound,
    PermissionDenied,
    RateLimited,
    Validation,
    retry_after_from_headers,
)

REFRESH_MARGIN = timedelta(minutes=2)
RECONCILE_WINDOW = 40


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class SandboxConnection(BaseConnection):
    network = "sandbox"

    # --- transport ----------------------------------------------------------------------

    def _url(self, path: str) -> str:
        return f"{str(self._credentials['base_url']).rstrip('/')}{path}"

    def _request(
        self, method: str, path: str, *, mutating: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """An authenticated call: refresh ahead of expiry, once more on ``token_expired``."""

        def attempt() -> httpx.Response:
            self._ensure_fresh_token()
            headers = {
                "Authorization": f"Bearer {self._credentials['access_token']}",
                **kwargs.get("headers", {}),
            }
            options = {**kwargs, "headers": headers}
            response = self._send(method, self._url(path), mutating=mutating, **options)
            if response.status_code >= 400:
                raise self._error(response, mutating=mutating)
            return response

        return self._with_auth_retry(attempt)

    def _error(self, response: httpx.Response, *, mutating: bool) -> ConnectorError:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = str(body.get("error") or "")
        message = str(body.get("message") or "")
        status = response.status_code
        vendor: dict[str, Any] = {
            "network": self.network,
            "vendor_code": code or status,
            "vendor_message": message,
        }
        if status == 401 and code == "token_expired":
            return AuthExpired("the access token expired", **vendor)
        if status == 401 or code == "invalid_grant":
            return AuthRevoked("the sandbox token is no longer valid; reconnect", **vendor)
        if status == 403:
            return PermissionDenied(message or "forbidden", **vendor)
        if status in (404, 410):
            return NotFound(message or "not found", **vendor)
        if status == 409:
            existing = body.get("existing")
            return Duplicate(
                message or "already posted",
                existing=self._published(existing) if existing else None,
                **vendor,
            )
        if status == 429:
            wait = retry_after_from_headers(
                response.headers, self._now(), reset_headers=("x-ratelimit-reset",)
            )
            details = {"limit": response.headers.get("x-ratelimit-limit")}
            return RateLimited(
                message or "rate limited", retry_after=wait, details=details, **vendor
            )
        if status == 413 or code == "media_rejected":
            return MediaRejected(message or "media rejected", **vendor)
        if status >= 500:
            return self._server_error(response, mutating=mutating, code=code, message=message)
        return Validation(message or f"rejected ({status})", **vendor)

    def _published(self, post: Mapping[str, Any], *, replayed: bool = False) -> PublishedPost:
        return PublishedPost(id=str(post["id"]), url=post.get("url"), raw=post, replayed=replayed)

    # --- credentials --------------------------------------------------------------------

    def _can_refresh(self) -> bool:
        return bool(self._credentials.get("refresh_token"))

    def _ensure_fresh_token(self) -> None:
        expires_at = self._credentials.get("expires_at")
        if not expires_at or not self._can_refresh():
            return
        if self._now() >= _parse_time(str(expires_at)) - REFRESH_MARGIN:
            self._refresh_through_hook()

    def refresh_credentials(self) -> Credentials:
        """Trade the refresh token for a new pair (the old refresh token is spent)."""
        response = self._send(
            "POST",
            self._url("/oauth/token"),
            mutating=False,
            json={
                "grant_type": "refresh_token",
                "refresh_token": self._credentials["refresh_token"],
            },
        )
        if response.status_code >= 400:
            raise self._error(response, mutating=False)
        answer = response.json()
        fresh = {
            **self._credentials,
            "access_token": answer["access_token"],
            "refresh_token": answer["refresh_token"],
            "expires_at": answer["expires_at"],
        }
        self._adopt(fresh)
        return dict(fresh)

    # --- publishing ---------------------------------------------------------------------

    def _check(self, text: str, images: tuple[MediaFile, ...] = ()) -> None:
        # connectors/rules.py has a "sandbox" entry that follows Mastodon's limits.
        check_publishable(self.network, text, images)

    def publish(self, request: PublishRequest) -> PublishedPost:
        """POST /api/v1/posts with the Idempotency-Key (remembered 24 h by the sandbox)."""
        self._check(request.text, request.images)
        media = [{"id": self._upload(image), "alt": image.alt} for image in request.images]
        payload: dict[str, Any] = {"text": request.text, "media": media}
        if request.language:
            payload["language"] = request.language
        response = self._request(
            "POST",
            "/api/v1/posts",
            mutating=True,
            json=payload,
            headers={"Idempotency-Key": request.idempotency_key},
        )
        replayed = response.headers.get("idempotent-replayed") == "true"
        return self._published(response.json(), replayed=replayed)

    def _upload(self, image: MediaFile) -> str:
        # An unattached upload publishes nothing, so it is not a mutation for reconciling.
        answer = self._request(
            "POST",
            "/api/v1/media",
            content=image.content,
            headers={"Content-Type": image.mime_type},
        ).json()
        return str(answer["id"])

    def find_recent(
        self, request: PublishRequest, *, since: datetime | None = None
    ) -> PublishedPost | None:
        """Our post among the account's newest ones, recognised by its text."""
        params: dict[str, Any] = {"limit": RECONCILE_WINDOW}
        if since is not None:
            params["since"] = since.isoformat()
        path = f"/api/v1/accounts/{self._credentials['account_id']}/posts"
        for post in self._request("GET", path, params=params).json():
            if texts_match(post.get("text", ""), request.text):
                return self._published(post)
        return None

    def delete(self, post_id: str) -> None:
        self._request("DELETE", f"/api/v1/posts/{post_id}", mutating=True)

    def post_metrics(self, post_id: str) -> PostMetrics:
        post = self._request("GET", f"/api/v1/posts/{post_id}").json()
        metrics = post.get("metrics") or {}
        return PostMetrics(
            likes=metrics.get("likes"),
            reposts=metrics.get("shares"),
            comments=metrics.get("comments"),
            views=metrics.get("views"),
            raw=post,
        )

    def list_comments(self, post_id: str, cursor: str | None = None) -> CommentPage:
        params = {"cursor": cursor} if cursor else None
        page = self._request("GET", f"/api/v1/posts/{post_id}/comments", params=params).json()
        comments = tuple(
            Comment(
                id=str(item["id"]),
                post_id=str(item.get("post_id", post_id)),
                author_id=str((item.get("author") or {}).get("id", "")),
                author_name=(item.get("author") or {}).get("name"),
                text=str(item.get("text", "")),
                created_at=_parse_time(item["created_at"]) if item.get("created_at") else None,
                parent_id=item.get("in_reply_to"),
                raw=item,
            )
            for item in page.get("items", [])
        )
        return CommentPage(comments, page.get("next_cursor"))

    def reply(
        self, comment_id: str, text: str, *, idempotency_key: str | None = None
    ) -> PublishedPost:
        self._check(text)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = self._request(
            "POST",
            "/api/v1/posts",
            mutating=True,
            json={"text": text, "in_reply_to": comment_id},
            headers=headers,
        )
        replayed = response.headers.get("idempotent-replayed") == "true"
        return self._published(response.json(), replayed=replayed)

    def follower_count(self) -> int:
        return int(
            self._request("GET", "/api/v1/accounts/verify_credentials").json()["followers_count"]
        )

    def check_health(self) -> Health:
        account = self._request("GET", "/api/v1/accounts/verify_credentials").json()
        return Health(
            ok=True,
            account=f"@{account.get('handle')} (sandbox)",
            details={"rate_limit": account.get("rate_limit"), "sandbox": True},
        )


SANDBOX = Provider(
    slug="sandbox",
    display_name="Sandbox (demo network)",
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
        }
    ),
    counting_unit="mastodon_chars",
    idempotency=Idempotency.REQUEST_KEY,
    idempotency_window=timedelta(hours=24),
    connection_class=SandboxConnection,
)
