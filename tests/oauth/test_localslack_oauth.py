"""The local Slack's OAuth side over HTTP, as slack_sdk calls it: codes, refresh tokens, errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlackServer
from devtools.localslack.oauth import CLIENT_ID, CLIENT_SECRET


@pytest.fixture
def client(mock_slack: MockSlackServer) -> AsyncWebClient:
    return AsyncWebClient(base_url=mock_slack.api_url)


async def exchange(
    client: AsyncWebClient, code: str, secret: str = CLIENT_SECRET
) -> dict[str, Any]:
    answer = await client.oauth_v2_access(client_id=CLIENT_ID, client_secret=secret, code=code)
    assert isinstance(answer.data, dict)
    return answer.data


async def test_a_code_gives_a_bot_token_once(
    mock_slack: MockSlackServer, client: AsyncWebClient
) -> None:
    code = mock_slack.slack.oauth.authorize("T0NEW", "New Co")
    answer = await exchange(client, code)
    assert answer["team"] == {"id": "T0NEW", "name": "New Co"}
    assert answer["token_type"] == "bot"
    assert "refresh_token" not in answer  # rotation off
    who = await client.auth_test(token=answer["access_token"])
    assert (who["team_id"], who["team"]) == ("T0NEW", "New Co")
    with pytest.raises(SlackApiError) as again:
        await exchange(client, code)
    assert again.value.response["error"] == "invalid_code"


async def test_a_wrong_secret_is_refused(
    mock_slack: MockSlackServer, client: AsyncWebClient
) -> None:
    code = mock_slack.slack.oauth.authorize("T0NEW", "New Co")
    with pytest.raises(SlackApiError) as refused:
        await exchange(client, code, secret="nope")
    assert refused.value.response["error"] == "bad_client_secret"


async def test_rotation_refreshes_and_retires_the_old_token(
    mock_slack: MockSlackServer, client: AsyncWebClient
) -> None:
    mock_slack.slack.oauth.rotation = True
    first = await exchange(client, mock_slack.slack.oauth.authorize("T0NEW", "New Co"))
    assert first["expires_in"] > 0
    refreshed = await client.oauth_v2_access(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        grant_type="refresh_token",
        refresh_token=first["refresh_token"],
    )
    assert refreshed["access_token"] != first["access_token"]
    assert (await client.auth_test(token=refreshed["access_token"]))["team_id"] == "T0NEW"
    with pytest.raises(SlackApiError) as old:
        await client.auth_test(token=first["access_token"])
    assert old.value.response["error"] == "token_expired"


async def test_uninstall_revokes_every_token_of_the_workspace(
    mock_slack: MockSlackServer, client: AsyncWebClient
) -> None:
    token = (await exchange(client, mock_slack.slack.oauth.authorize("T0NEW", "New Co")))[
        "access_token"
    ]
    mock_slack.slack.oauth.uninstall("T0NEW")
    with pytest.raises(SlackApiError) as revoked:
        await client.auth_test(token=token)
    assert revoked.value.response["error"] == "token_revoked"


def test_the_authorize_page_redirects_back_with_a_code_and_the_state(
    mock_slack: MockSlackServer,
) -> None:
    mock_slack.slack.oauth.redirect_url = "https://app.example/slack/oauth_redirect"
    page = httpx.get(
        f"{mock_slack.base_url}/oauth/v2/authorize",
        params={"client_id": CLIENT_ID, "scope": "commands", "state": "s1"},
    )
    assert page.status_code == 302
    location = httpx.URL(page.headers["location"])
    assert str(location).startswith("https://app.example/slack/oauth_redirect?")
    assert location.params["state"] == "s1"
    assert location.params["code"] in mock_slack.slack.oauth.codes
    wrong = httpx.get(f"{mock_slack.base_url}/oauth/v2/authorize", params={"client_id": "x"})
    assert wrong.status_code == 400
