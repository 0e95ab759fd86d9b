"""Answers against the shared sandbox over real HTTP, at the sandbox's frozen time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from bot.answers import AnswerContext
from clickmeter import ClickMeterClient
from tests.conftest import Sandbox


@pytest.fixture
def now(sandbox: Sandbox) -> datetime:
    """The sandbox's clock, so "last 7 days" means the same days to the bot and the sandbox."""
    return datetime.fromisoformat(sandbox.state()["clock"]["now"])


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ClickMeterClient]:
    async with ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, requests_per_second=None
    ) as instance:
        yield instance


@pytest.fixture
def ctx(client: ClickMeterClient, now: datetime) -> AnswerContext:
    return AnswerContext(client=client, now=now)
