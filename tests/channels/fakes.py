"""The Mastodon and VK fakes plus their OAuth servers (app registration, authorize, token).

``authorize(url)`` plays the user approving on the network's page: it checks what Hearth
put in the authorize URL and returns the query the network sends back to the callback.
The token endpoints check the PKCE verifier against the challenge they were shown.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.connectors.fakes.core import EXTRA, Call, json_response
from tests.connectors.fakes.mastodon import TOKEN, FakeMastodon
from tests.connectors.fakes.vk import GROUP_ID, FakeVk, vk_error, vk_ok

_codes = itertools.count(1)


def s256(verifier: str) -> str:
    # Written independently of hearth.channels.oauth on purpose.
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def query_of(url: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}


def _oauth_error(error: str, description: str) -> httpx.Response:
    return json_response(400, {"error": error, "error_description": description})


class FakeMastodonOAuth(FakeMastodon):
    def __init__(self, *, pkce: bool = True, max_characters: int = 500) -> None:
        super().__init__(max_characters=max_characters)
        self.pkce = pkce
        self.apps: dict[str, dict[str, str]] = {}
        self.codes: dict[str, dict[str, Any]] = {}

    def default(self, call: Call) -> httpx.Response:
        handlers = {
            "POST /api/v1/apps": self._register,
            "GET /.well-known/oauth-authorization-server": self._metadata,
            "POST /oauth/token": self._token,
        }
        if call.route in handlers:
            return handlers[call.route](call)
        if call.route == "GET /api/v2/instance" and "authorization" not in call.headers:
            return self._instance(call)  # public endpoint
        return super().default(call)

    def _register(self, call: Call) -> httpx.Response:
        p = call.params
        if not p.get("client_name") or not p.get("redirect_uris"):
            return json_response(422, {"error": "Validation failed: Redirect URI can't be blank"})
        client_id = f"client-{len(self.apps) + 1}"
        self.apps[client_id] = {
            "secret": f"secret-of-{client_id}",
            "redirect_uri": p["redirect_uris"],
            "scopes": p.get("scopes", "read"),
        }
        body = {
            "id": str(len(self.apps)),
            "name": p["client_name"],
            "website": p.get("website"),
            "redirect_uri": p["redirect_uris"],
            "client_id": client_id,
            "client_secret": f"secret-of-{client_id}",
            "vapid_key": "BCk…",
            **EXTRA,
        }
        return json_response(200, body)

    def _metadata(self, call: Call) -> httpx.Response:
        if not self.pkce:
            return json_response(404, {"error": "Not found"})
        return json_response(
            200,
            {
                "issuer": "https://mastodon.example/",
                "authorization_endpoint": "https://mastodon.example/oauth/authorize",
                "token_endpoint": "https://mastodon.example/oauth/token",
                "code_challenge_methods_supported": ["S256"],
                "scopes_supported": ["read", "write", "push"],
                **EXTRA,
            },
        )

    def authorize(self, url: str) -> dict[str, str]:
        """The user approves; returns the callback's query (``code`` and ``state``)."""
        q = query_of(url)
        app = self.apps[q["client_id"]]
        assert url.startswith("https://mastodon.example/oauth/authorize?")
        assert q["response_type"] == "code"
        assert q["redirect_uri"] == app["redirect_uri"]
        assert q["scope"] == app["scopes"]
        if "code_challenge" in q:
            assert q["code_challenge_method"] == "S256"
        code = f"code-{next(_codes)}"
        self.codes[code] = {
            "client_id": q["client_id"],
            "redirect_uri": q["redirect_uri"],
            "challenge": q.get("code_challenge"),
        }
        return {"code": code, "state": q["state"]}

    def _token(self, call: Call) -> httpx.Response:
        p = call.params
        grant = self.codes.pop(p.get("code", ""), None)
        if p.get("grant_type") != "authorization_code" or grant is None:
            return _oauth_error("invalid_grant", "The provided authorization grant is invalid")
        app = self.apps.get(p.get("client_id", ""))
        if app is None or p.get("client_secret") != app["secret"]:
            return json_response(401, {"error": "invalid_client"})
        if p.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error("invalid_grant", "redirect_uri mismatch")
        if grant["challenge"] and s256(p.get("code_verifier", "")) != grant["challenge"]:
            return _oauth_error("invalid_grant", "PKCE verification failed")
        return json_response(
            200,
            {"access_token": TOKEN, "token_type": "Bearer", "scope": app["scopes"], **EXTRA}
            | {"created_at": 1772366400},
        )


class FakeVkOAuth(FakeVk):
    """VK with VK ID's authorization-code grant and ``groups.get``."""

    def __init__(self, client_id: str) -> None:
        super().__init__()
        self.client_id = client_id
        self.codes: dict[str, dict[str, Any]] = {}
        self.admin_of = [(GROUP_ID, "Hearth"), (888, "Another club")]

    def authorize(self, url: str) -> dict[str, str]:
        q = query_of(url)
        assert url.startswith("https://id.vk.com/authorize?")
        assert q["client_id"] == self.client_id
        assert q["response_type"] == "code"
        assert q["code_challenge_method"] == "S256"
        assert set(q["scope"].split()) >= {"wall", "photos", "groups"}
        code = f"vk-code-{next(_codes)}"
        self.codes[code] = {"challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        return {
            "code": code,
            "state": q["state"],
            "device_id": self.device_id,
            "expires_in": "600",
            "type": "code_v2",
        }

    def _refresh(self, call: Call) -> httpx.Response:
        p = call.params
        if p.get("grant_type") != "authorization_code":
            return super()._refresh(call)
        grant = self.codes.pop(p.get("code", ""), None)
        if grant is None or p.get("client_id") != self.client_id:
            return _oauth_error("invalid_grant", "Code is invalid or expired")
        if p.get("device_id") != self.device_id or p.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error("invalid_grant", "device_id or redirect_uri mismatch")
        if s256(p.get("code_verifier", "")) != grant["challenge"]:
            return _oauth_error("invalid_grant", "code_verifier is invalid")
        body = {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "id_token": "header.payload.signature",
            "token_type": "Bearer",
            "expires_in": 3600,
            "user_id": 1,
            "state": p.get("state"),
            "scope": "wall photos groups",
            **EXTRA,
        }
        return json_response(200, body)

    def _groups_get(self, p: dict[str, Any]) -> httpx.Response:
        if "admin" not in p.get("filter", "").split(",") or p.get("extended") != "1":
            return vk_error(100, "filter=admin and extended=1 expected by this fake")
        items = [
            {"id": gid, "name": name, "screen_name": f"club{gid}", "is_admin": 1, **EXTRA}
            for gid, name in self.admin_of
        ]
        return vk_ok({"count": len(items), "items": items})
