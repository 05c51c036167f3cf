"""Redirector benchmark: ``/r/<code>`` with click logging vs a bare ASGI app answering 302.

Both are served by uvicorn on loopback in the same run, with the same settings (h11, access
log on, one process each), and loaded by the same small keep-alive HTTP/1.1 client written on
asyncio streams (lighter than httpx, so the client is not what gets measured). Rounds
alternate between the two servers and the median of each is compared, so a machine busy with
other work slows both alike. The ratio hearth / bare should stay ≥ 0.5. After the run the
Hearth server is stopped gracefully and the click rows are counted: every request is logged.

    .venv/bin/python bench/redirector_bench.py [--requests 20000] [--connections 16] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_LOCATION = b"https://shop.example/offer?utm_source=vk&utm_medium=social"


async def bare_302(scope, receive, send):
    """The reference: the least an ASGI app can do to answer a redirect."""
    if scope["type"] != "http":
        return
    await send(
        {
            "type": "http.response.start",
            "status": 302,
            "headers": [(b"location", BARE_LOCATION), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


class Served:
    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.port: int | None = None
        self.ready = threading.Event()
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        for line in self.process.stdout:
            found = re.search(r"running on http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                self.ready.set()
        self.ready.set()

    def wait_ready(self) -> int:
        if not self.ready.wait(60) or self.port is None:
            raise SystemExit(f"server did not start: {self.process.args}")
        return self.port

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


async def _connection(port: int, path: str, count: int) -> None:
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) bench\r\n\r\n"
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(count):
        writer.write(request.encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 302"):
            raise SystemExit(f"unexpected answer: {head[:200]!r}")
        length = re.search(rb"(?i)content-length: *(\d+)", head)
        if length and int(length.group(1)):
            await reader.readexactly(int(length.group(1)))
    writer.close()
    await writer.wait_closed()


def load(port: int, path: str, requests: int, connections: int) -> float:
    """Requests per second for ``requests`` GETs spread over ``connections`` keep-alive links."""
    per_connection = requests // connections

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(_connection(port, path, per_connection) for _ in range(connections)))
        return per_connection * connections / (time.perf_counter() - started)

    return asyncio.run(run())


def _prepare_database(data_dir: str) -> str:
    """A fresh SQLite database in ``data_dir`` with one tracked link; returns its code."""
    os.environ["HEARTH_DATA_DIR"] = data_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "hearth.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from hearth.links.services import create_link
    from hearth.strategy.models import Project
    from hearth.workspaces.models import Workspace

    workspace = Workspace.objects.create(name="Bench", slug="bench")
    project = Project.objects.create(workspace=workspace, name="Bench")
    return create_link(workspace, project, "https://shop.example/offer", network="vk").code


def _click_count() -> int:
    from django.db import connection

    from hearth.links.models import Click

    connection.close()
    return Click.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="hearth-bench-")
    os.environ.setdefault("HEARTH_SECRET_KEY", "bench-secret-key-" + "x" * 50)
    os.environ.setdefault("HEARTH_ALLOWED_HOSTS", "127.0.0.1,localhost")
    os.environ.pop("HEARTH_DATABASE_URL", None)
    code = _prepare_database(data_dir)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    hearth = Served([sys.executable, "-m", "hearth", "serve", "--no-worker", "--port", "0"], env)
    bare = Served(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(ROOT / "bench"),
         "redirector_bench:bare_302", "--host", "127.0.0.1", "--port", "0"],
        env,
    )  # fmt: skip
    hearth_port, bare_port = hearth.wait_ready(), bare.wait_ready()
    path = f"/r/{code}"
    load(hearth_port, path, 200, 1)  # first request fills the route cache; warm both up
    load(bare_port, path, 200, 1)

    bare_rates, hearth_rates = [], []
    for _ in range(args.rounds):
        bare_rates.append(load(bare_port, path, args.requests, args.connections))
        hearth_rates.append(load(hearth_port, path, args.requests, args.connections))
    sent = 200 + args.rounds * (args.requests // args.connections) * args.connections
    hearth_exit, bare_exit = hearth.stop(), bare.stop()
    logged = _click_count()

    bare_rps, hearth_rps = statistics.median(bare_rates), statistics.median(hearth_rates)
    print(f"requests per round: {args.requests}, connections: {args.connections}")
    print(f"bare ASGI 302   : {bare_rps:9.0f} req/s  (rounds: {[round(r) for r in bare_rates]})")
    print(
        f"hearth /r/<code>: {hearth_rps:9.0f} req/s  (rounds: {[round(r) for r in hearth_rates]})"
    )
    print(f"ratio hearth / bare: {hearth_rps / bare_rps:.2f}  (target ≥ 0.50)")
    print(f"clicks logged: {logged} of {sent} requests (server exits: {hearth_exit}, {bare_exit})")
    if logged != sent:
        raise SystemExit("clicks were lost")


if __name__ == "__main__":
    main()
