"""Questions in plain words in distribution mode: each workspace's mention is answered from its
own ClickMeter account and posted with its own bot token; before connecting, how to connect."""

from __future__ import annotations

import re

import pytest
import sqlalchemy

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


async def rename(connecting: Connecting, names: dict[str, str]) -> None:
    async with connecting.backend.open().engine.begin() as connection:
        for old, new in names.items():
            await connection.execute(sqlalchemy.text(f"ALTER TABLE {old} RENAME TO {new}"))


async def test_a_question_the_database_fails_gets_an_apology_in_its_thread(
    connecting: Connecting, caplog: pytest.LogCaptureFixture
) -> None:
    install(connecting, FIRST)
    connecting.connect(FIRST, SANDBOX_KEY)
    assert "clicks" in mention(connecting, FIRST, "clicks yesterday").text.lower()
    # The tables the answer reads go away under the running app: the workspace's account,
    # and where messages are claimed (answered anyway: an answer beats silence).
    tables = ("answered_messages", "clickmeter_accounts")
    await rename(connecting, {table: f"{table}_away" for table in tables})
    try:
        reply = mention(connecting, FIRST, "clicks yesterday")
    finally:  # PostgreSQL's schema is the session's: the next tests need them back
        await rename(connecting, {f"{table}_away": table for table in tables})

    assert "Something went wrong on clickbot's side" in reply.text
    reference = re.search(r"reference `([0-9a-f]{8})`", reply.text)
    assert reference is not None
    logged = [r.getMessage() for r in caplog.records if r.name == "bot.listeners.events.questions"]
    assert f"unexpected failure answering a question (ref {reference[1]})" in logged
    assert any(m.startswith("answering without a claim: the database failed") for m in logged)
    assert SANDBOX_KEY not in caplog.text
