"""The bot with an alert database: the real web app over signed HTTP, the shared sandbox behind
it, the local Slack beside it and a fresh SQLite file per test (migrated by the app's start-up,
as in production).

`alert_bot.ask(text, team=..., user=..., channel=...)` sends `/clickmeter text` as that
workspace / person / channel would; `alert_bot.run(...)` runs a coroutine against the same
database from the test (a Database of its own: the app's lives in the server's event loop).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import SlackSettings, load_group
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET, BotDriver, DriverError
from devtools.localslack.signed import TEAM_ID, USER_ID, block_actions_body, slash_command_body
from devtools.sandbox.serving import ThreadedServer
from storage import AlertRule, Database, OutboxItem, Transaction, Webhook
from tests.conftest import SANDBOX_START, Sandbox

T = TypeVar("T")

#: The bot's clock: the shared sandbox's frozen instant (14:30 CET on Mar 18, 2026).
NOW = SANDBOX_START
OTHER_TEAM = "T0OTHERCO"


@dataclass
class AlertBot:
    driver: BotDriver
    database_url: str

    @property
    def slack(self) -> MockSlackServer:
        return self.driver.slack

    def ask(
        self,
        text: str,
        *,
        team: str = TEAM_ID,
        user: str = USER_ID,
        channel: str = "C0GENERAL",
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """`/clickmeter text` from `user` in `channel` of workspace `team`: the answer."""
        response_url = self.slack.response_url()
        body = slash_command_body(
            text, response_url=response_url, team_id=team, user_id=user, channel_id=channel
        )
        ack = self.driver.post(body)
        if ack.status_code != 200:
            raise DriverError(f"the bot refused the command: HTTP {ack.status_code}")
        return self.driver.wait_answer(response_url, timeout)

    def click(
        self, action_id: str, value: str, *, team: str = TEAM_ID, user: str = USER_ID
    ) -> dict[str, Any]:
        """Click a button on an alert post: the (one) answer posted to its response_url."""
        response_url = self.slack.response_url()
        body = block_actions_body(
            action_id,
            value=value,
            response_url=response_url,
            team_id=team,
            user_id=user,
            block_id="alert_actions",
            channel_id="C0MARKETING",
        )
        clicked = self.driver.post(body)
        assert clicked.status_code == 200
        assert clicked.text == ""  # acked at once, empty
        return self.driver.wait_answer(response_url, 15.0)

    def run(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """`work` in a transaction on the bot's database, from the test's thread."""

        async def go() -> T:
            async with Database(self.database_url) as db, db.transaction() as tx:
                return await work(tx)

        return asyncio.run(go())

    def rules(self, team: str = TEAM_ID) -> list[AlertRule]:
        return list(self.run(lambda tx: tx.rules.list_active(team)))

    def rule(self, rule_id: int, team: str = TEAM_ID) -> AlertRule:
        """The stored rule, removed or not (AssertionError if there is none)."""
        found = self.run(lambda tx: tx.rules.get(team, rule_id, include_removed=True))
        assert found is not None, f"no rule {rule_id} for {team}"
        return found

    def webhooks(self, team: str = TEAM_ID) -> list[Webhook]:
        return list(self.run(lambda tx: tx.webhooks.list_active(team)))

    def outbox(self) -> list[OutboxItem]:
        async def items(tx: Transaction) -> list[OutboxItem]:
            from sqlalchemy import select

            return list((await tx.session.scalars(select(OutboxItem))).all())

        return self.run(items)


@contextmanager
def serve(
    sandbox: Sandbox, slack: MockSlackServer, database_url: str | None, now: datetime = NOW
) -> Iterator[tuple[BotDriver, Services]]:
    settings = load_group(
        SlackSettings,
        slack_bot_token=slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.api_url,
        slack_app_token=None,
    )
    services = Services(
        clickmeter=ClickMeterClient(
            sandbox.api_key, base_url=sandbox.url, requests_per_second=None
        ),
        db=Database(database_url) if database_url else None,
        now=lambda: now,
        poll_seconds=300.0,
    )
    with (
        ThreadedServer(create_web_app(settings, services)) as server,
        httpx.Client(timeout=15) as http,
    ):
        yield BotDriver(server.url, slack, http, SIGNING_SECRET), services


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"


@pytest.fixture
def alert_bot(
    sandbox: Sandbox, mock_slack: MockSlackServer, database_url: str
) -> Iterator[AlertBot]:
    """The bot with a fresh alert database (migrated by the web app's start-up)."""
    with serve(sandbox, mock_slack, database_url) as (driver, _):
        yield AlertBot(driver, database_url)


@pytest.fixture
def bot_without_db(sandbox: Sandbox, mock_slack: MockSlackServer) -> Iterator[AlertBot]:
    """The bot as it runs with no database configured."""
    with serve(sandbox, mock_slack, None) as (driver, _):
        yield AlertBot(driver, "")


def shown(answer: dict[str, Any]) -> str:
    """Every text of an answer's blocks (headers, sections, fields, context), one per line."""
    texts: list[str] = []
    for block in answer.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            texts.append(block["text"]["text"])
        texts += [f["text"] for f in block.get("fields") or []]
        if block.get("type") == "context":
            texts += [e.get("text", "") for e in block.get("elements") or []]
    return "\n".join(texts)
