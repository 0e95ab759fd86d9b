"""Fixtures for the delivery tests: a migrated SQLite database per test and a Slack receiver
on the local Slack (`mock_slack`)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from alerts.deliver import Receiver, SlackPoster
from devtools.localslack import MockSlackServer
from storage import Database
from tests.alerts.deliver.helpers import slack_receivers


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating once keeps tests fast)."""
    path = tmp_path_factory.mktemp("deliver") / "template.sqlite3"

    async def migrate() -> None:
        async with Database(f"sqlite+aiosqlite:///{path}") as database:
            await database.migrate()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, migrate()).result()
    return path


@pytest.fixture
def db_url(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "clickbot.sqlite3"
    shutil.copyfile(migrated_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    async with Database(db_url) as database:
        yield database


@pytest.fixture
def slack(mock_slack: MockSlackServer) -> list[Receiver]:
    """The alert receivers on the local Slack, with pacing short enough for tests."""
    return slack_receivers(
        SlackPoster(mock_slack.token, base_url=mock_slack.api_url, per_channel_interval=0.01)
    )
