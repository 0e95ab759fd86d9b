"""A scripted ClickMeter look-alike over real HTTP, recording what the client sends.

Each test queues replies per path (`fake_api.reply("/me", Reply(...), ...)`); the last reply
of a path repeats. Every request is recorded with its arrival time, so tests can assert on
headers, query strings, retry counts and pacing.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clickmeter import ClickMeterClient
from tests.servers import serve_in_thread

API_KEY = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
ZONE = ZoneInfo("America/Denver")


@dataclass(frozen=True)
class Reply:
    """One scripted answer: JSON `body` (or raw `text`), status, headers, delay before it."""

    body: Any = None
    status: int = 200
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Seen:
    path: str
    query: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float
    method: str = "GET"
    body: bytes = b""


class FakeApi:
    """The script and the record; reset before each test."""

    def __init__(self) -> None:
        self.url = ""
        self._lock = threading.Lock()
        self._replies: dict[str, list[Reply]] = {}
        self.requests: list[Seen] = []

    def reset(self) -> None:
        with self._lock:
            self._replies.clear()
            self.requests.clear()

    def reply(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._replies.setdefault(path, []).extend(replies)

    def json(self, path: str, body: Any) -> None:
        self.reply(path, Reply(body))

    def seen(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if path is None or r.path == path]

    def _next(self, path: str) -> Reply:
        with self._lock:
            queue = self._replies.get(path)
            if not queue:
                return Reply({"errorCode": 404, "httpErrorCode": 404, "Message": "no route"}, 404)
            return queue.pop(0) if len(queue) > 1 else queue[0]

    async def handle(self, request: Request) -> Response:
        path = request.url.path
        body = await request.body()
        with self._lock:
            self.requests.append(
                Seen(
                    path=path,
                    query=request.url.query,
                    params=dict(request.query_params),
                    headers={k.lower(): v for k, v in request.headers.items()},
                    at=time.monotonic(),
                    method=request.method,
                    body=body,
                )
            )
        reply = self._next(path)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.text is not None:
            return Response(reply.text, reply.status, reply.headers, media_type="text/html")
        content = json.dumps(reply.body if reply.body is not None else {})
        return Response(content, reply.status, reply.headers, media_type="application/json")


_FAKE = FakeApi()
_APP = Starlette(routes=[Route("/{path:path}", _FAKE.handle, methods=["GET", "POST"])])


@pytest.fixture(scope="session")
def _fake_server() -> Iterator[str]:
    with serve_in_thread(_APP) as url:
        yield url


@pytest.fixture
def fake_api(_fake_server: str) -> FakeApi:
    _FAKE.reset()
    _FAKE.url = _fake_server
    return _FAKE


MakeClient = Callable[..., ClickMeterClient]


@pytest.fixture
async def make_client(fake_api: FakeApi) -> AsyncIterator[MakeClient]:
    """Clients against the fake API: unpaced, quick backoff, zone given unless overridden."""
    made: list[ClickMeterClient] = []

    def make(**overrides: Any) -> ClickMeterClient:
        options: dict[str, Any] = {
            "base_url": fake_api.url,
            "requests_per_second": None,
            "zone": ZONE,
            "backoff_base": 0.01,
            "timeout": 2.0,
        }
        options.update(overrides)
        client = ClickMeterClient(options.pop("api_key", API_KEY), **options)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.aclose()
