"""The install flow end to end: /slack/install -> Slack's authorize page -> /slack/oauth_redirect
with the state -> the code exchanged -> the installation stored -> that workspace's requests
authorized with its own token."""

from __future__ import annotations

from functools import partial

from sqlalchemy import select

from devtools.localslack import RecordedCall
from devtools.localslack.oauth import event_body
from storage.installations import SLACK_BOTS
from tests.oauth.conftest import Distributed


def tokens_used_for(distributed: Distributed, method: str) -> list[str | None]:
    return [call.token for call in distributed.slack.slack.calls_to(method)]


def publishes_after(distributed: Distributed, seen: int) -> list[RecordedCall]:
    return distributed.slack.slack.calls_to("views.publish")[seen:]


async def stored_bots(distributed: Distributed) -> dict[str, str]:
    async with distributed.database().transaction() as tx:
        rows = await tx.session.execute(select(SLACK_BOTS.c.team_id, SLACK_BOTS.c.bot_token))
        return {team: token for team, token in rows}


async def test_an_install_is_stored_and_its_workspace_answered_with_its_token(
    distributed: Distributed,
) -> None:
    page = distributed.install("T0FIRST", "First Co")

    assert page.status_code == 200, page.text
    assert "clickbot is installed" in page.text
    assert "First Co" in page.text
    assert "connect" in page.text  # what to do next
    (exchange,) = distributed.slack.slack.calls_to("oauth.v2.access")
    assert exchange.error is None
    bots = await stored_bots(distributed)
    assert list(bots) == ["T0FIRST"]
    assert distributed.slack.slack.oauth.tokens_of("T0FIRST") == [bots["T0FIRST"]]

    ack, response_url = distributed.command("T0FIRST", "help")
    assert ack.status_code == 200
    assert distributed.answer(response_url)["text"]
    assert tokens_used_for(distributed, "auth.test")[-1] == bots["T0FIRST"]


async def test_two_workspaces_are_each_answered_with_their_own_token(
    distributed: Distributed,
) -> None:
    for team_id, name in [("T0FIRST", "First Co"), ("T0SECOND", "Second Co")]:
        assert distributed.install(team_id, name).status_code == 200
    bots = await stored_bots(distributed)
    assert set(bots) == {"T0FIRST", "T0SECOND"}
    assert bots["T0FIRST"] != bots["T0SECOND"]

    for team_id in ["T0SECOND", "T0FIRST", "T0SECOND", "T0FIRST"]:
        ack, response_url = distributed.command(team_id, "help")
        assert ack.status_code == 200
        assert distributed.answer(response_url)["text"]
        # Opening the App Home: its view is published with that workspace's token.
        published = len(distributed.slack.slack.calls_to("views.publish"))
        opened = event_body(team_id, {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"})
        assert distributed.event(opened).status_code == 200
        calls = distributed.slack.slack.wait_for(partial(publishes_after, distributed, published))
        assert [call.token for call in calls] == [bots[team_id]]
        assert calls[0].error is None
    # auth.test once per workspace token (cached), never with another workspace's.
    used = [token or "" for token in tokens_used_for(distributed, "auth.test")[2:]]
    assert sorted(used) == sorted(bots.values())


async def test_a_workspace_that_did_not_install_is_not_answered(
    distributed: Distributed,
) -> None:
    distributed.install("T0FIRST", "First Co")
    ack, response_url = distributed.command("T0NOBODY", "help")
    # No listener runs for a workspace with no installation: Bolt tells it to install.
    assert ack.status_code == 200
    assert "reinstall this app" in distributed.answer(response_url)["text"]
    assert [call.token for call in distributed.slack.slack.calls_to("auth.test")][1:] == []


async def test_a_forged_state_is_refused_with_a_page(distributed: Distributed) -> None:
    _location, state = distributed.install_link()
    code = distributed.slack.slack.oauth.authorize("T0FIRST", "First Co")
    page = distributed.browser.get(
        f"{distributed.url}/slack/oauth_redirect", params={"code": code, "state": state + "x"}
    )
    assert page.status_code in (400, 401)
    assert "clickbot was not installed" in page.text
    assert "Traceback" not in page.text
    assert "/slack/install" in page.text  # how to try again
    assert await stored_bots(distributed) == {}
    assert distributed.slack.slack.calls_to("oauth.v2.access") == []


async def test_a_used_state_is_refused_with_a_page(distributed: Distributed) -> None:
    _, state = distributed.install_link()
    first = distributed.slack.slack.oauth.authorize("T0FIRST", "First Co")
    redirect = f"{distributed.url}/slack/oauth_redirect"
    ok = distributed.browser.get(redirect, params={"code": first, "state": state})
    assert ok.status_code == 200, ok.text
    # The same state again (a replayed or stale link) from a browser that still has it.
    distributed.browser.cookies.set("slack-app-oauth-state", state)
    again = distributed.slack.slack.oauth.authorize("T0SECOND", "Second Co")
    page = distributed.browser.get(redirect, params={"code": again, "state": state})
    assert page.status_code == 401
    assert "expired or was already used" in page.text
    assert set(await stored_bots(distributed)) == {"T0FIRST"}


async def test_a_cancelled_install_says_so(distributed: Distributed) -> None:
    distributed.install_link()
    page = distributed.browser.get(
        f"{distributed.url}/slack/oauth_redirect", params={"error": "access_denied"}
    )
    assert "cancelled" in page.text
    assert "Traceback" not in page.text
