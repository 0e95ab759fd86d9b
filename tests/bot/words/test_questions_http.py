"""Questions in plain words over signed HTTP: `app_mention` and `message.im` answered in a
thread, against the sandbox and the local Slack; numbers checked against the sandbox's API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from devtools.localslack import MockSlackServer
from devtools.localslack.events import direct_message_body, mention_body
from devtools.localslack.models import BOT_USER_ID, Message
from tests.bot.answers.helpers import texts, unescape
from tests.bot.answers.test_top import expected_rows, report
from tests.bot.harness import BotUnderTest, running_bot
from tests.conftest import Sandbox

GARDEN = 2028577  # spring-sale-garden, the busiest link of the seeded account
NEWSLETTER = 189612  # the Weekly Newsletter group


def field(blocks: list[dict[str, Any]], label: str) -> str:
    for text in texts(blocks):
        if text.startswith(f"*{label}*\n"):
            return text.split("\n", 1)[1]
    raise AssertionError(f"no field {label!r}")


def table(blocks: list[dict[str, Any]]) -> list[list[str]]:
    """Rows of the code-block tables, as `tests.bot.answers.helpers.table_rows` reads them."""
    rows: list[list[str]] = []
    for text in texts(blocks):
        if text.startswith("```"):
            for line in text.strip("`\n").split("\n")[1:]:
                if not line.startswith("…"):
                    rows.append([unescape(c) for c in re.split(r"\s{2,}", line.strip())])
    return rows


def without_share(answer: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in answer["blocks"] if b.get("block_id") != "share"]


def test_a_mention_is_answered_in_its_thread_with_the_sandboxs_numbers(
    bot: BotUnderTest, sandbox: Sandbox
) -> None:
    ack, asked = bot.mention("how did spring-sale-garden do in the last 30 days?")
    assert ack.status_code == 200
    assert ack.text == ""  # acked at once, answered in the thread
    reply = bot.wait_thread_reply(asked)
    assert reply.thread_ts == asked.ts
    assert reply.channel == "C0GENERAL"
    totals = sandbox.api.get(f"/datapoints/{GARDEN}/aggregated", params={"timeFrame": "last30"})
    assert field(reply.blocks or [], "Clicks") == f"*{totals.json()['totalClicks']:,}*"
    # The very answer the slash command gives, but for its Share button (a thread is shared).
    assert reply.blocks == without_share(bot.ask("link spring-sale-garden 30d"))


def test_a_direct_message_gets_the_top_report_of_a_group_named_loosely(
    bot: BotUnderTest, sandbox: Sandbox
) -> None:
    reply = bot.ask_in_words("top countries last month for the newsletter group?", direct=True)
    assert reply.channel.startswith("D")
    items = report(
        sandbox, f"/groups/{NEWSLETTER}/reports", type="countries", timeframe="previousmonth"
    )
    assert items
    assert table(reply.blocks or []) == expected_rows(items)


def test_account_clicks_in_words_are_the_stats_answer(bot: BotUnderTest) -> None:
    assert bot.services is not None
    # Wednesday March 18 in UTC, already Thursday in the account's zone (Berlin's).
    bot.services.now = lambda: datetime(2026, 3, 18, 23, 30, tzinfo=UTC)
    reply = bot.ask_in_words("Clicks last week?")
    assert reply.blocks == without_share(bot.ask("stats 2026-03-09..2026-03-15"))
    since = bot.ask_in_words("clicks since wednesday")  # yesterday, on the account's calendar
    assert since.blocks == without_share(bot.ask("stats 2026-03-18..2026-03-19"))
    month = bot.ask_in_words("how did spring-sale-garden do in january?")
    assert month.blocks == without_share(bot.ask("link spring-sale-garden 2026-01-01..2026-01-31"))


def test_a_question_inside_a_thread_is_answered_in_that_thread(bot: BotUnderTest) -> None:
    parent = bot.slack.slack.post_user_message("C0GENERAL", "launch day!")
    _, asked = bot.mention("clicks today", thread_ts=parent.ts)
    reply = bot.wait_thread_reply(asked)
    assert reply.thread_ts == parent.ts


def test_what_is_not_understood_gets_the_closest_command(bot: BotUnderTest) -> None:
    reply = bot.ask_in_words("how did sprang-sail-grdn do yesterday")
    assert "I didn't catch `sprang-sail-grdn`" in reply.text
    assert "Did you mean `/clickmeter link spring-sale-garden yesterday`?" in reply.text


def test_a_change_asked_in_words_gets_the_slash_command(bot: BotUnderTest) -> None:
    reply = bot.ask_in_words("alert me when spring-sale-garden spikes")
    assert "`/clickmeter alert add link spring-sale-garden spike`" in reply.text
    assert "changes go through the slash command" in reply.text


def test_a_retried_event_is_answered_once(bot: BotUnderTest) -> None:
    message = bot.slack.slack.post_user_message("C0GENERAL", f"<@{BOT_USER_ID}> clicks today")
    body = mention_body(message)
    assert bot.send_event(body).status_code == 200
    assert bot.send_event(body, retry=1).status_code == 200
    assert bot.send_event(body, retry=2).status_code == 200
    bot.wait_thread_reply(message)
    bot.wait_idle()
    assert len(bot.thread_replies(message)) == 1


def test_a_retry_after_a_timeout_is_left_to_the_first_attempt(bot: BotUnderTest) -> None:
    # Its first attempt reached some process (another replica, or this one before a restart).
    timed_out = bot.slack.slack.post_user_message("C0GENERAL", f"<@{BOT_USER_ID}> clicks today")
    assert bot.send_event(mention_body(timed_out), retry=1).status_code == 200
    # A retry because the first attempt never arrived is answered.
    refused = bot.slack.slack.post_user_message("C0GENERAL", f"<@{BOT_USER_ID}> clicks today")
    bot.send_event(mention_body(refused), retry=1, reason="connection_failed")
    bot.wait_thread_reply(refused)
    bot.wait_idle()
    assert bot.thread_replies(timed_out) == []


def test_a_mention_in_the_dm_is_answered_once(bot: BotUnderTest) -> None:
    # Slack may send a DM that mentions the bot as both app_mention and message.im.
    message = bot.slack.slack.post_user_message("U0ALICE", f"<@{BOT_USER_ID}> clicks today")
    bot.send_event(mention_body(message))
    bot.send_event(direct_message_body(message))
    bot.wait_thread_reply(message)
    bot.wait_idle()
    assert len(bot.thread_replies(message)) == 1


def test_messages_that_are_not_a_person_asking_are_ignored(bot: BotUnderTest) -> None:
    ignored: list[Message] = []
    for extra in (
        {"subtype": "message_changed"},
        {"subtype": "bot_message"},
        {"bot_id": "B0OTHERBOT"},
        {"user": BOT_USER_ID},
    ):
        ack, message = bot.direct_message("clicks today", **extra)
        assert ack.status_code == 200
        ignored.append(message)
    bot.wait_idle()
    assert all(bot.thread_replies(m) == [] for m in ignored)
    # ...while the same words from a person are answered.
    assert bot.ask_in_words("clicks today", direct=True).text


def test_ip_addresses_are_not_posted_in_a_channel(bot: BotUnderTest) -> None:
    reply = bot.ask_in_words("top ips this month")  # Alice is an admin: she may see them
    assert "only you see its answer" in reply.text
    assert "`/clickmeter top ips this-month`" in reply.text
    assert (reply.blocks or [])[0]["text"]["text"] == reply.text
    # In her direct messages only she reads the answer: there it is the slash command's.
    direct = bot.ask_in_words("top ips this month", direct=True)
    assert direct.blocks == without_share(bot.ask("top ips this-month"))


def test_a_question_the_grammar_refuses_gets_the_grammars_message(bot: BotUnderTest) -> None:
    reply = bot.ask_in_words("top countries today")  # ClickMeter has no TOP report for today
    assert reply.text == bot.ask("top countries today")["text"]
    assert "TOP reports can't cover" in reply.text


def test_clickmeter_answering_garbage_is_said_in_the_thread(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer
) -> None:
    faulty = make_sandbox()
    with running_bot(faulty.url, faulty.api_key, mock_slack) as bot:
        faulty.control("faults", {"garbage_body": True})  # a proxy's HTML page, with a 200
        reply = bot.ask_in_words("how did spring-sale-garden do yesterday?")
    assert "ClickMeter sent an answer the bot does not understand" in reply.text
