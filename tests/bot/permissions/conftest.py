"""The bot with an alert database and a workspace of three kinds of people, over signed HTTP
against the local Slack: Alice (U0ALICE) is a workspace admin, Bob (U0BOB) a plain member,
Dana (U0DANA) a member of the user group @growth-leads (S0GROWTH)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.localslack import MockSlackServer
from devtools.localslack.models import User
from devtools.localslack.people import add_usergroup
from tests.bot.alerts.conftest import AlertBot, database_url, serve
from tests.bot.home.conftest import HomeBot
from tests.conftest import Sandbox

__all__ = ["database_url"]

ADMIN, MEMBER, GROUPIE = "U0ALICE", "U0BOB", "U0DANA"
GROUP = "<!subteam^S0GROWTH|@growth-leads>"


def people(slack: MockSlackServer) -> None:
    slack.slack.add_user(User(GROUPIE, "dana", "Dana Neri"))
    add_usergroup(slack.slack, "S0GROWTH", "growth-leads", [GROUPIE])


@pytest.fixture
def alert_bot(
    sandbox: Sandbox, mock_slack: MockSlackServer, database_url: str
) -> Iterator[AlertBot]:
    people(mock_slack)
    with serve(sandbox, mock_slack, database_url) as (driver, _):
        yield AlertBot(driver, database_url)


@pytest.fixture
def home_bot(alert_bot: AlertBot) -> HomeBot:
    return HomeBot(alert_bot)
