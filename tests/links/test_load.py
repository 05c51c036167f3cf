"""10,000 requests to one short link through the real server give exactly 10,000 click rows,
even when the server is stopped gracefully (SIGTERM) in the middle of the load."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.db import connection

from hearth.links.models import Click
from tests.factories import make_user, make_workspace
from tests.links.factories import make_link, make_project

ROOT = Path(__file__).resolve().parents[2]
TOTAL = 10_000
STOP_AFTER = 5_000
CONCURRENCY = 8
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0 Safari/537.36",
    "TelegramBot (like TwitterBot)",
    "",
]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    user = db.get("USER") or "postgres"
    return f"postgresql://{user}@{host}:{port}/{db['NAME']}"


class Server:
    """``hearth serve`` on a free loopback port; its log is drained so it never blocks."""

    started: list[Server] = []

    def __init__(self):
        env = {
            **os.environ,
            "HEARTH_DATABASE_URL": _database_url(),
            "HEARTH_DATA_DIR": str(settings.DATA_DIR),
            "PYTHONPATH": str(ROOT),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hearth", "serve", "--no-worker", "--port", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        Server.started.append(self)
        self.log: list[str] = []
        self.port: int | None = None
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout:
            self.log.append(line)
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                self.ready.set()
        self.ready.set()  # exited: let waiters see it

    def base_url(self) -> str:
        assert self.ready.wait(60) and self.port, "".join(self.log)
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


class Load:
    """TOTAL requests from CONCURRENCY threads, each with its own httpx client (httpx's async
    pool slows down sharply under concurrency; threaded sync clients do not). After
    STOP_AFTER answers the first server gets SIGTERM and a second one takes over."""

    def __init__(self, path: str, first: Server, location: str):
        self.path, self.first, self.location = path, first, location
        self.current = first
        self.lock = threading.Lock()
        self.issued = 0
        self.answered: Counter = Counter()
        self.served_by_first = 0
        self.second_ready = threading.Event()
        self.switcher: threading.Thread | None = None
        self.first_exit: int | None = None

    def run(self) -> None:
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            for future in [pool.submit(self._worker, n) for n in range(CONCURRENCY)]:
                future.result()
        if self.switcher is not None:
            self.switcher.join(timeout=120)

    def _switch(self) -> None:
        # SIGTERM while the other threads' requests are in flight, then a second server.
        stopping = threading.Thread(target=lambda: setattr(self, "first_exit", self.first.stop()))
        stopping.start()
        second = Server()
        second.base_url()
        self.current = second
        self.second_ready.set()
        stopping.join(timeout=120)

    def _worker(self, _n: int) -> None:
        with httpx.Client(timeout=60) as http:
            while True:
                with self.lock:
                    if self.issued == TOTAL:
                        return
                    user_agent = USER_AGENTS[self.issued % len(USER_AGENTS)]
                    self.issued += 1
                self._one(http, user_agent)

    def _one(self, http: httpx.Client, user_agent: str) -> None:
        while True:
            server = self.current
            try:
                response = http.get(
                    server.base_url() + self.path, headers={"User-Agent": user_agent}
                )
                break
            except httpx.TransportError:
                # Refused or closed before any answer: the stopping server did not take it.
                assert self.second_ready.wait(120)
        assert response.status_code == 302, response.text
        assert response.headers["location"] == self.location
        with self.lock:
            self.answered[response.status_code] += 1
            if server is self.first:
                self.served_by_first += 1
            if sum(self.answered.values()) == STOP_AFTER:
                self.switcher = threading.Thread(target=self._switch)
                self.switcher.start()


# uvicorn re-raises the SIGTERM it caught once its graceful shutdown (lifespan included) is done.
GRACEFUL_EXITS = {0, -signal.SIGTERM}


@pytest.fixture
def no_server_left_behind():
    yield
    for server in Server.started:
        if server.process.poll() is None:  # a failed run: do not leave the server running
            server.process.kill()
            server.process.wait(timeout=30)
    Server.started.clear()


@pytest.mark.slow
@pytest.mark.usefixtures("no_server_left_behind")
@pytest.mark.django_db(transaction=True)
def test_ten_thousand_requests_make_ten_thousand_clicks_across_a_graceful_stop():
    workspace = make_workspace("Acme", owner=make_user())
    link = make_link(
        workspace, make_project(workspace), "https://shop.example/p?a=1#x", network="vk"
    )
    first = Server()
    first.base_url()
    load = Load(f"/r/{link.code}?next=https://evil.example", first, link.destination())
    load.run()
    assert load.first_exit in GRACEFUL_EXITS, "".join(first.log[-30:])
    # Everything the first server answered was written by its shutdown, before it exited.
    written_by_first = Click.objects.count()
    second = load.current
    assert second.stop() in GRACEFUL_EXITS, "".join(second.log[-30:])
    assert load.answered == Counter({302: TOTAL})
    assert 0 < load.served_by_first < TOTAL
    assert written_by_first >= load.served_by_first
    assert Click.objects.count() == TOTAL
    assert Click.objects.filter(is_bot=True).count() == TOTAL // 2  # the bot and the empty UA
