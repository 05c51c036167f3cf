"""Kill -9 a worker while 500 due posts publish to the sandbox; restart; nothing twice.

Real processes throughout: the sandbox network served on loopback, `hearth worker`
processes on the test database, SIGKILL in the middle of the batch.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.utils import timezone

from hearth.channels.models import ChannelAccount
from hearth.content.models import Variant
from hearth.sandbox.admin import SandboxAdmin
from tests.content.factories import make_channel, make_item, make_project
from tests.system.test_workers import _database_url

ROOT = Path(__file__).resolve().parents[2]
POSTS = 500
CHANNELS = 10
S = Variant.Status


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not come up")


def _counts() -> dict[str, int]:
    return {s: Variant.objects.filter(status=s).count() for s in S.values}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_kill_9_mid_batch_then_restart_publishes_each_once(workspace, owner, tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    box = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "hearth.sandbox",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "sbx.db"),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[subprocess.Popen] = []
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/_stats")
        admin = SandboxAdmin(httpx.Client(timeout=10), base)
        project = make_project(workspace)
        now = timezone.now()
        for c in range(CHANNELS):
            channel = make_channel(project, network="sandbox", name=f"Sandbox {c}")
            ChannelAccount.objects.create(
                channel=channel,
                credentials=admin.create_account(
                    f"acct{c}", posts_per_window=10_000, window_seconds=60
                ),
                state=ChannelAccount.State.HEALTHY,
                min_interval_seconds=0,
            )
            for n in range(POSTS // CHANNELS):
                item = make_item(project, owner, [channel], text=f"Post {c}-{n} for the crash test")
                item.variants.update(status=S.SCHEDULED, scheduled_at=now)

        worker_env = {
            **env,
            "HEARTH_DATABASE_URL": _database_url(),
            "HEARTH_DATA_DIR": str(settings.DATA_DIR),
            "HEARTH_PUBLISH_LEASE_SECONDS": "3",
        }

        def start_worker() -> subprocess.Popen:
            worker = subprocess.Popen(
                [sys.executable, "-m", "hearth", "worker", "--interval", "0.2"],
                cwd=ROOT,
                env=worker_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            workers.append(worker)
            return worker

        first = start_worker()
        deadline = time.monotonic() + 120
        while _counts()[S.PUBLISHED] < POSTS // 5 and time.monotonic() < deadline:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        at_kill = _counts()
        assert at_kill[S.PUBLISHED] < POSTS, (
            "the batch finished before the kill: nothing was tested"
        )

        start_worker()
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            counts = _counts()
            if counts[S.SCHEDULED] == 0 and counts[S.PUBLISHING] == 0:
                break
            time.sleep(0.5)
        counts = _counts()
        assert counts[S.PUBLISHED] + counts[S.UNCONFIRMED] == POSTS, counts
        stats = admin.stats()["totals"]
        assert stats["duplicate_texts"] == 0
        # Every published variant is on the network, and nothing else is.
        assert stats["posts"] >= counts[S.PUBLISHED]
        assert stats["posts"] <= POSTS
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)
        box.terminate()
        box.wait(timeout=20)
