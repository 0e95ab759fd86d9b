"""Unfurls in distribution mode: a workspace's tracking links are looked up in its own connected
account and unfurled with its own bot token; before it connects, nothing is unfurled."""

from __future__ import annotations

from devtools.localslack.events import link_shared_body
from devtools.localslack.models import Message
from tests.conftest import SANDBOX_KEY
from tests.connect.conftest import Connecting
from tests.connect.test_connect import FIRST, SECOND, install
from tests.oauth.test_install import stored_bots


def paste(connecting: Connecting, team: str, url: str) -> Message:
    message = connecting.slack.slack.post_user_message("C0GENERAL", f"see <{url}>")
    assert connecting.event(link_shared_body(message, [url], team_id=team)).status_code == 200
    return message


async def test_a_workspace_unfurls_from_its_own_account_once_connected(
    connecting: Connecting,
) -> None:
    install(connecting, FIRST, SECOND)
    state = connecting.sandbox.state()
    name = next(dp["name"] for dp in state["datapoints"] if dp["type"] == 0 and dp["status"] == 0)
    url = f"https://s87.eu/{name}"
    early = paste(connecting, FIRST, url)  # no account connected yet: left alone
    connecting.connect(FIRST, SANDBOX_KEY)
    later = paste(connecting, FIRST, url)

    calls = connecting.slack.slack.wait_for(
        lambda: [c for c in connecting.slack.slack.calls_to("chat.unfurl") if c.status == 200]
    )
    (call,) = calls
    assert call.args["ts"] == later.ts
    assert call.token == (await stored_bots(connecting))[FIRST]
    (unfurl,) = connecting.slack.slack.unfurls
    assert name in unfurl.unfurls[url]["blocks"][0]["text"]["text"]
    assert all(c.args.get("ts") != early.ts for c in connecting.slack.slack.calls_to("chat.unfurl"))
