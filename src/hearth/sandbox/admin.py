"""A small client for the sandbox's admin endpoints (accounts, faults, stats).

It takes any ``httpx.Client`` — one from ``Sandbox.client()`` in-process, or a plain
client for a sandbox served on a port — so the demo, the tests and the benchmark drive
the sandbox the same way.
"""

from __future__ import annotations

from typing import Any

import httpx


class SandboxAdminError(RuntimeError):
    pass


class SandboxAdmin:
    def __init__(self, http: httpx.Client, base_url: str) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, f"{self.base_url}{path}", **kwargs)
        if response.status_code >= 400:
            raise SandboxAdminError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def create_account(self, handle: str, **settings: Any) -> dict[str, Any]:
        """Create (or reuse) ``handle`` and issue a fresh token pair: returns the
        credentials dict a sandbox channel stores (``SANDBOX.connect(credentials, …)``).

        Settings: ``followers`` (1000), ``follower_growth_per_day`` (0.002),
        ``posts_per_window`` (30) per ``window_seconds`` (60), ``token_ttl_seconds``
        (3600), ``reject_duplicate_text`` (False), ``display_name``. They apply when the
        account is created; an existing account keeps its own.
        """
        answer = self._call("POST", "/_accounts", json={"handle": handle, **settings})
        return dict(answer["credentials"])

    def inject_fault(self, kind: str, **options: Any) -> dict[str, Any]:
        """Arm a fault (see ``hearth.sandbox.faults``), e.g.
        ``inject_fault("rate_limit", retry_after=3, count=5, account="coach")``."""
        return dict(self._call("POST", "/_faults", json={"kind": kind, **options}))

    def expire_tokens(self, account: str) -> int:
        """Expire the account's access tokens now (a refresh brings a working one)."""
        answer = self._call("POST", "/_faults", json={"kind": "expire_token", "account": account})
        return int(answer["expired_tokens"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/_faults"))

    def clear_faults(self) -> None:
        self._call("DELETE", "/_faults")

    def stats(self) -> dict[str, Any]:
        """Per account: posts, deleted, duplicate_texts, rate_limited, rate_limit,
        ceiling_per_minute; and their totals."""
        return dict(self._call("GET", "/_stats"))
