"""The app in distribution mode over real HTTP, against the local Slack (its OAuth side), the
sandbox and a database on each backend (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import SlackOAuthSettings, load_group
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET
from devtools.localslack.oauth import CLIENT_ID, CLIENT_SECRET, send_event
from devtools.localslack.signed import signed_headers, slash_command_body
from devtools.sandbox.serving import ThreadedServer
from storage import Database
from tests.conftest import Sandbox
from tests.storage.conftest import (  # noqa: F401 - fixtures
    Backend,
    backend,
    postgres_schema,
    sqlite_template,
)

#: A Fernet key (32 bytes of URL-safe base64), for tests only.
SECRET_KEY = "q3Vj0n3wzH9YQm8mXj4pJ2k6Vb1cR5tU7yA0dE9fG2s="


@dataclass
class Distributed:
    """The running app, the local Slack it installs into, and a browser (cookies kept)."""

    url: str
    slack: MockSlackServer
    browser: httpx.Client
    backend: Backend

    def install(self, team_id: str, team_name: str) -> httpx.Response:
        """An admin of `team_id` opens /slack/install and allows: the page the app ends on."""
        self.slack.slack.oauth.installing = (team_id, team_name)
        authorize, _ = self.install_link()
        allowed = self.browser.get(authorize)  # the local Slack's authorize page
        assert allowed.status_code == 302, allowed.text
        return self.browser.get(allowed.headers["location"])

    def install_link(self) -> tuple[str, str]:
        """Open /slack/install without following: (Slack's authorize URL, its state).

        Bolt's state cookie is `Secure` (Slack apps are served over HTTPS), and httpx keeps
        those off plain http: the browser here takes it as a plain cookie instead."""
        started = self.browser.get(f"{self.url}/slack/install")
        assert started.status_code == 302, started.text
        cookie = SimpleCookie(started.headers["set-cookie"])
        for name, morsel in cookie.items():
            self.browser.cookies.set(name, morsel.value)
        location = started.headers["location"]
        return location, parse_qs(urlsplit(location).query)["state"][0]

    def command(self, team_id: str, text: str = "help") -> tuple[httpx.Response, str]:
        response_url = self.slack.response_url()
        body = slash_command_body(text, team_id=team_id, response_url=response_url)
        headers = signed_headers(SIGNING_SECRET, body)
        ack = self.browser.post(f"{self.url}/slack/events", content=body, headers=headers)
        return ack, response_url

    def answer(self, response_url: str) -> dict[str, Any]:
        found = self.slack.slack.wait_for(lambda: self.slack.slack.responses_to(response_url))
        return found[0].body

    def event(self, body: str) -> httpx.Response:
        return send_event(f"{self.url}/slack/events", SIGNING_SECRET, body)

    def database(self) -> Database:
        """A connection of the test's own to the app's database."""
        return self.backend.open()


def oauth_settings(slack: MockSlackServer, **overrides: Any) -> SlackOAuthSettings:
    values: dict[str, Any] = {
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "slack_signing_secret": SIGNING_SECRET,
        "clickbot_secret_key": SECRET_KEY,
        "slack_api_url": slack.api_url,
        "slack_redirect_uri": None,
        **overrides,
    }
    return load_group(SlackOAuthSettings, **values)


@pytest.fixture
def rotation_minutes() -> int:
    """TOKEN_ROTATION_EXPIRATION_MINUTES of the app under test (tests may override it)."""
    return 120


@pytest.fixture
async def distributed(
    backend: Backend,  # noqa: F811 - the fixture imported above
    sandbox: Sandbox,
    mock_slack: MockSlackServer,
    rotation_minutes: int,
) -> AsyncIterator[Distributed]:
    settings = oauth_settings(mock_slack, token_rotation_expiration_minutes=rotation_minutes)
    services = Services(
        clickmeter=ClickMeterClient(
            sandbox.api_key, base_url=sandbox.url, requests_per_second=None
        ),
        db=backend.open(),
    )
    server = ThreadedServer(create_web_app(settings, services))
    # The Redirect URL of the app's settings at Slack.
    mock_slack.slack.oauth.redirect_url = f"{server.url}/slack/oauth_redirect"
    with server, httpx.Client(timeout=10) as browser:
        yield Distributed(server.url, mock_slack, browser, backend)
