"""Questions in plain words in distribution mode: each workspace's mention is answered from its
own ClickMeter account and posted with its own bot token; before connecting, how to connect."""

from __future__ import annotations

from devtools.localslack.events import mention_body
from devtools.localslack.models import Message
from tests.conftest import SANDBOX_KEY
from tests.connect.conftest import SECOND_KEY, Connecting
from tests.connect.test_connect import FIRST, SECOND, install
from tests.oauth.test_install import stored_bots

CHANNELS = {FIRST: "C0GENERAL", SECOND: "C0MARKETING"}


def mention(connecting: Connecting, team: str, text: str) -> Message:
    """`@clickbot text` in `team`'s channel: the bot's reply in its thread."""
    asked = connecting.slack.slack.post_user_message(CHANNELS[team], f"<@U0BOT{team[-4:]}> {text}")
    assert connecting.event(mention_body(asked, team_id=team)).status_code == 200

    def replied() -> list[Message]:
        return [m for m in connecting.slack.slack.thread(asked.channel, asked.ts) if m.bot_id]

    (reply,) = connecting.slack.slack.wait_for(replied)
    return reply


async def test_each_workspace_is_answered_from_its_account_with_its_token(
    connecting: Connecting,
) -> None:
    install(connecting, FIRST, SECOND)
    before = mention(connecting, FIRST, "what are my links?")
    assert "/clickmeter connect" in before.text  # not connected yet: how to
    connecting.connect(FIRST, SANDBOX_KEY)
    connecting.connect(SECOND, SECOND_KEY)

    texts = {team: mention(connecting, team, "links in the last 30 days").text for team in CHANNELS}
    assert texts[FIRST] != texts[SECOND]
    for team, text in texts.items():
        assert text == connecting.ask(team, "links last30")["text"]  # the slash command's answer
    bots = await stored_bots(connecting)
    posts = [
        c for c in connecting.slack.slack.calls_to("chat.postMessage") if c.args.get("thread_ts")
    ]
    assert {(str(c.args["channel"]), c.token) for c in posts} == {
        (CHANNELS[FIRST], bots[FIRST]),
        (CHANNELS[SECOND], bots[SECOND]),
    }
