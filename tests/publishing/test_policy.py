import random
from datetime import UTC, datetime, timedelta

import pytest

from hearth.connectors import errors
from hearth.connectors.base import Idempotency
from hearth.publishing.policy import (
    Action,
    RetryPolicy,
    after_error,
    after_reconcile,
    backoff,
    is_missed,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
POLICY = RetryPolicy()


def _err(cls, **kw):
    return cls("boom", network="sandbox", **kw)


def test_backoff_doubles_caps_and_jitters_within_bounds():
    rng = random.Random(1)
    for attempt, base in [(1, 15), (2, 30), (3, 60), (20, 3600)]:
        for _ in range(50):
            seconds = backoff(attempt, POLICY, rng).total_seconds()
            assert base * 0.75 <= seconds <= base * 1.25


def test_transient_retries_then_gives_up():
    d = after_error(_err(errors.Transient), attempt=1, now=NOW, policy=POLICY, rng=random.Random(0))
    assert d.action == Action.RETRY and d.at > NOW and d.counts_as_attempt
    d = after_error(_err(errors.Transient), attempt=6, now=NOW, policy=POLICY, rng=random.Random(0))
    assert d.action == Action.FAIL


def test_rate_limit_waits_exactly_retry_after_and_is_not_a_failure():
    e = errors.RateLimited("slow down", network="x", retry_after=timedelta(seconds=7))
    d = after_error(e, attempt=6, now=NOW, policy=POLICY, rng=random.Random(0))
    assert d.action == Action.RETRY and d.at == NOW + timedelta(seconds=7)
    assert d.counts_as_attempt is False


def test_quota_waits_for_the_reset():
    reset = NOW + timedelta(hours=5)
    e = errors.QuotaExhausted("quota", network="vk", reset_at=reset)
    d = after_error(e, attempt=1, now=NOW, policy=POLICY, rng=random.Random(0))
    assert d.action == Action.RETRY and d.at == reset and not d.counts_as_attempt


@pytest.mark.parametrize("cls", [errors.Ambiguous, errors.Duplicate])
def test_ambiguous_and_duplicate_reconcile_first(cls):
    d = after_error(_err(cls), attempt=1, now=NOW, policy=POLICY, rng=random.Random(0))
    assert d.action == Action.RECONCILE


def test_a_5xx_after_sending_is_ambiguous_even_if_called_transient():
    e = errors.Transient("502", network="vk", may_have_applied=True)
    assert (
        after_error(e, attempt=1, now=NOW, policy=POLICY, rng=random.Random(0)).action
        == Action.RECONCILE
    )


def test_auth_errors():
    assert (
        after_error(
            _err(errors.AuthExpired), attempt=1, now=NOW, policy=POLICY, rng=random.Random(0)
        ).action
        == Action.REFRESH
    )
    assert (
        after_error(
            _err(errors.AuthRevoked), attempt=1, now=NOW, policy=POLICY, rng=random.Random(0)
        ).action
        == Action.RECONNECT
    )


@pytest.mark.parametrize(
    "cls", [errors.Validation, errors.MediaRejected, errors.PermissionDenied, errors.NotFound]
)
def test_content_errors_fail_without_retry(cls):
    assert (
        after_error(_err(cls), attempt=1, now=NOW, policy=POLICY, rng=random.Random(0)).action
        == Action.FAIL
    )


def test_reconcile_outcomes_by_idempotency():
    kw = dict(attempt=1, now=NOW, policy=POLICY, rng=random.Random(0))
    assert (
        after_reconcile(True, idempotency=Idempotency.NONE, window=None, first_sent=NOW, **kw)
        is None
    )
    d = after_reconcile(False, idempotency=Idempotency.NONE, window=None, first_sent=NOW, **kw)
    assert d.action == Action.UNCONFIRMED
    d = after_reconcile(
        False, idempotency=Idempotency.RECORD_KEY, window=None, first_sent=NOW, **kw
    )
    assert d.action == Action.RETRY
    hour = timedelta(hours=1)
    inside = after_reconcile(
        False,
        idempotency=Idempotency.REQUEST_KEY,
        window=hour,
        first_sent=NOW - timedelta(minutes=10),
        **kw,
    )
    outside = after_reconcile(
        False,
        idempotency=Idempotency.REQUEST_KEY,
        window=hour,
        first_sent=NOW - timedelta(hours=2),
        **kw,
    )
    assert inside.action == Action.RETRY and outside.action == Action.UNCONFIRMED


def test_missed_window():
    assert not is_missed(NOW - timedelta(hours=47), NOW, POLICY)
    assert is_missed(NOW - timedelta(hours=49), NOW, POLICY)
