"""users.info's admin flags and the user groups (usergroups.list / usergroups.users.list), as
Slack answers them, with the same token checks as every other method."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlack, MockSlackServer
from devtools.localslack.models import User
from devtools.localslack.people import add_usergroup


async def test_users_info_says_who_is_admin_or_owner(
    slack: MockSlack, client: AsyncWebClient
) -> None:
    slack.add_user(User("U0OWNER", "olga", is_owner=True))
    alice = (await client.users_info(user="U0ALICE"))["user"]
    bob = (await client.users_info(user="U0BOB"))["user"]
    owner = (await client.users_info(user="U0OWNER"))["user"]
    assert (alice["is_admin"], alice["is_owner"]) == (True, False)
    assert (bob["is_admin"], bob["is_owner"]) == (False, False)
    assert owner["is_owner"] is True


async def test_user_groups_and_their_members(slack: MockSlack, client: AsyncWebClient) -> None:
    assert (await client.usergroups_list())["usergroups"] == []
    add_usergroup(slack, "S0GROWTH", "growth-leads", ["U0BOB"])
    (group,) = (await client.usergroups_list(include_users=True))["usergroups"]
    assert (group["id"], group["handle"], group["users"]) == ("S0GROWTH", "growth-leads", ["U0BOB"])
    assert (await client.usergroups_users_list(usergroup="S0GROWTH"))["users"] == ["U0BOB"]
    with pytest.raises(SlackApiError) as missing:
        await client.usergroups_users_list(usergroup="S0NOPE")
    assert missing.value.response["error"] == "no_such_subteam"


async def test_the_people_methods_check_the_token(server: MockSlackServer) -> None:
    bad = AsyncWebClient(token="xoxb-not-ours", base_url=server.api_url, timeout=5)
    for call in (bad.users_info(user="U0ALICE"), bad.usergroups_list()):
        with pytest.raises(SlackApiError) as refused:
            await call
        assert refused.value.response["error"] == "invalid_auth"
    app = AsyncWebClient(token=server.app_token, base_url=server.api_url, timeout=5)
    with pytest.raises(SlackApiError) as wrong:
        await app.usergroups_users_list(usergroup="S0GROWTH")
    assert wrong.value.response["error"] == "not_allowed_token_type"
