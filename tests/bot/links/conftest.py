"""The bot with a database, over signed HTTP, against a sandbox of its own (these tests make
and pause links) and the local Slack: Alice (U0ALICE) is a workspace admin, Bob (U0BOB) a
plain member, Dana (U0DANA) in the admin group @growth-leads, which Alice names first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from devtools.localslack import MockSlackServer
from tests.bot.alerts.conftest import AlertBot, database_url, serve
from tests.bot.permissions.conftest import ADMIN, GROUP, people
from tests.conftest import Sandbox

__all__ = ["database_url"]


@dataclass
class LinkBot:
    bot: AlertBot
    sandbox: Sandbox

    def ask(self, text: str, **where: Any) -> dict[str, Any]:
        return self.bot.ask(text, **where)

    def served(self, datapoint_id: int) -> dict[str, Any]:
        """The datapoint as the sandbox's own API answers it."""
        body: dict[str, Any] = self.sandbox.api.get(f"/datapoints/{datapoint_id}").json()
        return body

    def count(self) -> int:
        return int(self.sandbox.api.get("/datapoints/count").json()["count"])

    def find(self, name: str) -> dict[str, Any]:
        """The live datapoint named `name`, from the sandbox's list."""
        listed = self.sandbox.api.get(
            "/datapoints", params={"textSearch": name, "_expand": "true", "limit": 100}
        ).json()["entities"]
        (found,) = [d for d in listed if d["name"] == name and d.get("status", 0) != 3]
        return dict(found)


@pytest.fixture
def make_link_bot(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, database_url: str
) -> Iterator[Callable[..., LinkBot]]:
    """`make_link_bot(**sandbox_options)`: the bot against a new sandbox (20 links)."""
    stack: list[Any] = []

    def make(**options: Any) -> LinkBot:
        options.setdefault("datapoints", 20)
        sandbox = make_sandbox(**options)
        people(mock_slack)
        served = serve(sandbox, mock_slack, database_url)
        driver, _ = served.__enter__()
        stack.append(served)
        bot = LinkBot(AlertBot(driver, database_url), sandbox)
        assert "growth-leads" in bot.ask(f"admins {GROUP}", user=ADMIN)["text"]
        return bot

    yield make
    for served in reversed(stack):
        served.__exit__(None, None, None)


@pytest.fixture
def link_bot(make_link_bot: Callable[..., LinkBot]) -> LinkBot:
    return make_link_bot()
