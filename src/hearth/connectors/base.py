"""Connector interface: a stateless Provider per network and a Connection per account.

Why a *sync* ``httpx.Client``: the publishing engine runs inside a Django task worker
thread and talks to the ORM synchronously; each publish is a short chain of dependent
calls (upload → save → post), so an event loop buys no concurrency and would force
``async_to_sync`` bridges around every call. Parallelism comes from running more
workers. The client and the clock are injected (ARCHITECTURE rule 4), so tests drive a
fake network through ``httpx.MockTransport`` and time never really passes.

Credentials arrive as a plain dict and leave as a plain dict: the caller encrypts and
stores them. Tenant state lives only on the Connection object, never on the Provider.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import httpx

from hearth.connectors import rules
from hearth.connectors.errors import (
    Ambiguous,
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    MediaRejected,
    NotSupported,
    Transient,
    Validation,
)

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]
Credentials = dict[str, Any]
# The engine wraps a refresh in its per-channel lock: it receives the connection's
# refresh function, may call it (or return credentials another worker already
# refreshed), persists the result encrypted, and returns it.
RefreshHook = Callable[[Callable[[], Credentials]], Credentials]
T = TypeVar("T")


def refresh_directly(refresh: Callable[[], Credentials]) -> Credentials:
    """Default refresh hook: no lock, no persistence (tests, CLI one-offs)."""
    return refresh()


class Capability(StrEnum):
    PUBLISH_TEXT = "publish_text"
    PUBLISH_IMAGES = "publish_images"
    DELETE = "delete"
    POST_METRICS = "post_metrics"
    LIST_COMMENTS = "list_comments"
    REPLY = "reply"
    FOLLOWER_COUNT = "follower_count"
    REFRESH = "refresh"
    RECONCILE = "reconcile"  # find_recent can look the post up after an ambiguous failure
    LIST_ENGAGERS = "list_engagers"  # who liked or reposted a post (list_engagers)


class Idempotency(StrEnum):
    """How a replayed publish is kept from creating a second post."""

    NONE = "none"  # Telegram: nothing; an ambiguous publish needs a human check
    REQUEST_KEY = "request_key"  # Mastodon Idempotency-Key header, VK guid
    RECORD_KEY = "record_key"  # Bluesky: the client chooses the record key (rkey)


# --- value objects ----------------------------------------------------------------------


@dataclass(frozen=True)
class MediaFile:
    content: bytes
    mime_type: str = "image/jpeg"
    filename: str = "image.jpg"
    alt: str = ""


@dataclass(frozen=True)
class PublishRequest:
    """What the engine asks a connection to publish.

    ``idempotency_key`` must stay the same across every attempt of one post.
    ``created_at`` is a stable moment for the post (e.g. its scheduled time): networks
    that stamp the record themselves (Bluesky ``createdAt`` and its time-based rkey)
    use it so a replay produces the identical record; the clock is used when absent.
    """

    text: str
    idempotency_key: str
    images: tuple[MediaFile, ...] = ()
    created_at: datetime | None = None
    language: str | None = None


@dataclass(frozen=True)
class PublishedPost:
    """An opaque post id (pass it back unchanged), its public URL and the raw answer.

    ``replayed`` is True when the network (or the connector) recognised the idempotency
    key and returned the post created by an earlier attempt.
    """

    id: str
    url: str | None
    raw: Mapping[str, Any] = field(default_factory=dict)
    replayed: bool = False


@dataclass(frozen=True)
class PostMetrics:
    """Counts a network reports; None means the network does not expose that count."""

    likes: int | None = None
    reposts: int | None = None
    comments: int | None = None
    views: int | None = None
    quotes: int | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Comment:
    id: str
    post_id: str
    author_id: str
    author_name: str | None
    text: str
    created_at: datetime | None
    parent_id: str | None = None  # the comment this one answers, None for top level
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CommentPage:
    items: tuple[Comment, ...]
    next_cursor: str | None = None


ENGAGER_KINDS = ("like", "repost")


@dataclass(frozen=True)
class Engager:
    """One account that liked or reposted a post.

    ``at`` is when it happened if the network says so (Bluesky likes carry ``createdAt``);
    most networks only list who, not when, and then it is None.
    """

    user_id: str
    name: str | None
    kind: str  # one of ENGAGER_KINDS
    at: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EngagerPage:
    items: tuple[Engager, ...]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Health:
    ok: bool
    account: str
    problems: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


# --- provider and connection ------------------------------------------------------------


class Connection(Protocol):
    """One connected account. Every method raises only ``ConnectorError`` subclasses."""

    provider: Provider

    @property
    def credentials(self) -> Credentials: ...

    def publish(self, request: PublishRequest) -> PublishedPost: ...

    def find_recent(
        self, request: PublishRequest, *, since: datetime | None = None
    ) -> PublishedPost | None: ...

    def delete(self, post_id: str) -> None: ...

    def post_metrics(self, post_id: str) -> PostMetrics: ...

    def list_comments(self, post_id: str, cursor: str | None = None) -> CommentPage: ...

    def list_engagers(self, post_id: str, kind: str, cursor: str | None = None) -> EngagerPage: ...

    def reply(
        self, comment_id: str, text: str, *, idempotency_key: str | None = None
    ) -> PublishedPost: ...

    def follower_count(self) -> int: ...

    def check_health(self) -> Health: ...

    def refresh_credentials(self) -> Credentials: ...


@dataclass(frozen=True)
class Provider:
    """Stateless description of a network; shared by all tenants (holds no account data)."""

    slug: str
    display_name: str
    capabilities: frozenset[Capability]
    counting_unit: str
    idempotency: Idempotency
    idempotency_window: timedelta | None
    connection_class: type[BaseConnection]

    def supports(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def rules(self) -> rules.NetworkRules:
        """The network's text/media limits, counted in the network's own unit."""
        return rules.rules_for(self.slug)

    def connect(
        self,
        credentials: Mapping[str, Any],
        *,
        http: httpx.Client,
        clock: Clock,
        sleep: Sleep = time.sleep,
        refresh_hook: RefreshHook = refresh_directly,
    ) -> BaseConnection:
        """Build a connection; makes no network call (use ``check_health`` for that)."""
        return self.connection_class(
            self, credentials, http=http, clock=clock, sleep=sleep, refresh_hook=refresh_hook
        )


class BaseConnection:
    """Plumbing shared by the network connections: transport errors, auth retry."""

    network = "base"

    def __init__(
        self,
        provider: Provider,
        credentials: Mapping[str, Any],
        *,
        http: httpx.Client,
        clock: Clock,
        sleep: Sleep = time.sleep,
        refresh_hook: RefreshHook = refresh_directly,
    ) -> None:
        self.provider = provider
        self._credentials: Credentials = dict(credentials)
        self._http = http
        self._clock = clock
        self._sleep = sleep
        self._refresh_hook = refresh_hook

    @property
    def credentials(self) -> Credentials:
        """A copy of the current credentials (changed after a refresh: persist them)."""
        return dict(self._credentials)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the injected clock must return timezone-aware datetimes")
        return now

    def _send(self, method: str, url: str, *, mutating: bool, **kwargs: Any) -> httpx.Response:
        """One HTTP exchange; transport failures become Transient or Ambiguous."""
        try:
            return self._http.request(method, url, **kwargs)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            # The request never left this machine: safe to retry.
            raise Transient(f"could not connect: {exc}", network=self.network) from exc
        except httpx.TransportError as exc:
            if mutating:
                raise Ambiguous(
                    f"no answer after sending ({type(exc).__name__}); reconcile before retrying",
                    network=self.network,
                ) from exc
            raise Transient(f"read failed: {exc}", network=self.network) from exc

    def _server_error(
        self, response: httpx.Response, *, mutating: bool, code: Any = None, message: str = ""
    ) -> ConnectorError:
        text = message or response.text[:200]
        status = code if code is not None else response.status_code
        if mutating:
            return Ambiguous(
                f"server error {response.status_code} after sending",
                network=self.network,
                vendor_code=status,
                vendor_message=text,
            )
        return Transient(
            f"server error {response.status_code}",
            network=self.network,
            vendor_code=status,
            vendor_message=text,
        )

    # --- credentials --------------------------------------------------------------------

    def refresh_credentials(self) -> Credentials:
        raise NotSupported("refresh_credentials", network=self.network)

    def _can_refresh(self) -> bool:
        return False

    def _adopt(self, credentials: Mapping[str, Any]) -> None:
        self._credentials = dict(credentials)

    def _refresh_through_hook(self) -> None:
        try:
            fresh = self._refresh_hook(self.refresh_credentials)
        except AuthExpired as exc:
            raise AuthRevoked(
                "refresh failed; reconnect the account", network=self.network
            ) from exc
        self._adopt(fresh)

    def _with_auth_retry(self, operation: Callable[[], T]) -> T:
        """Run ``operation``; on AuthExpired refresh once and retry once.

        A second AuthExpired means the refreshed token does not work either: the
        account needs a human (AuthRevoked). A request that failed with AuthExpired was
        rejected before taking effect, so replaying it cannot double-post.
        """
        try:
            return operation()
        except AuthExpired as first:
            if not self._can_refresh():
                raise AuthRevoked(
                    first.message,
                    network=self.network,
                    vendor_code=first.vendor_code,
                    vendor_message=first.vendor_message,
                ) from first
        self._refresh_through_hook()
        try:
            return operation()
        except AuthExpired as second:
            raise AuthRevoked(
                "token rejected right after a refresh",
                network=self.network,
                vendor_code=second.vendor_code,
                vendor_message=second.vendor_message,
            ) from second

    def _unsupported(self, operation: str, reason: str = "") -> NotSupported:
        return NotSupported(operation, network=self.network, reason=reason)

    # --- per-user activity ----------------------------------------------------------------

    def list_engagers(self, post_id: str, kind: str, cursor: str | None = None) -> EngagerPage:
        """Who liked (``kind="like"``) or reposted (``"repost"``) a post, one page at a time.

        Networks that expose such lists override this (and declare LIST_ENGAGERS).
        """
        raise self._unsupported("list_engagers", "the network does not list who engaged")

    def _check_engager_kind(self, kind: str) -> None:
        if kind not in ENGAGER_KINDS:
            raise Validation(
                f"engager kind {kind!r} is not one of {', '.join(ENGAGER_KINDS)}",
                network=self.network,
            )


# --- text matching for reconciliation -----------------------------------------------------

_SPACES = re.compile(r"\s+")


def normalize_for_match(text: str) -> str:
    """Canonical form used to recognise our own post in a network's listing."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def text_fingerprint(text: str) -> str:
    """A stable digest of a post text (store it on the attempt row for reconciliation)."""
    return hashlib.sha256(normalize_for_match(text).encode("utf-8")).hexdigest()


