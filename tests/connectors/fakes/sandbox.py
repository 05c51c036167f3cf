"""The sandbox's fake is the sandbox itself: the real ASGI app, run in-process.

Unlike the other fakes (scripted ``MockTransport`` handlers built from networks.md), the
sandbox network is ours, so its contract tests run against the real thing; faults are
scripted through its admin endpoint instead of ``enqueue``.
"""

from __future__ import annotations

from typing import Any

from hearth.sandbox.connector import SANDBOX, SandboxConnection
from hearth.sandbox.inprocess import Sandbox, start_in_process
from tests.connectors.fakes.core import FakeClock

HANDLE = "coach"


def start_fake_sandbox(clock: FakeClock) -> Sandbox:
    return start_in_process(clock=clock)


def connect(
    sandbox: Sandbox, clock: FakeClock, credentials: dict[str, Any], *, timeout: float = 10.0
) -> SandboxConnection:
    connection = SANDBOX.connect(
        credentials, http=sandbox.client(timeout=timeout), clock=clock, sleep=clock.sleep
    )
    assert isinstance(connection, SandboxConnection)
    return connection
