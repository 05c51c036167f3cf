"""PKCE, state and URL building, without a database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from hearth.channels import oauth
from tests.channels.fakes import query_of

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_pkce_challenge_matches_rfc_7636_appendix_b():
    # The RFC's published pair (Appendix B), whose SHA-256 octets begin 19, 211, 30, 150.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert oauth.pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_pkce_verifier_is_long_unreserved_and_fresh():
    first, second = oauth.pkce_verifier(), oauth.pkce_verifier()
    assert first != second
    for verifier in (first, second):
        assert 43 <= len(verifier) <= 128  # RFC 7636 §4.1
        assert re.fullmatch(r"[A-Za-z0-9\-._~]+", verifier)
    assert "=" not in oauth.pkce_challenge(first)
    assert len(oauth.pkce_challenge(first)) == 43  # 32 bytes, base64url without padding


def test_state_is_single_use_and_bound_to_its_network():
    store: dict = {}
    state = oauth.remember_state(store, {"network": "vk", "channel": 3}, now=T0)
    with pytest.raises(oauth.OAuthError, match="does not match"):
        oauth.take_state(store, state, network="mastodon", now=T0)
    # Presenting it under the wrong network consumed it too.
    with pytest.raises(oauth.OAuthError, match="does not match"):
        oauth.take_state(store, state, network="vk", now=T0)

    state = oauth.remember_state(store, {"network": "vk", "channel": 3}, now=T0)
    record = oauth.take_state(store, state, network="vk", now=T0 + timedelta(minutes=9))
    assert record["channel"] == 3
    with pytest.raises(oauth.OAuthError, match="does not match"):
        oauth.take_state(store, state, network="vk", now=T0)


@pytest.mark.parametrize(
    ("age", "ok"),
    [(timedelta(minutes=10) - timedelta(seconds=1), True), (timedelta(minutes=10), False)],
)
def test_state_expires_after_ten_minutes(age, ok):
    store: dict = {}
    state = oauth.remember_state(store, {"network": "vk"}, now=T0)
    if ok:
        assert oauth.take_state(store, state, network="vk", now=T0 + age)["network"] == "vk"
    else:
        with pytest.raises(oauth.OAuthError, match="expired"):
            oauth.take_state(store, state, network="vk", now=T0 + age)


def test_unknown_or_missing_state_is_refused_and_others_survive():
    store: dict = {}
    kept = oauth.remember_state(store, {"network": "vk"}, now=T0)
    for wrong in (None, "", "forged"):
        with pytest.raises(oauth.OAuthError):
            oauth.take_state(store, wrong, network="vk", now=T0)
    assert oauth.take_state(store, kept, network="vk", now=T0)["network"] == "vk"


def test_pending_states_are_bounded_and_expired_ones_pruned():
    store: dict = {}
    old = oauth.remember_state(store, {"network": "vk"}, now=T0)
    later = T0 + timedelta(minutes=11)
    states = [
        oauth.remember_state(store, {"network": "vk", "n": n}, now=later + timedelta(seconds=n))
        for n in range(oauth.MAX_PENDING_STATES + 1)
    ]
    pending = store[oauth.STATES_KEY]
    assert old not in pending
    assert len(pending) == oauth.MAX_PENDING_STATES
    assert states[0] not in pending  # the oldest live one made room
    assert states[-1] in pending


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mastodon.social", "https://mastodon.social"),
        ("  https://Mastodon.Social/ ", "https://mastodon.social"),
        ("https://example.org:8443", "https://example.org:8443"),
    ],
)
def test_instance_url_is_normalized(raw, expected):
    assert oauth.normalize_instance_url(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "http://mastodon.social",
        "https://127.0.0.1",
        "https://10.0.0.5",
        "https://[::1]",
        "https://localhost",
        "https://printer.local",
        "https://user:pw@mastodon.social",
        "https://mastodon.social/@someone",
        "https://mastodon.social/?next=https://evil.example",
        "",
    ],
)
def test_instance_url_refuses_private_or_odd_addresses(raw):
    with pytest.raises(oauth.OAuthError):
        oauth.normalize_instance_url(raw)


def test_authorize_urls_carry_what_the_networks_need():
    masto = oauth.mastodon_authorize_url(
        "https://m.example",
        client_id="c1",
        redirect_uri="https://hearth.example/oauth/mastodon/callback/",
        state="s1",
        code_challenge=None,
    )
    assert masto.startswith("https://m.example/oauth/authorize?")
    assert query_of(masto) == {
        "response_type": "code",
        "client_id": "c1",
        "redirect_uri": "https://hearth.example/oauth/mastodon/callback/",
        "scope": "read write",
        "state": "s1",
    }
    vk = oauth.vk_authorize_url(
        client_id="51234", redirect_uri="https://h.example/cb", state="s2", code_challenge="ch"
    )
    assert vk.startswith("https://id.vk.com/authorize?")
    assert query_of(vk) == {
        "response_type": "code",
        "client_id": "51234",
        "redirect_uri": "https://h.example/cb",
        "state": "s2",
        "code_challenge": "ch",
        "code_challenge_method": "S256",
        "scope": "wall photos groups",
    }
