"""Digests against the shared sandbox over real HTTP, at the sandbox's frozen time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime

import httpx
import pytest

from clickmeter import ClickMeterClient
from tests.conftest import Sandbox


class CountingTransport(httpx.AsyncBaseTransport):
    """Passes requests on, keeping the path of each."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture
def now(sandbox: Sandbox) -> datetime:
    return datetime.fromisoformat(sandbox.state()["clock"]["now"])


@pytest.fixture
def today(sandbox: Sandbox) -> date:
    """The sandbox account's local day (Wed 2026-03-18): a digest sent today covers Tue 17."""
    return date.fromisoformat(sandbox.state()["clock"]["today"])


@pytest.fixture
def transport() -> CountingTransport:
    return CountingTransport()


@pytest.fixture
async def client(sandbox: Sandbox, transport: CountingTransport) -> AsyncIterator[ClickMeterClient]:
    async with ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, requests_per_second=None, transport=transport
    ) as instance:
        yield instance
