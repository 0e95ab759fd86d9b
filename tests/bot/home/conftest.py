"""The bot's App Home tab over real signed HTTP: `app_home_opened` events and home tab clicks
go to the web app as Slack sends them; the local Slack validates and records each published
view (`home_views`), and the alert database is a fresh SQLite file per test.

`home_bot.open(user=..., team=...)` opens the tab and returns the view published for it;
`home_bot.click(view, action_id, value)` clicks a button on that view and returns the view
published again after the change.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from devtools.localslack import MockSlackServer
from devtools.localslack.models import BOT_USER_ID
from devtools.localslack.signed import API_APP_ID, TEAM_ID, USER_ID, block_actions_body
from storage import AlertEpisode, AlertRule, Transaction
from storage.models import Digest
from tests.bot.alerts.conftest import NOW, AlertBot, serve
from tests.conftest import Sandbox

JSON = "application/json"


def app_home_opened_body(
    user: str = USER_ID, team: str = TEAM_ID, *, tab: str = "home", event_id: str = "Ev0HOME1"
) -> str:
    """The JSON body Slack POSTs when `user` opens the app's `tab` (Events API callback)."""
    now = time.time()
    return json.dumps(
        {
            "token": "legacy-verification-token",
            "team_id": team,
            "api_app_id": API_APP_ID,
            "event": {
                "type": "app_home_opened",
                "user": user,
                "channel": "D0CLICKBOT",
                "tab": tab,
                "event_ts": f"{now:.6f}",
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
    )


@dataclass
class HomeBot:
    bot: AlertBot

    @property
    def slack(self) -> MockSlackServer:
        return self.bot.slack

    def published(self, user: str = USER_ID) -> dict[str, Any] | None:
        """The home view last published for `user` (as the local Slack stored it)."""
        with self.slack.slack.lock:
            return self.slack.slack.home_views.get(user)

    def _next_view(self, user: str, before: str | None, timeout: float) -> dict[str, Any]:
        def changed() -> dict[str, Any] | None:
            view = self.published(user)
            return view if view is not None and view["id"] != before else None

        return self.slack.slack.wait_for(changed, timeout)

    def post_event(self, body: str, **signing: Any) -> httpx.Response:
        return self.bot.driver.post(body, content_type=JSON, **signing)

    def open(
        self, *, user: str = USER_ID, team: str = TEAM_ID, timeout: float = 10.0
    ) -> dict[str, Any]:
        """Open the Home tab as `user` of `team`: the view published for it."""
        before = (self.published(user) or {}).get("id")
        response = self.post_event(app_home_opened_body(user, team))
        assert response.status_code == 200, response.text
        return self._next_view(user, before, timeout)

    def click(
        self,
        view: dict[str, Any],
        action_id: str,
        value: str,
        *,
        user: str = USER_ID,
        team: str = TEAM_ID,
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Click a button of the home `view`: the view published again afterwards."""
        before = (self.published(user) or {}).get("id")
        body = block_actions_body(
            action_id,
            value=value,
            view=view,
            team_id=team,
            user_id=user,
            block_id="home",
            response_url=None,
        )
        clicked = self.bot.driver.post(body)
        assert clicked.status_code == 200
        assert clicked.text == ""  # acked at once, empty
        return self._next_view(user, before, timeout)

    # --- the database, from the test ------------------------------------------------------

    def add_rule(
        self,
        team: str = TEAM_ID,
        *,
        label: str = "spring-sale",
        channel: str = "C0MARKETING",
        by: str = USER_ID,
    ) -> AlertRule:
        async def add(tx: Transaction) -> AlertRule:
            return await tx.rules.add(
                team,
                created_by=by,
                channel_id=channel,
                scope_kind="link",
                scope_ref="2027406",
                scope_label=label,
                condition="spike",
                sensitivity="medium",
                now=NOW,
            )

        return self.bot.run(add)

    def add_digest(
        self,
        team: str = TEAM_ID,
        *,
        at: str = "09:00",
        zone: str = "Europe/Rome",
        next_run_at: datetime | None = None,
    ) -> Digest:
        async def add(tx: Transaction) -> Digest:
            return await tx.digests.add(
                team,
                created_by=USER_ID,
                channel_id="C0MARKETING",
                at_time=at,
                timezone=zone,
                next_run_at=next_run_at,
                now=NOW,
            )

        return self.bot.run(add)

    def fire(self, rule: AlertRule, started: datetime, subject: str = "datapoint:2027406") -> None:
        async def fire(tx: Transaction) -> AlertEpisode:
            return await tx.episodes.open(
                rule.team_id,
                rule.id,
                subject=subject,
                kind="spike",
                observed=120,
                expected=12,
                now=started,
            )

        self.bot.run(fire)

    def digest(self, digest_id: int, team: str = TEAM_ID) -> Digest:
        found = self.bot.run(lambda tx: tx.digests.get(team, digest_id, include_removed=True))
        assert found is not None
        return found


@pytest.fixture
def home_bot(sandbox: Sandbox, mock_slack: MockSlackServer, tmp_path: Path) -> Iterator[HomeBot]:
    """The bot with a fresh alert database, its Home tab driven over signed HTTP."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    with serve(sandbox, mock_slack, url) as (driver, _):
        yield HomeBot(AlertBot(driver, url))


@pytest.fixture
def home_bot_without_db(sandbox: Sandbox, mock_slack: MockSlackServer) -> Iterator[HomeBot]:
    with serve(sandbox, mock_slack, None) as (driver, _):
        yield HomeBot(AlertBot(driver, ""))


def texts(view: dict[str, Any]) -> str:
    """Every text of a view's blocks, one per line."""
    found: list[str] = []
    for block in view.get("blocks") or []:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        if block.get("type") == "context":
            found += [e.get("text", "") for e in block.get("elements") or []]
    return "\n".join(found)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    for candidate in view.get("blocks") or []:
        if candidate.get("block_id") == block_id:
            return dict(candidate)
    raise AssertionError(f"no block {block_id!r} in the view")


def buttons(view: dict[str, Any], block_id: str) -> dict[str, dict[str, Any]]:
    """action_id -> button, in the actions block `block_id`."""
    return {e["action_id"]: e for e in block(view, block_id)["elements"]}
