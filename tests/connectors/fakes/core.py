"""Shared machinery of the fake networks: request parsing, call log, per-route scripts.

Each fake is an ``httpx.MockTransport`` handler (no sockets). A test scripts a route
with ``fake.enqueue(route, response)``: the next call to that route gets the scripted
answer (an ``httpx.Response``, or an exception such as ``httpx.ReadTimeout`` raised
*after* the request was recorded, i.e. after it was sent); unscripted calls get the
fake's default, documented success shape with unknown extra fields added.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx

EXTRA = {"x_unknown_field": {"nested": [1, 2, 3]}, "another_new_flag": True}


@dataclass
class Upload:
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass
class Call:
    method: str
    host: str
    path: str
    route: str
    headers: httpx.Headers
    params: dict[str, Any] = field(default_factory=dict)  # query + form + json
    files: dict[str, Upload] = field(default_factory=dict)
    raw: bytes = b""


def parse_request(request: httpx.Request) -> tuple[dict[str, Any], dict[str, Upload]]:
    params: dict[str, Any] = {k: v for k, v in request.url.params.multi_items()}
    files: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "")
    body = request.read()
    if content_type.startswith("application/json"):
        params.update(json.loads(body or b"{}"))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update(
            {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        )
    elif content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = Upload(filename, part.get_content_type(), payload)
            else:
                params[name] = payload.decode()
    return params, files


class FakeNetwork:
    """Base of the fakes: records calls, plays scripts, falls back to ``default``."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._scripts: dict[str, deque[Any]] = defaultdict(deque)

    # to be provided by each fake
    def route_of(self, request: httpx.Request) -> str:
        raise NotImplementedError

    def default(self, call: Call) -> httpx.Response:
        raise NotImplementedError

    def enqueue(self, route: str, *answers: Any) -> None:
        self._scripts[route].extend(answers)

    def handler(self, request: httpx.Request) -> httpx.Response:
        params, files = parse_request(request)
        call = Call(
            method=request.method,
            host=request.url.host,
            path=request.url.path,
            route=self.route_of(request),
            headers=request.headers,
            params=params,
            files=files,
            raw=request.content,
        )
        self.calls.append(call)
        script = self._scripts.get(call.route)
        if script:
            answer = script.popleft()
            if callable(answer) and not isinstance(answer, httpx.Response):
                answer = answer(call)
            if isinstance(answer, BaseException):
                raise answer
            return answer
        return self.default(call)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self.handler))

    def routes(self) -> list[str]:
        return [call.route for call in self.calls]

    def last(self, route: str) -> Call:
        return [call for call in self.calls if call.route == route][-1]


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


class FakeClock:
    """An injected clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