def texts_match(published: str, wanted: str) -> bool:
    return text_fingerprint(published) == text_fingerprint(wanted)


# --- local validation before any network call ---------------------------------------------


def image_size(content: bytes) -> tuple[int, int] | None:
    """(width, height) of an image, or None when Pillow cannot read it."""
    try:
        from PIL import Image

        with Image.open(io.BytesIO(content)) as picture:
            return picture.size
    except Exception:  # an unreadable image is judged by the network, not here
        return None


def check_publishable(
    network: str,
    text: str,
    images: tuple[MediaFile, ...] = (),
    *,
    options: rules.RuleOptions | Mapping[str, int] | None = None,
) -> None:
    """Raise Validation (or MediaRejected) when ``rules.validate`` finds an error.

    The same rules drive the composer's counter, so a post the composer accepted is
    never refused here, and a post over a limit never costs a network call.
    """
    media = []
    for image in images:
        size = image_size(image.content)
        media.append(
            rules.MediaItem(
                kind="image",
                mime=image.mime_type,
                width=size[0] if size else None,
                height=size[1] if size else None,
                size_bytes=len(image.content),
            )
        )
    draft = rules.PostDraft(text=text, media=media)
    errors = [p for p in rules.validate(network, draft, options=options) if p.severity == "error"]
    if not errors:
        return
    # A wrong image is MediaRejected; too many attachments is a wrong post: Validation.
    bad_media = all(p.code.startswith(("image_", "aspect_", "media_kind")) for p in errors)
    kind = MediaRejected if bad_media else Validation
    raise kind(
        " ".join(p.text for p in errors),
        network=network,
        details={"problems": [p.code for p in errors]},
    )
