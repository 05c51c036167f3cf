"""The normalized error set every connector raises.

Each network has its own error envelope (VK and Telegram even report failures inside
HTTP 200). Connectors translate them here, so the publishing engine decides on retries
from one vocabulary:

==================  ===========================================================
class               what the engine should do
==================  ===========================================================
RateLimited         wait ``retry_after`` then retry (``Flood``: long wait, alert)
QuotaExhausted      do not retry before ``reset_at``
AuthExpired         refresh credentials under the channel lock, retry once
AuthRevoked         mark the channel "needs reconnect"; no retry
PermissionDenied    no retry; tell the operator which right is missing
Duplicate           no retry; reconcile (``existing`` may already hold the post)
Validation          no retry; the content or a parameter is wrong
MediaRejected       no retry; the image is wrong (size, type, dimensions)
NotFound            no retry; the object is gone
Transient           retry with backoff (the request was *not* applied)
Ambiguous           NEVER re-post blindly: reconcile first (``find_recent``)
NotSupported        the network does not offer the operation at all
==================  ===========================================================

``may_have_applied`` is the flag the engine must respect: True means the request
reached the network and might have taken effect (timeout after sending, 5xx on a
mutation), so a retry could double-post unless an idempotency key protects it.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar


class ConnectorError(Exception):
    """Base of every normalized connector error."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        network: str,
        vendor_code: str | int | None = None,
        vendor_message: str | None = None,
        may_have_applied: bool = False,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.network = network
        self.vendor_code = vendor_code
        self.vendor_message = vendor_message
        self.may_have_applied = may_have_applied
        self.details: Mapping[str, Any] = dict(details or {})

    def __str__(self) -> str:
        vendor = f" [{self.vendor_code}: {self.vendor_message}]" if self.vendor_code else ""
        return f"{self.network}: {self.message}{vendor}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(network={self.network!r}, message={self.message!r}, "
            f"vendor_code={self.vendor_code!r}, may_have_applied={self.may_have_applied})"
        )


class RateLimited(ConnectorError):
    """Too many requests; ``retry_after`` says how long to wait."""

    retryable = True

    def __init__(self, message: str, *, retry_after: timedelta, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = max(retry_after, timedelta(0))


class Flood(RateLimited):
    """Anti-spam throttling (VK flood control, captcha): a long wait and an operator alert.

    It is a RateLimited so a generic engine still backs off; ``needs_operator`` is True
    when a human must act (a captcha cannot be solved by a scheduler).
    """

    def __init__(
        self, message: str, *, retry_after: timedelta, needs_operator: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(message, retry_after=retry_after, **kwargs)
        self.needs_operator = needs_operator


class QuotaExhausted(ConnectorError):
    """A daily/window quota is spent; nothing succeeds before ``reset_at`` (aware UTC)."""

    def __init__(self, message: str, *, reset_at: datetime, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.reset_at = reset_at


class AuthExpired(ConnectorError):
    """The access token expired but can be refreshed."""


class AuthRevoked(ConnectorError):
    """The credentials are dead; the account must be reconnected by a human."""


class PermissionDenied(ConnectorError):
    """The account lacks a right (not an admin, scope missing, closed wall …)."""


class Duplicate(ConnectorError):
    """The network says this was already done; ``existing`` is the post when known."""

    def __init__(self, message: str, *, existing: Any = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.existing = existing


class Validation(ConnectorError):
    """The content or a parameter was rejected (too long, bad markup, bad id)."""


class MediaRejected(ConnectorError):
    """An attachment was rejected (size, format, dimensions, processing failed)."""


class NotFound(ConnectorError):
    """The post, comment or chat does not exist (any more)."""


class Transient(ConnectorError):
    """A failure worth retrying with backoff; the request was not applied."""

    retryable = True


class Ambiguous(ConnectorError):
    """Outcome unknown: the request was sent and may have been applied.

    Raised for timeouts after sending and for 5xx answers to mutations. The engine must
    reconcile (``Connection.find_recent``) or replay with the same idempotency key on
    networks that honour one; it must never simply post again.
    """

    def __init__(self, message: str, **kwargs: Any) -> None:
        kwargs["may_have_applied"] = True
        super().__init__(message, **kwargs)


class NotSupported(ConnectorError):
    """The network's API does not offer this operation."""

    def __init__(self, operation: str, *, network: str, reason: str = "") -> None:
        text = f"{operation} is not supported by this network"
        super().__init__(f"{text}: {reason}" if reason else text, network=network)
        self.operation = operation


# --- wait times -------------------------------------------------------------------------


def parse_reset(value: str | None, now: datetime) -> datetime | None:
    """Turn a reset header value into an aware UTC moment.

    Accepts epoch seconds (Bluesky ``RateLimit-Reset``, X ``x-rate-limit-reset``),
    ISO 8601 (Mastodon ``X-RateLimit-Reset``) and HTTP-dates. Small plain integers
    (< 10^9) are read as "seconds from now", as some servers send a delta instead.
    """
    if not value:
        return None
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number < 1e9:
            return now + timedelta(seconds=number)
        return datetime.fromtimestamp(number, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def retry_after_from_headers(
    headers: Mapping[str, str],
    now: datetime,
    *,
    reset_headers: tuple[str, ...] = ("x-ratelimit-reset", "ratelimit-reset"),
    default: timedelta = timedelta(seconds=60),
) -> timedelta:
    """How long to wait, from ``Retry-After`` (seconds or HTTP-date) or a reset header.

    ``now`` comes from the injected clock so tests compute exact values.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = lowered.get("retry-after")
    if retry_after:
        moment = parse_reset(retry_after, now)
        if moment is not None:
            return max(moment - now, timedelta(0))
    for name in reset_headers:
        moment = parse_reset(lowered.get(name), now)
        if moment is not None:
            return max(moment - now, timedelta(0))
    return default
