"""The normalized error set, wait-time parsing, shared connection plumbing and the registry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from hearth.connectors import registry
from hearth.connectors.base import Capability, Idempotency, normalize_for_match, text_fingerprint
from hearth.connectors.errors import (
    Ambiguous,
    AuthExpired,
    AuthRevoked,
    ConnectorError,
    Flood,
    NotSupported,
    QuotaExhausted,
    RateLimited,
    Transient,
    Validation,
    parse_reset,
    retry_after_from_headers,
)
from tests.connectors.fakes.core import FakeClock

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def test_errors_carry_network_vendor_details_and_applied_flag():
    error = Validation("too long", network="vk", vendor_code=100, vendor_message="bad param")
    assert (error.network, error.vendor_code, error.vendor_message) == ("vk", 100, "bad param")
    assert error.may_have_applied is False and not error.retryable
    assert str(error) == "vk: too long [100: bad param]"
    assert isinstance(error, ConnectorError)


def test_ambiguous_always_may_have_applied_even_if_told_otherwise():
    assert Ambiguous("timeout", network="x", may_have_applied=False).may_have_applied is True


def test_retry_classes_and_payloads():
    flood = Flood("captcha", network="vk", retry_after=timedelta(hours=1), needs_operator=True)
    assert isinstance(flood, RateLimited) and flood.retryable and flood.needs_operator
    assert RateLimited(
        "x", network="n", retry_after=timedelta(seconds=-5)
    ).retry_after == timedelta(0)
    assert QuotaExhausted("q", network="n", reset_at=NOW).reset_at == NOW
    assert Transient("t", network="n").retryable
    assert (
        str(NotSupported("post_metrics", network="telegram"))
        == "telegram: post_metrics is not supported by this network"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1772366430", datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)),  # epoch seconds (Bluesky, X)
        ("2026-03-01T12:05:00.000Z", datetime(2026, 3, 1, 12, 5, tzinfo=UTC)),  # ISO (Mastodon)
        ("2026-03-01T15:05:00+03:00", datetime(2026, 3, 1, 12, 5, tzinfo=UTC)),
        ("Sun, 01 Mar 2026 12:01:00 GMT", datetime(2026, 3, 1, 12, 1, tzinfo=UTC)),  # HTTP-date
        ("45", NOW + timedelta(seconds=45)),  # a delta in seconds
        ("garbage", None),
        (None, None),
    ],
)
def test_parse_reset_formats(value, expected):
    assert parse_reset(value, NOW) == expected


def test_retry_after_prefers_retry_after_then_reset_headers_then_default():
    assert retry_after_from_headers(
        {"Retry-After": "12", "X-RateLimit-Reset": "1772367000"}, NOW
    ) == timedelta(seconds=12)
    assert retry_after_from_headers(
        {"X-RateLimit-Reset": "2026-03-01T12:02:00Z"}, NOW
    ) == timedelta(minutes=2)
    assert retry_after_from_headers({"ratelimit-reset": "1772366460"}, NOW) == timedelta(minutes=1)
    assert retry_after_from_headers(
        {"X-RateLimit-Reset": "2026-03-01T11:00:00Z"}, NOW
    ) == timedelta(0)
    assert retry_after_from_headers({}, NOW, default=timedelta(seconds=7)) == timedelta(seconds=7)


def test_text_fingerprint_ignores_whitespace_layout_only():
    assert normalize_for_match("  a\n\n b\tc ") == "a b c"
    assert text_fingerprint("Cafe\u0301 ok") == text_fingerprint("Café  ok")  # NFC
    assert text_fingerprint("a b") != text_fingerprint("a  c")


def test_auth_retry_without_refresh_becomes_auth_revoked():
    provider = registry.get_provider("telegram")
    conn = provider.connect(
        {"bot_token": "t", "chat_id": "@c"},
        http=httpx.Client(transport=httpx.MockTransport(lambda r: None)),
        clock=FakeClock(),
    )

    def expired():
        raise AuthExpired("expired", network="telegram")

    with pytest.raises(AuthRevoked):
        conn._with_auth_retry(expired)


def test_naive_clock_is_refused():
    provider = registry.get_provider("vk")
    conn = provider.connect(
        {"group_id": 1, "access_token": "a"},
        http=httpx.Client(),
        clock=lambda: datetime(2026, 1, 1),
    )
    with pytest.raises(ValueError, match="timezone-aware"):
        conn._now()


def test_registry_is_explicit_and_names_unknown_networks():
    assert sorted(registry.PROVIDERS) == ["bluesky", "mastodon", "sandbox", "telegram", "vk"]
    with pytest.raises(KeyError, match="known: bluesky, mastodon, sandbox, telegram, vk"):
        registry.get_provider("myspace")


def test_provider_declarations_match_the_capability_matrix():
    telegram, vk = registry.get_provider("telegram"), registry.get_provider("vk")
    mastodon, bluesky = registry.get_provider("mastodon"), registry.get_provider("bluesky")
    assert not telegram.supports(Capability.POST_METRICS) and not telegram.supports(
        Capability.LIST_COMMENTS
    )
    assert not telegram.supports(Capability.RECONCILE) and telegram.idempotency is Idempotency.NONE
    assert vk.supports(Capability.REFRESH) and bluesky.supports(Capability.REFRESH)
    assert not mastodon.supports(Capability.REFRESH)
    assert mastodon.idempotency_window == timedelta(hours=1)
    assert bluesky.idempotency is Idempotency.RECORD_KEY
    assert telegram.rules.caption_limit == 1024 and bluesky.rules.byte_limit == 3000


@pytest.mark.parametrize("slug", sorted(registry.PROVIDERS))
def test_every_registered_network_has_docs_fake_and_contract_tests(slug):
    assert (ROOT / "docs" / "connectors" / f"{slug}.md").is_file()
    assert (ROOT / "tests" / "connectors" / "fakes" / f"{slug}.py").is_file()
    assert (ROOT / "tests" / "connectors" / f"test_{slug}.py").is_file()
