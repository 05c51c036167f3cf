"""Faults injected on demand, so the publishing engine can be shown (and tested) failing.

A fault is armed through the admin endpoint ``POST /_faults`` (or ``SandboxAdmin``) and
hits the next ``count`` matching requests, then disappears: counts are consumed.

=======================  ==================================================  ============
kind                     what the sandbox does                               default op
=======================  ==================================================  ============
``rate_limit``           429 with ``Retry-After: retry_after`` (nothing      any
                         applied)
``server_error``         ``status`` (5xx); with ``applied`` the post is      create
                         stored first, so the 5xx is ambiguous
``timeout_after_accept`` stores the post, then stalls ``stall_seconds``      create
                         before answering: the client times out
``duplicate``            409 ``duplicate`` (the latest post with the same    create
                         text, if any, is in ``existing``)
``expire_token``         not a per-request fault: expires the account's      —
                         access tokens at once (401 ``token_expired`` until
                         a refresh)
=======================  ==================================================  ============

``account`` (a handle or an account id) limits a fault to one account; without it the
fault hits any account. ``operation`` is ``create`` (a post or a reply), ``upload`` (media),
``delete``, ``read`` or ``any``.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from typing import Any

REQUEST_FAULTS = ("rate_limit", "server_error", "timeout_after_accept", "duplicate")
KINDS = (*REQUEST_FAULTS, "expire_token")
OPERATIONS = ("create", "delete", "read", "upload", "any")
DEFAULT_OPERATION = {
    "rate_limit": "any",
    "server_error": "create",
    "timeout_after_accept": "create",
    "duplicate": "create",
}


@dataclass
class Fault:
    id: int
    kind: str
    remaining: int
    operation: str
    account: str | None = None
    retry_after: int = 3
    status: int = 503
    applied: bool = False
    stall_seconds: float = 30.0

    def matches(self, account_keys: tuple[str, ...], operation: str) -> bool:
        if self.account is not None and self.account not in account_keys:
            return False
        return self.operation in ("any", operation)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(body: Any, fault_id: int) -> Fault:
    """Build a Fault from the admin endpoint's JSON; ValueError explains what is wrong."""
    if not isinstance(body, dict):
        raise ValueError("a fault is a JSON object")
    kind = body.get("kind")
    if kind not in REQUEST_FAULTS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    known = {"kind", "count", "operation", "account", "retry_after", "status", "applied"}
    unknown = set(body) - known - {"stall_seconds"}
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    operation = body.get("operation", DEFAULT_OPERATION[kind])
    if operation not in OPERATIONS:
        raise ValueError(f"operation must be one of {', '.join(OPERATIONS)}")
    count = _integer(body, "count", 1, minimum=1)
    status = _integer(body, "status", 503, minimum=500)
    if status > 599:
        raise ValueError("status must be a 5xx code")
    stall = body.get("stall_seconds", 30.0)
    if not isinstance(stall, int | float) or isinstance(stall, bool) or stall < 0:
        raise ValueError("stall_seconds must be a non-negative number")
    account = body.get("account")
    return Fault(
        id=fault_id,
        kind=kind,
        remaining=count,
        operation=operation,
        account=str(account) if account is not None else None,
        retry_after=_integer(body, "retry_after", 3, minimum=0),
        status=status,
        applied=bool(body.get("applied", kind == "timeout_after_accept")),
        stall_seconds=float(stall),
    )


def _integer(body: dict[str, Any], name: str, default: int, *, minimum: int) -> int:
    value = body.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}")
    return value


class FaultBoard:
    """The armed faults of one sandbox process, consumed in the order they were armed."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1
        self._lock = threading.Lock()

    def arm(self, body: Any) -> Fault:
        with self._lock:
            fault = parse_fault(body, self._next_id)
            self._next_id += 1
            self._faults.append(fault)
            return fault

    def take(self, account_keys: tuple[str, ...], operation: str) -> Fault | None:
        """Consume one hit of the first fault matching this request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(account_keys, operation):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def active(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
