"""Mastodon connector (REST API of one instance; the base URL is per account).

Credentials: ``instance_url`` (``https://mastodon.social``) and ``access_token``
(scopes ``read write`` or ``write:statuses write:media read:statuses read:accounts``).
Tokens never expire and have no refresh: a 401 means the token was revoked.

Limits differ per instance, so they are read from ``/api/v2/instance`` the first time a
connection needs them (``check_health`` at connect time does it) and kept on the
connection; ``instance_limits`` in the credentials, when cached by the caller, skips it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import httpx

from hearth.connectors.base import (
    BaseConnection,
    Capability,
    Comment,
    CommentPage,
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
    AuthRevoked,
    MediaRejected,
    NotFound,
    PermissionDenied,
    RateLimited,
    Transient,
    Validation,
    retry_after_from_headers,
)
from hearth.connectors.rules import RuleOptions

MEDIA_POLL_DELAYS = (1, 1, 2, 2, 3, 5, 5, 10, 10, 15, 15, 30)  # seconds, ~1.5 min in all
RECONCILE_WINDOW = 20


@dataclass(frozen=True)
class InstanceLimits:
    max_characters: int = 500
    characters_reserved_per_url: int = 23
    max_media_attachments: int = 4
    image_size_limit: int | None = None
    description_limit: int | None = None

    @classmethod
    def from_instance(cls, instance: Mapping[str, Any]) -> InstanceLimits:
        configuration = instance.get("configuration") or {}
        statuses = configuration.get("statuses") or {}
        media = configuration.get("media_attachments") or {}
        return cls(
            max_characters=int(statuses.get("max_characters", 500)),
            characters_reserved_per_url=int(statuses.get("characters_reserved_per_url", 23)),
            max_media_attachments=int(statuses.get("max_media_attachments", 4)),
            image_size_limit=media.get("image_size_limit"),
            description_limit=media.get("description_limit"),
        )


class MastodonConnection(BaseConnection):
    network = "mastodon"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cached = self._credentials.get("instance_limits")
        self._limits: InstanceLimits | None = InstanceLimits(**cached) if cached else None
        self._account: Mapping[str, Any] | None = None

    # --- transport ----------------------------------------------------------------------

    def _request(
        self, method: str, path: str, *, mutating: bool = False, **kwargs: Any
    ) -> httpx.Response:
        base = str(self._credentials["instance_url"]).rstrip("/")
        headers = {
            "Authorization": f"Bearer {self._credentials['access_token']}",
            **kwargs.pop("headers", {}),
        }
        response = self._send(method, f"{base}{path}", mutating=mutating, headers=headers, **kwargs)
        if response.status_code < 400:
            return response
        try:
            body = response.json()
        except ValueError:
            body = {}
        message = str(body.get("error", "")) if isinstance(body, dict) else ""
        vendor: dict[str, Any] = {
            "network": self.network,
            "vendor_code": response.status_code,
            "vendor_message": message,
        }
        status = response.status_code
        if status == 401:
            raise AuthRevoked("the access token was revoked; reconnect the account", **vendor)
        if status == 403:
            raise PermissionDenied(message or "forbidden", **vendor)
        if status in (404, 410):
            raise NotFound(message or "not found", **vendor)
        if status == 429:
            wait = retry_after_from_headers(
                response.headers, self._now(), reset_headers=("x-ratelimit-reset",)
            )
            raise RateLimited("rate limited by the instance", retry_after=wait, **vendor)
        if status == 413 or (status == 422 and "/media" in path):
            raise MediaRejected(message or "media rejected", **vendor)
        if status >= 500:
            raise self._server_error(response, mutating=mutating, message=message)
        raise Validation(message or f"rejected ({status})", **vendor)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._request(method, path, **kwargs).json()

    # --- instance facts -----------------------------------------------------------------

    def instance_limits(self) -> InstanceLimits:
        if self._limits is None:
            self._limits = InstanceLimits.from_instance(self._json("GET", "/api/v2/instance"))
        return self._limits

    def _me(self) -> Mapping[str, Any]:
        if self._account is None:
            self._account = self._json("GET", "/api/v1/accounts/verify_credentials")
        return self._account

    def _check(self, text: str, images: tuple[MediaFile, ...] = ()) -> None:
        limits = self.instance_limits()
        options = RuleOptions(
            max_characters=limits.max_characters,
            characters_reserved_per_url=limits.characters_reserved_per_url,
            max_media_attachments=limits.max_media_attachments,
            image_size_limit=limits.image_size_limit,
        )
        check_publishable(self.network, text, images, options=options)

    # --- publishing ---------------------------------------------------------------------

    def publish(self, request: PublishRequest) -> PublishedPost:
        self._check(request.text, request.images)
        media_ids = [self._upload(image) for image in request.images]
        payload: dict[str, Any] = {"status": request.text, "visibility": "public"}
        if media_ids:
            payload["media_ids"] = media_ids
        if request.language:
            payload["language"] = request.language
        status = self._json(
            "POST",
            "/api/v1/statuses",
            mutating=True,
            json=payload,
            # The instance remembers the key for an hour and answers a replay with the
            # status created the first time.
            headers={"Idempotency-Key": request.idempotency_key},
        )
        return PublishedPost(id=str(status["id"]), url=status.get("url"), raw=status)

    def _upload(self, image: MediaFile) -> str:
        """POST /api/v2/media; a 202 means "still processing": poll until it is ready.

        An unattached upload is harmless (the instance deletes it), so this is not a
        mutation for the idempotency rules.
        """
        data = {"description": image.alt} if image.alt else None
        files = {"file": (image.filename, image.content, image.mime_type)}
        response = self._request("POST", "/api/v2/media", data=data, files=files)
        media = response.json()
        if response.status_code == 200 and media.get("url"):
            return str(media["id"])
        for delay in MEDIA_POLL_DELAYS:
            self._sleep(delay)
            polled = self._request("GET", f"/api/v1/media/{media['id']}")
            # 206 Partial Content (or a null url) means the instance is still processing.
            if polled.status_code == 200 and polled.json().get("url"):
                return str(media["id"])
        raise Transient(
            "the instance is still processing the image; try again later", network=self.network
        )

    def find_recent(
        self, request: PublishRequest, *, since: datetime | None = None
    ) -> PublishedPost | None:
        """Find our status among the account's newest ones by text.

        Within an hour of the first attempt, replaying ``publish`` with the same
        idempotency key is the better reconciliation: the instance returns the original.
        """
        account_id = self._me()["id"]
        statuses = self._json(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            params={
                "limit": RECONCILE_WINDOW,
                "exclude_replies": "true",
                "exclude_reblogs": "true",
            },
        )
        for status in statuses:
            created = datetime.fromisoformat(status["created_at"].replace("Z", "+00:00"))
            if since is not None and created < since:
                continue
            if texts_match(html_to_text(status.get("content", "")), request.text):
                return PublishedPost(id=str(status["id"]), url=status.get("url"), raw=status)
        return None

    def delete(self, post_id: str) -> None:
        self._request("DELETE", f"/api/v1/statuses/{post_id}", mutating=True)

    def post_metrics(self, post_id: str) -> PostMetrics:
        status = self._json("GET", f"/api/v1/statuses/{post_id}")
        return PostMetrics(
            likes=status.get("favourites_count"),
            reposts=status.get("reblogs_count"),
            comments=status.get("replies_count"),
            quotes=status.get("quotes_count"),
            raw=status,
        )

    def list_comments(self, post_id: str, cursor: str | None = None) -> CommentPage:
        """All replies below a status (``context`` answers in one page, flat)."""
        context = self._json("GET", f"/api/v1/statuses/{post_id}/context")
        comments = []
        for status in context.get("descendants", []):
            parent = status.get("in_reply_to_id")
            account = status.get("account") or {}
            comments.append(
                Comment(
                    id=str(status["id"]),
                    post_id=post_id,
                    author_id=str(account.get("id", "")),
                    author_name=account.get("acct"),
                    text=html_to_text(status.get("content", "")),
                    created_at=datetime.fromisoformat(status["created_at"].replace("Z", "+00:00")),
                    parent_id=str(parent) if parent and str(parent) != post_id else None,
                    raw=status,
                )
            )
        return CommentPage(tuple(comments))

    def reply(
        self, comment_id: str, text: str, *, idempotency_key: str | None = None
    ) -> PublishedPost:
        """Reply to a status; the author is @mentioned so they are notified."""
        comment = self._json("GET", f"/api/v1/statuses/{comment_id}")
        acct = (comment.get("account") or {}).get("acct")
        if acct and f"@{acct}" not in text:
            text = f"@{acct} {text}"
        self._check(text)
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        status = self._json(
            "POST",
            "/api/v1/statuses",
            mutating=True,
            json={"status": text, "in_reply_to_id": comment_id, "visibility": "public"},
            headers=headers,
        )
        return PublishedPost(id=str(status["id"]), url=status.get("url"), raw=status)

    def follower_count(self) -> int:
        self._account = None  # always fresh: this is a metric
        return int(self._me()["followers_count"])

    def check_health(self) -> Health:
        account = self._json("GET", "/api/v1/accounts/verify_credentials")
        self._account = account
        limits = self.instance_limits()
        return Health(
            ok=True,
            account=f"@{account.get('acct')}",
            details={"instance_limits": asdict(limits)},
        )

    def refresh_credentials(self) -> dict[str, Any]:
        raise self._unsupported("refresh_credentials", "Mastodon tokens do not expire")


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(content: str) -> str:
    """Plain text of a status's HTML ``content`` (links keep their full URL text)."""
    parser = _TextExtractor()
    parser.feed(content)
    parser.close()
    return "".join(parser.parts).strip()


MASTODON = Provider(
    slug="mastodon",
    display_name="Mastodon",
    capabilities=frozenset(
        {
            Capability.PUBLISH_TEXT,
            Capability.PUBLISH_IMAGES,
            Capability.DELETE,
            Capability.POST_METRICS,
            Capability.LIST_COMMENTS,
            Capability.REPLY,
            Capability.FOLLOWER_COUNT,
            Capability.RECONCILE,
        }
    ),
    counting_unit="mastodon_chars",
    idempotency=Idempotency.REQUEST_KEY,
    idempotency_window=timedelta(hours=1),
    connection_class=MastodonConnection,
)
