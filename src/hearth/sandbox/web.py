"""Just enough plain ASGI for the sandbox: a request, a response, a route table.

Plain ASGI rather than a framework keeps the sandbox dependency-free (uvicorn serves it,
``httpx.ASGITransport`` calls it in-process) and makes the one unusual need explicit: a
response may *stall* before it is sent, to play a network that accepted a post and then
never answered in time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


class BadRequest(Exception):
    """The request body is not what the endpoint takes (answered 422)."""


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str
    params: dict[str, str] = field(default_factory=dict)  # from the route pattern

    @classmethod
    async def receive(cls, scope: Scope, receive: Receive) -> Request:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        host = headers.get("host") or "sandbox.invalid"
        return cls(
            method=scope["method"],
            path=scope["path"],
            query=dict(parse_qsl(scope.get("query_string", b"").decode())),
            headers=headers,
            body=b"".join(chunks),
            base_url=f"{scope.get('scheme', 'http')}://{host}",
        )

    def json(self) -> dict[str, Any]:
        try:
            body = json.loads(self.body or b"{}")
        except ValueError as exc:
            raise BadRequest("the body is not valid JSON") from exc
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object")
        return body

    def bearer(self) -> str | None:
        value = self.headers.get("authorization", "")
        return value[7:].strip() if value.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    stall_seconds: float = 0.0  # wait this long before answering (timeout faults)

    async def send(self, send: Send) -> None:
        payload = b"" if self.body is None else json.dumps(self.body, ensure_ascii=False).encode()
        headers = [(k.lower().encode(), str(v).encode()) for k, v in self.headers.items()]
        headers.append((b"content-type", b"application/json; charset=utf-8"))
        headers.append((b"content-length", str(len(payload)).encode()))
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def error(status: int, code: str, message: str, **extra: Any) -> Response:
    """The sandbox's one error envelope: ``{"error": code, "message": text, …}``."""
    headers = extra.pop("headers", {})
    return Response(status, {"error": code, "message": message, **extra}, headers)


Handler = Callable[[Request], Response]


class Routes:
    """Method + path pattern (``{name}`` segments) → handler, tried in order."""

    def __init__(self) -> None:
        self._table: list[tuple[str, re.Pattern[str], Handler]] = []

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        self._table.append((method, re.compile(f"^{regex}$"), handler))

    def resolve(self, request: Request) -> Handler | Response:
        allowed = False
        for method, regex, handler in self._table:
            match = regex.match(request.path)
            if match is None:
                continue
            if method == request.method:
                request.params = match.groupdict()
                return handler
            allowed = True
        if allowed:
            return error(405, "method_not_allowed", f"{request.method} is not allowed here")
        return error(404, "not_found", f"no route {request.path}")


async def answer_lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge startup and shutdown: the sandbox has nothing to open or close."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
