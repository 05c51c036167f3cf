"""What the engine does after each network answer: pure decisions, no I/O.

The rules that make Hearth never post twice and never silently miss a post:
- A due post older than the missed window is *missed*, not published stale.
- Transient errors (the request was not applied) retry with exponential backoff + jitter.
- Rate limits wait exactly what the network asked (``retry_after``); quota errors wait for
  the reset. Neither counts against the attempt budget: waiting is not failing.
- An ambiguous failure (timeout or 5xx after the request was sent) is never retried
  blindly: reconcile first. A retry is safe only when the network's idempotency protects
  the replay (a client-chosen record key, or a request key still inside its window);
  otherwise the post becomes *unconfirmed* and a person checks the channel.
- Expired credentials refresh once under the channel lock, then retry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from hearth.connectors import errors
from hearth.connectors.base import Idempotency


class Action(StrEnum):
    RETRY = "retry"  # try again at ``at`` (same idempotency key)
    RECONCILE = "reconcile"  # look for the post on the network before anything else
    REFRESH = "refresh"  # refresh credentials under the channel lock, then retry
    FAIL = "fail"  # final: the post cannot go out as it is
    RECONNECT = "reconnect"  # final for now: the channel needs a person to reconnect it
    UNCONFIRMED = "unconfirmed"  # final: may or may not be on the network; a person checks


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: timedelta = timedelta(seconds=15)
    max_delay: timedelta = timedelta(hours=1)
    jitter: float = 0.25
    missed_window: timedelta = timedelta(hours=48)
    # Longer than this and a rate-limit wait is treated like a quota: the post keeps its
    # place but other channels' posts go first.
    max_rate_limit_wait: timedelta = timedelta(hours=6)


@dataclass(frozen=True)
class Decision:
    action: Action
    at: datetime | None
    reason: str
    counts_as_attempt: bool = True


def backoff(attempt: int, policy: RetryPolicy, rng: random.Random) -> timedelta:
    """base · 2^(attempt-1), capped, spread by ±jitter so workers do not retry in step."""
    raw = policy.base_delay.total_seconds() * 2 ** max(attempt - 1, 0)
    capped = min(raw, policy.max_delay.total_seconds())
    spread = 1 + policy.jitter * (2 * rng.random() - 1)
    return timedelta(seconds=capped * spread)


def is_missed(scheduled_at: datetime, now: datetime, policy: RetryPolicy) -> bool:
    return now - scheduled_at > policy.missed_window


def replay_is_safe(
    idempotency: Idempotency, window: timedelta | None, first_sent: datetime | None, now: datetime
) -> bool:
    """Would sending the same request again be deduplicated by the network?"""
    if idempotency == Idempotency.RECORD_KEY:
        return True
    if idempotency == Idempotency.REQUEST_KEY and first_sent is not None:
        return window is None or now - first_sent < window
    return False


def after_error(
    error: errors.ConnectorError,
    *,
    attempt: int,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Decision:
    """The next step after ``error`` on publish attempt number ``attempt`` (1-based)."""
    name = type(error).__name__
    if isinstance(error, errors.Ambiguous) or (
        error.may_have_applied and not isinstance(error, errors.Duplicate)
    ):
        return Decision(Action.RECONCILE, now, f"{name}: the request may have been applied")
    if isinstance(error, errors.Duplicate):
        return Decision(
            Action.RECONCILE, now, "the network reports a duplicate: find the existing post"
        )
    if isinstance(error, errors.QuotaExhausted):
        reset = error.reset_at or now + policy.max_delay
        return Decision(
            Action.RETRY, max(reset, now), f"quota exhausted until {reset.isoformat()}", False
        )
    if isinstance(error, errors.RateLimited):
        wait = error.retry_after or policy.base_delay
        wait = min(wait, policy.max_rate_limit_wait)
        return Decision(
            Action.RETRY, now + wait, f"rate limited: wait {wait.total_seconds():.0f} s", False
        )
    if isinstance(error, errors.AuthExpired):
        if attempt > policy.max_attempts:
            return Decision(Action.RECONNECT, None, "credentials keep expiring after refresh")
        return Decision(Action.REFRESH, now, "credentials expired: refresh under the channel lock")
    if isinstance(error, errors.AuthRevoked):
        return Decision(Action.RECONNECT, None, "access was revoked: reconnect the channel")
    if error.retryable:
        if attempt >= policy.max_attempts:
            return Decision(Action.FAIL, None, f"{name} after {attempt} attempts: giving up")
        delay = backoff(attempt, policy, rng)
        return Decision(
            Action.RETRY, now + delay, f"{name}: retry in {delay.total_seconds():.0f} s"
        )
    return Decision(Action.FAIL, None, f"{name}: {error.vendor_message or error}")


def after_reconcile(
    found: bool,
    *,
    idempotency: Idempotency,
    window: timedelta | None,
    first_sent: datetime | None,
    attempt: int,
    now: datetime,
    policy: RetryPolicy,
    rng: random.Random,
) -> Decision | None:
    """None when the post was found (it is published); otherwise what to do next."""
    if found:
        return None
    if replay_is_safe(idempotency, window, first_sent, now) and attempt < policy.max_attempts:
        delay = backoff(attempt, policy, rng)
        return Decision(
            Action.RETRY, now + delay, "not found on the network; the replay is deduplicated"
        )
    return Decision(
        Action.UNCONFIRMED,
        None,
        "not found among recent posts and the network cannot deduplicate a replay: check the channel",
    )
