"""The app in distribution mode over real signed HTTP with workspaces connecting their own
ClickMeter accounts: the local Slack (views.open, view_submission), one sandbox serving two
accounts behind two keys, and a database on each backend (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from pydantic import SecretStr

from alerts.accounts import WorkspaceClients
from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET
from devtools.localslack.signed import (
    TRIGGER_ID,
    USER_ID,
    signed_headers,
    slash_command_body,
    view_submission_payload,
)
from devtools.sandbox.config import OtherAccount
from devtools.sandbox.serving import ThreadedServer
from storage.accounts import KeyBox
from tests.conftest import Sandbox
from tests.oauth.conftest import SECRET_KEY, Distributed, oauth_settings
from tests.storage.conftest import (  # noqa: F401 - fixtures
    Backend,
    backend,
    postgres_schema,
    sqlite_template,
)

#: The second account's key (the first is the sandbox's own).
SECOND_KEY = "5d2a9c1e-7b3f-4e8a-9c0d-1f2e3a4b5c6d"
SECOND_COMPANY = "Second Example Inc"
#: A well-formed key no account has.
UNKNOWN_KEY = "deadbeef-0000-4000-8000-000000000000"


@dataclass
class Connecting(Distributed):
    """Distributed, plus the connect modal: open it with a command, submit it with a key."""

    sandbox: Sandbox = None  # type: ignore[assignment]
    workspaces: WorkspaceClients = None  # type: ignore[assignment]

    def command(
        self,
        team_id: str,
        text: str = "help",
        trigger_id: str = TRIGGER_ID,
        user_id: str = USER_ID,
    ) -> tuple[httpx.Response, str]:
        response_url = self.slack.response_url()
        body = slash_command_body(
            text,
            team_id=team_id,
            response_url=response_url,
            trigger_id=trigger_id,
            user_id=user_id,
        )
        headers = signed_headers(SIGNING_SECRET, body)
        ack = self.browser.post(f"{self.url}/slack/events", content=body, headers=headers)
        return ack, response_url

    def open_modal(self, team_id: str) -> dict[str, Any]:
        """`/clickmeter connect` in `team_id` with a fresh trigger id: the modal it opened."""
        seen = len(self.slack.slack.calls_to("views.open"))
        trigger = self.slack.slack.mint_trigger_id()
        ack, _ = self.command(team_id, "connect", trigger_id=trigger)
        assert ack.status_code == 200
        call = self.slack.slack.wait_for(lambda: self.slack.slack.calls_to("views.open")[seen:])
        assert call[0].error is None, call[0].error
        assert call[0].args["trigger_id"] == trigger
        return self.slack.slack.opened_views[-1]

    def submit(self, team_id: str, view: dict[str, Any], api_key: str) -> httpx.Response:
        """Submit the modal with `api_key` typed in: the app's answer (its ack)."""
        values = {"api_key": {"value": {"type": "plain_text_input", "value": api_key}}}
        payload = view_submission_payload(view, values, team_id=team_id)
        body = urlencode({"payload": json.dumps(payload)})
        headers = signed_headers(SIGNING_SECRET, body)
        return self.browser.post(f"{self.url}/slack/events", content=body, headers=headers)

    def connect(self, team_id: str, api_key: str) -> httpx.Response:
        return self.submit(team_id, self.open_modal(team_id), api_key)

    def cached_client(self, team_id: str) -> ClickMeterClient:
        """The client the app built for `team_id` (read without touching the app's database,
        whose connections belong to the app's event loop)."""
        return self.workspaces._clients[team_id][1]

    def ask(self, team_id: str, text: str, user_id: str = USER_ID) -> dict[str, Any]:
        ack, response_url = self.command(team_id, text, user_id=user_id)
        assert ack.status_code == 200
        return self.answer(response_url)


@pytest.fixture
async def connecting(
    backend: Backend,  # noqa: F811 - the fixture imported above
    make_sandbox: Callable[..., Sandbox],
    mock_slack: MockSlackServer,
) -> AsyncIterator[Connecting]:
    sandbox = make_sandbox(others=(OtherAccount(SECOND_KEY, company=SECOND_COMPANY),))
    settings = oauth_settings(mock_slack)
    db = backend.open()
    workspaces = WorkspaceClients(
        db,
        KeyBox(SecretStr(SECRET_KEY)),
        base_url=sandbox.url,
        make_client=lambda key, zone: ClickMeterClient(
            key, base_url=sandbox.url, zone=zone, requests_per_second=None
        ),
    )
    services = Services(
        # The deployment's own client: never used for a workspace's answers here (its key is
        # one no account has, so using it would fail loudly).
        clickmeter=ClickMeterClient(UNKNOWN_KEY, base_url=sandbox.url, requests_per_second=None),
        db=db,
        workspaces=workspaces,
    )
    server = ThreadedServer(create_web_app(settings, services))
    mock_slack.slack.oauth.redirect_url = f"{server.url}/slack/oauth_redirect"
    with server, httpx.Client(timeout=10) as browser:
        yield Connecting(server.url, mock_slack, browser, backend, sandbox, workspaces)
