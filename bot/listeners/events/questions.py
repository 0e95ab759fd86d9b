"""Questions in plain words: `app_mention` in a channel and `message` in the bot's DM.

Each is read by `bot.words` against the account's names and answered in a thread (the
message's own, or the thread it was asked in) with the answer the slash command gives, posted
with the workspace's bot token (Bolt's `client`: in distribution mode, the installation's).
Messages that are not a person asking (bots, the bot itself, edits, joins and other subtypes)
are ignored, and one message is answered once: Slack retries an event it thinks was missed, and
a mention in a DM arrives as both events. With a database the message is claimed there
(`storage.answered`), so of several `clickbot web` replicas only one answers it; without one
(or while it is unreachable) this process's memory is all there is. A retry after a timeout is
never answered (nor claimed): its first attempt reached the app (another replica, or this one
before a restart) and is answered there, or has been already.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from cachetools import TTLCache
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from alerts.deliver.poster import error_code
from bot.answers.base import account_zone
from bot.grammar import CommandError, Top, parse
from bot.listeners.commands.clickmeter import ANSWER_START_DELAY_S
from bot.listeners.events.app_home import event_team
from bot.reply import Origin, compute_answer, internal_error_answer
from bot.services import Services
from bot.words import Answer, NameBook, UseSlash, understand
from bot.words.book import NameBooks
from bot.words.replies import ask_privately_answer, not_understood_answer, use_slash_answer
from clickmeter import TopReport
from messages import Message
from storage import as_utc

log = logging.getLogger(__name__)

#: Messages remembered as answered, and for how long: Slack retries within minutes (three
#: times, the last about 5 minutes after the first).
SEEN_SIZE = 10_000
SEEN_TTL_S = 60 * 60.0


class SeenMessages:
    """The messages (workspace, channel, ts) already being answered: by any process sharing
    `services`' database, else by this one."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._seen: TTLCache[tuple[str, str, str], bool] = TTLCache(SEEN_SIZE, SEEN_TTL_S)

    async def first_time(self, team: str, channel: str, ts: str) -> bool:
        """True for the first claim of a message, False for a retry or a second event."""
        key = (team, channel, ts)
        if key in self._seen:
            return False  # the same process: no need to ask the database
        self._seen[key] = True
        try:
            db = await self._services.storage()
            if db is None:
                return True
            async with db.transaction() as tx:
                return await tx.answered.claim(team, channel, ts)
        except (SQLAlchemyError, OSError) as exc:
            # Answering twice (if a retry reaches another replica) beats not answering.
            log.warning("answering without a claim: the database failed (%s)", type(exc).__name__)
            return True


async def is_direct_message(event: dict[str, Any]) -> bool:
    """Bolt matcher: a message in a DM with the bot (`message.im`)."""
    return event.get("channel_type") == "im"


def _retried_after_timeout(request: AsyncBoltRequest) -> bool:
    """Slack resends an event it got no answer to in 3 s, saying so in these headers."""
    reason = request.headers.get("x-slack-retry-reason") or [""]
    return bool(request.headers.get("x-slack-retry-num")) and reason[0] == "http_timeout"


def _asked_by_a_person(event: dict[str, Any], bot_user_id: str | None) -> bool:
    return (
        not event.get("subtype")  # edits, deletions, joins, bot_message, file shares...
        and not event.get("bot_id")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
        and isinstance(event.get("text"), str)
        and bool(event.get("ts"))
    )


def answer_question(
    services: Services, books: NameBooks, seen: SeenMessages
) -> Callable[..., Awaitable[None]]:
    async def answer_question(
        body: dict[str, Any],
        event: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
        request: AsyncBoltRequest,
    ) -> None:
        if not _asked_by_a_person(event, context.bot_user_id):
            return
        channel, ts, team = str(event.get("channel") or ""), str(event["ts"]), event_team(body)
        if event.get("type") == "app_mention" and channel.startswith("D"):
            return  # a mention in the bot's DM: the `message` event answers it
        if not channel:
            return
        if _retried_after_timeout(request):
            # Not claimed either: the first attempt, however late, must find it unclaimed.
            log.info("not answering a retried question: its first attempt may be answered")
            return
        if not await seen.first_time(team, channel, ts):
            return
        # Answers start a moment after the ack, as slash commands' do (see there why).
        await asyncio.sleep(ANSWER_START_DELAY_S)
        user = str(event["user"])
        origin = Origin(team or None, user, channel, services.gate(client, team, user))
        try:
            reply = await _reply(str(event["text"]), services, books, origin)
        except Exception:  # our bug, or the database: an apology beats silence
            reference = secrets.token_hex(4)
            log.exception("unexpected failure answering a question (ref %s)", reference)
            reply = internal_error_answer(reference)
        try:
            await client.chat_postMessage(
                channel=channel,
                thread_ts=str(event.get("thread_ts") or ts),
                text=reply.text,
                blocks=reply.block_dicts(),
                unfurl_links=False,
            )
        except Exception as exc:  # not in the channel any more, Slack down: nothing to tell
            log.warning("could not answer a question in %s: %s", channel, error_code(exc))

    return answer_question


def _personal(command: str) -> bool:
    """Whether the answer to `command` holds visitors' personal data (their IP addresses)."""
    try:
        parsed = parse(command)
    except CommandError:
        return False  # the answer is the grammar's error message
    return isinstance(parsed, Top) and parsed.report is TopReport.IPS


async def _reply(text: str, services: Services, books: NameBooks, origin: Origin) -> Message:
    cm = await services.clickmeter_for(origin.team_id)
    book = await books.book_for(origin.team_id or "", cm) if cm else NameBook(complete=False)
    # "In november", "since monday": read on the account's calendar, as its numbers are.
    today = as_utc(services.pinned_now()).astimezone(await account_zone(cm)).date()
    # A worker thread: indexing a fresh book of thousands of names takes tens of ms (see
    # bench/words.py), which the event loop's acks must not wait for.
    understood = await asyncio.to_thread(understand, text, book, today)
    in_channel = not (origin.channel_id or "").startswith("D")
    if isinstance(understood, Answer) and in_channel and _personal(understood.command):
        return ask_privately_answer(understood.command)
    if isinstance(understood, Answer):
        # The slash command's answer, without its Share button: a thread is already shared.
        answer, _ = await compute_answer(understood.command, services, origin)
        return answer
    if isinstance(understood, UseSlash):
        return use_slash_answer(understood.command)
    return not_understood_answer(understood.unknown, understood.suggestion)
