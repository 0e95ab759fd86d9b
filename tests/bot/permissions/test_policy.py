"""The policy itself (bot.permissions) against the local Slack: who is an admin, the group's
members, how long Slack's answers are kept, and the refusal lines."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.permissions import LOOKUP_TTL_S, UNVERIFIABLE, Directory, Gate, NotAllowed
from devtools.localslack import MockSlackServer
from devtools.localslack.models import User
from devtools.localslack.people import add_usergroup

TEAM = "T0CLICKBOT"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client(slack: MockSlackServer) -> AsyncWebClient:
    return AsyncWebClient(token=slack.token, base_url=slack.api_url, timeout=5)


def info_calls(slack: MockSlackServer) -> int:
    return sum(1 for call in slack.slack.calls if call.method == "users.info")


async def test_admins_and_owners_are_admins(mock_slack: MockSlackServer) -> None:
    mock_slack.slack.add_user(User("U0OWNER", "olga", is_owner=True))
    directory = Directory()
    web = client(mock_slack)
    assert await directory.is_admin(web, TEAM, "U0ALICE") is True
    assert await directory.is_admin(web, TEAM, "U0OWNER") is True
    assert await directory.is_admin(web, TEAM, "U0BOB") is False


async def test_answers_are_kept_for_the_ttl_then_asked_again(mock_slack: MockSlackServer) -> None:
    clock = Clock()
    directory, web = Directory(timer=clock), client(mock_slack)
    assert await directory.is_admin(web, TEAM, "U0BOB") is False
    mock_slack.slack.users["U0BOB"].is_admin = True  # promoted
    clock.now = LOOKUP_TTL_S - 1
    assert await directory.is_admin(web, TEAM, "U0BOB") is False  # still the kept answer
    assert info_calls(mock_slack) == 1
    clock.now = LOOKUP_TTL_S + 1
    assert await directory.is_admin(web, TEAM, "U0BOB") is True
    assert info_calls(mock_slack) == 2
    # Another workspace's answer is its own.
    await directory.is_admin(web, "T0OTHER", "U0BOB")
    assert info_calls(mock_slack) == 3


async def test_group_members_are_kept_and_forgotten_when_the_group_changes(
    mock_slack: MockSlackServer,
) -> None:
    add_usergroup(mock_slack.slack, "S0G", "growth-leads", ["U0BOB"])
    directory, web = Directory(), client(mock_slack)
    assert await directory.members(web, TEAM, "S0G") == {"U0BOB"}
    add_usergroup(mock_slack.slack, "S0G", "growth-leads", [])
    assert await directory.members(web, TEAM, "S0G") == {"U0BOB"}
    directory.forget(TEAM)
    assert await directory.members(web, TEAM, "S0G") == frozenset()
    found = await directory.find_group(web, "@Growth-Leads")
    assert found is not None
    assert (found.id, found.handle) == ("S0G", "growth-leads")
    assert await directory.find_group(web, "nobody") is None


async def test_the_creator_needs_no_look_up(mock_slack: MockSlackServer) -> None:
    gate = Gate(Directory(), client(mock_slack), TEAM, "U0BOB")
    await gate.change("remove alert #3", creator="U0BOB", kind="alert")
    assert info_calls(mock_slack) == 0
    with pytest.raises(NotAllowed) as refused:
        await gate.change("remove alert #4", creator="U0ALICE", kind="alert")
    assert refused.value.line == (
        ":lock: Only workspace admins and the alert's creator can remove alert #4."
    )


async def test_without_slack_every_change_is_refused(mock_slack: MockSlackServer) -> None:
    for gate in (
        Gate(Directory(), None, TEAM, "U0ALICE"),
        Gate(Directory(), client(mock_slack), None, "U0ALICE"),
    ):
        with pytest.raises(NotAllowed) as refused:
            await gate.change("add alerts")
        assert refused.value.line == UNVERIFIABLE
    mock_slack.slack.inject("http_error", method="users.info", times=10)
    gate = Gate(Directory(), client(mock_slack), TEAM, "U0ALICE")
    assert await gate.may_change() is False
