"""OAuth protocol pieces for connecting Mastodon and VK channels (no views, no models).

PKCE (RFC 7636, S256), ``state`` values and their single-use, expiring store, authorize
URLs, and the code exchanges. Every network call takes an injected ``httpx.Client``;
views get theirs from :data:`http_client`, which tests replace with a fake transport.

The pending-state store is any mutable mapping (the Django session in practice): a
state is bound to the workspace and channel it was made for, expires after
:data:`STATE_LIFETIME` and is removed the first time it is presented, valid or not.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets
from collections.abc import Callable, MutableMapping
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from hearth.connectors.mastodon import InstanceLimits
from hearth.kit.http import make_client

# The views call this to get a client; tests swap it for one on a fake transport.
http_client: Callable[[], httpx.Client] = make_client

STATE_LIFETIME = timedelta(minutes=10)
STATES_KEY = "hearth_oauth_states"
MAX_PENDING_STATES = 20  # a session abandoning many flows must not grow without bound

MASTODON_SCOPES = "read write"
VK_ID_BASE = "https://id.vk.com"
VK_API_BASE = "https://api.vk.com/method"
VK_API_VERSION = "5.199"
# A VK ID user key for a community wall: posting, photo upload, listing managed groups.
VK_SCOPES = "wall photos groups"


class OAuthError(Exception):
    """A flow cannot go on; the message is shown to the user as is."""


# --- PKCE and state -----------------------------------------------------------------------


def pkce_verifier() -> str:
    """A fresh code verifier: 64 random bytes → 86 URL-safe characters (RFC 7636 §4.1)."""
    return secrets.token_urlsafe(64)


def pkce_challenge(verifier: str) -> str:
    """``BASE64URL(SHA256(verifier))`` without padding (the S256 method, RFC 7636 §4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_state() -> str:
    return secrets.token_urlsafe(32)


def remember_state(
    store: MutableMapping[str, Any], record: dict[str, Any], *, now: datetime
) -> str:
    """Keep ``record`` under a new state value and return that value.

    The store is re-assigned (not mutated in place) so a Django session notices the change.
    """
    pending = {
        key: value
        for key, value in dict(store.get(STATES_KEY) or {}).items()
        if now.timestamp() - value["created"] < STATE_LIFETIME.total_seconds()
    }
    while len(pending) >= MAX_PENDING_STATES:
        pending.pop(min(pending, key=lambda key: pending[key]["created"]))
    state = new_state()
    pending[state] = {**record, "created": now.timestamp()}
    store[STATES_KEY] = pending
    return state


def take_state(
    store: MutableMapping[str, Any], state: str | None, *, network: str, now: datetime
) -> dict[str, Any]:
    """Remove and return the record of ``state``; refuse unknown, expired or foreign ones."""
    pending = dict(store.get(STATES_KEY) or {})
    record = pending.pop(state, None) if state else None
    store[STATES_KEY] = pending
    if record is None or record.get("network") != network:
        raise OAuthError(
            "This authorization answer does not match a connection started here (it was "
            "already used, or it comes from another browser). Start again from the channel page."
        )
    if now.timestamp() - record["created"] >= STATE_LIFETIME.total_seconds():
        raise OAuthError(
            "The authorization took longer than 10 minutes and has expired. Start again."
        )
    return record


def denied_message(error: str, description: str | None) -> str:
    if error == "access_denied":
        return "The authorization was declined on the network, so nothing was connected."
    detail = f"{error}: {description}" if description else error
    return f"The network answered with an error ({detail})."


# --- Mastodon -----------------------------------------------------------------------------


def normalize_instance_url(raw: str) -> str:
    """``mastodon.social`` or ``https://mastodon.social/`` → ``https://mastodon.social``.

    Only public HTTPS hosts: Hearth calls this address from the server, so an address
    on the local network or loopback is refused.
    """
    text = raw.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or parts.username or parts.password:
        raise OAuthError("Enter the instance's address, such as https://mastodon.social.")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise OAuthError("Enter only the instance's address, without a path.")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host or host.endswith((".local", ".localhost", ".internal")):
            raise OAuthError("That is not a public instance address.") from None
    else:
        if not address.is_global:
            raise OAuthError("That is not a public instance address.")
    port = f":{parts.port}" if parts.port and parts.port != 443 else ""
    return f"https://{host}{port}"


def _json_or_error(response: httpx.Response, what: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400 or not isinstance(body, dict):
        detail = ""
        if isinstance(body, dict):
            detail = str(body.get("error_description") or body.get("error") or "")
        raise OAuthError(
            f"{what} failed (HTTP {response.status_code}{': ' + detail if detail else ''})."
        )
    return body


def _post(http: httpx.Client, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = http.post(url, **kwargs)
    except httpx.HTTPError as exc:
        raise OAuthError(f"{what} failed: the network could not be reached ({exc}).") from exc
    return _json_or_error(response, what)


def _get(http: httpx.Client, url: str, what: str, **kwargs: Any) -> dict[str, Any]:
    try:
        response = http.get(url, **kwargs)
    except httpx.HTTPError as exc:
        raise OAuthError(f"{what} failed: the network could not be reached ({exc}).") from exc
    return _json_or_error(response, what)


@dataclass(frozen=True)
class RegisteredApp:
    client_id: str
    client_secret: str


def mastodon_register_app(
    http: httpx.Client, instance_url: str, *, redirect_uri: str, website: str
) -> RegisteredApp:
    body = _post(
        http,
        f"{instance_url}/api/v1/apps",
        "Registering Hearth on the instance",
        data={
            "client_name": "Hearth",
            "redirect_uris": redirect_uri,
            "scopes": MASTODON_SCOPES,
            "website": website,
        },
    )
    if not body.get("client_id") or not body.get("client_secret"):
        raise OAuthError("The instance did not return app credentials.")
    return RegisteredApp(str(body["client_id"]), str(body["client_secret"]))


def mastodon_supports_pkce(http: httpx.Client, instance_url: str) -> bool:
    """Mastodon 4.3+ publishes RFC 8414 metadata listing S256; older ones have none."""
    try:
        response = http.get(f"{instance_url}/.well-known/oauth-authorization-server")
        metadata = response.json() if response.status_code == 200 else {}
    except (httpx.HTTPError, ValueError):
        return False
    return isinstance(metadata, dict) and "S256" in (
        metadata.get("code_challenge_methods_supported") or []
    )


def mastodon_authorize_url(
    instance_url: str,
    *,
    client_id: str,
    redirect_uri: str,
    state: str,
    code_challenge: str | None,
    scopes: str = MASTODON_SCOPES,
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scopes,
        "state": state,
    }
    if code_challenge:
        query |= {"code_challenge": code_challenge, "code_challenge_method": "S256"}
    return f"{instance_url}/oauth/authorize?{urlencode(query)}"


def mastodon_exchange_code(
    http: httpx.Client,
    instance_url: str,
    *,
    app: RegisteredApp,
    redirect_uri: str,
    code: str,
    code_verifier: str | None,
    scopes: str = MASTODON_SCOPES,
) -> str:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": redirect_uri,
        "scope": scopes,
    }
    if code_verifier:
        form["code_verifier"] = code_verifier
    body = _post(http, f"{instance_url}/oauth/token", "Exchanging the code", data=form)
    if not body.get("access_token"):
        raise OAuthError("The instance's token answer has no access token.")
    return str(body["access_token"])


def mastodon_instance_limits(http: httpx.Client, instance_url: str) -> dict[str, Any]:
    """The instance's limits as the connector caches them in ``instance_limits``."""
    instance = _get(http, f"{instance_url}/api/v2/instance", "Reading the instance's limits")
    return asdict(InstanceLimits.from_instance(instance))


# --- VK ID --------------------------------------------------------------------------------


def vk_authorize_url(
    *, client_id: str, redirect_uri: str, state: str, code_challenge: str, scopes: str = VK_SCOPES
) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "state": state,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "scope": scopes,
    }
    return f"{VK_ID_BASE}/authorize?{urlencode(query)}"


@dataclass(frozen=True)
class VkTokens:
    access_token: str
    refresh_token: str
    device_id: str
    expires_at: datetime
    user_id: str | None


def vk_exchange_code(
    http: httpx.Client,
    *,
    client_id: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    device_id: str,
    state: str,
    now: datetime,
) -> VkTokens:
    body = _post(
        http,
        f"{VK_ID_BASE}/oauth2/auth",
        "Exchanging the code at VK ID",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "code_verifier": code_verifier,
            "client_id": client_id,
            "device_id": device_id,
            "redirect_uri": redirect_uri,
            "state": state,
        },
    )
    if body.get("error") or not body.get("access_token") or not body.get("refresh_token"):
        detail = body.get("error_description") or body.get("error") or "no tokens in the answer"
        raise OAuthError(f"VK ID refused the code ({detail}).")
    if body.get("state") not in (None, state):
        raise OAuthError("VK ID answered for another authorization; start again.")
    return VkTokens(
        access_token=str(body["access_token"]),
        refresh_token=str(body["refresh_token"]),
        device_id=device_id,
        expires_at=now + timedelta(seconds=int(body.get("expires_in") or 3600)),
        user_id=str(body["user_id"]) if body.get("user_id") is not None else None,
    )


def vk_managed_groups(http: httpx.Client, access_token: str) -> list[tuple[int, str]]:
    """Communities the user administers or edits (``groups.get filter=admin,editor``)."""
    body = _post(
        http,
        f"{VK_API_BASE}/groups.get",
        "Listing your VK communities",
        data={
            "filter": "admin,editor",
            "extended": "1",
            "count": "1000",
            "access_token": access_token,
            "v": VK_API_VERSION,
        },
    )
    if "error" in body:  # VK reports errors inside HTTP 200
        error = body["error"] if isinstance(body["error"], dict) else {}
        raise OAuthError(f"VK refused to list your communities ({error.get('error_msg', '')}).")
    items = (body.get("response") or {}).get("items") or []
    return [(int(item["id"]), str(item.get("name") or item["id"])) for item in items]
