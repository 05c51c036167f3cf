"""Running the sandbox inside the caller's process: for tests, the demo and benchmarks.

``start_in_process()`` needs no port: a synchronous httpx transport hands each request to
the ASGI app on a private event-loop thread (the connectors use a sync ``httpx.Client``,
which ``httpx.ASGITransport`` alone cannot serve). The client's read timeout is honoured,
so a "timeout after accepting" fault really ends in ``httpx.ReadTimeout``.

``serve_in_thread()`` serves the same app with uvicorn on a loopback port, for code that
must talk real HTTP (the benchmark, one end-to-end test).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import httpx

from hearth.sandbox.admin import SandboxAdmin
from hearth.sandbox.server import Clock, SandboxApp, create_app, utc_now

IN_PROCESS_URL = "http://sandbox.test"


class InProcessTransport(httpx.BaseTransport):
    """A sync transport that runs an ASGI app on its own event loop thread."""

    def __init__(self, app: SandboxApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hearth-sandbox", daemon=True
        )
        self._thread.start()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._loop.is_closed():
            raise httpx.ConnectError("the in-process sandbox was shut down", request=request)
        timeout = (request.extensions.get("timeout") or {}).get("read")
        copy = httpx.Request(
            request.method, request.url, headers=request.headers, content=request.read()
        )
        future = asyncio.run_coroutine_threadsafe(self._exchange(copy, timeout), self._loop)
        try:
            status, headers, content = future.result()
        except TimeoutError:
            raise httpx.ReadTimeout("the sandbox did not answer in time", request=request) from None
        return httpx.Response(status, headers=headers, content=content, request=request)

    async def _exchange(
        self, request: httpx.Request, timeout: float | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        async def exchange() -> tuple[int, list[tuple[str, str]], bytes]:
            response = await self._asgi.handle_async_request(request)
            content = await response.aread()
            return response.status_code, response.headers.multi_items(), content

        return await asyncio.wait_for(exchange(), timeout)

    def close(self) -> None:
        """Clients share this transport: closing one client must not stop the sandbox."""

    def shutdown(self) -> None:
        if not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=5)
            self._loop.close()


class Sandbox:
    """A running sandbox: ``client()`` for connections, ``admin`` for accounts and faults."""

    def __init__(self, app: SandboxApp, base_url: str, transport: httpx.BaseTransport | None):
        self.app = app
        self.base_url = base_url
        self._transport = transport
        self._admin_http = self.client()
        self.admin = SandboxAdmin(self._admin_http, base_url)

    def client(self, timeout: float = 10.0) -> httpx.Client:
        """A client to inject into ``SANDBOX.connect(…, http=client)``."""
        return httpx.Client(transport=self._transport, timeout=timeout)

    def create_account(self, handle: str, **settings: Any) -> dict[str, Any]:
        return self.admin.create_account(handle, **settings)

    def close(self) -> None:
        self._admin_http.close()
        if isinstance(self._transport, InProcessTransport):
            self._transport.shutdown()
        self.app.store.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def start_in_process(*, clock: Clock = utc_now, db_path: str = ":memory:") -> Sandbox:
    """A sandbox living in this process; pass a fake clock to age posts instantly."""
    app = create_app(db_path, clock=clock)
    return Sandbox(app, IN_PROCESS_URL, InProcessTransport(app))


@contextlib.contextmanager
def serve_in_thread(
    *, host: str = "127.0.0.1", port: int = 0, db_path: str = ":memory:", clock: Clock = utc_now
) -> Iterator[Sandbox]:
    """Serve the sandbox with uvicorn on a loopback port (0: any free port) meanwhile."""
    import uvicorn

    app = create_app(db_path, clock=clock)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="hearth-sandbox-http", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"the sandbox could not listen on {host}:{port}")
        threading.Event().wait(0.01)
    bound = server.servers[0].sockets[0].getsockname()[1]
    sandbox = Sandbox(app, f"http://{host}:{bound}", None)
    try:
        yield sandbox
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sandbox.close()
