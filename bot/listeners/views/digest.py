"""The "New digest" modal: opened from the App Home's button, its links select searched in
ClickMeter (groups and tags), and submitted.

A submission is read by the grammar's own readers (`bot.answers.digest_modal`) and then made by
`digest add`'s own answer, before the ack: that answer only resolves a group and writes a row,
well within Slack's 3 s, so what it refuses shows inline. The maker is told in a direct message
and their App Home is published again.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.base import AnswerContext
from bot.answers.connect import NOT_CONNECTED_INLINE
from bot.answers.digest_modal import (
    CHANNEL_BLOCK,
    LINKS_BLOCK,
    TIME_BLOCK,
    digest_modal,
    read_digest,
)
from bot.answers.digests import add_answer
from bot.answers.errors import error_answer
from bot.answers.stored import Refusal
from bot.listeners.events.app_home import publish_home
from bot.listeners.fields import user_and_team
from bot.listeners.views.alert import channel_known, inline
from bot.permissions import NotAllowed
from bot.resolve import ResolveError
from bot.services import Services
from clickmeter import ClickMeterError

log = logging.getLogger(__name__)


def open_digest_modal(services: Services) -> Callable[..., Awaitable[None]]:
    async def open_digest_modal(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        try:
            trigger = str(body.get("trigger_id") or "")
            await client.views_open(trigger_id=trigger, view=digest_modal())
        except SlackApiError as exc:
            log.warning("could not open the digest modal: %s", exc.response.get("error"))

    return open_digest_modal


def digest_submitted(services: Services) -> Callable[..., Awaitable[None]]:
    async def digest_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        submitted = read_digest(view)
        if submitted.command is None:
            errors = {block: inline(problem) for block, problem in submitted.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        user, team = user_and_team(body)
        clickmeter = await services.clickmeter_for(team or None)
        if clickmeter is None:
            await ack(response_action="errors", errors={TIME_BLOCK: NOT_CONNECTED_INLINE})
            return
        channel = submitted.command.channel
        if channel is not None and not await channel_known(client, channel.id):
            unknown = "I can't find that channel: pick another one."
            await ack(response_action="errors", errors={CHANNEL_BLOCK: unknown})
            return
        ctx = AnswerContext(
            client=clickmeter,
            now=services.pinned_now(),
            team_id=team or None,
            user_id=user or None,
            db=await services.storage(),
            poll_seconds=services.poll_seconds,
            gate=services.gate(client, team, user),
        )
        try:
            answer = await add_answer(submitted.command, ctx)
        except NotAllowed as refused:
            problem = {TIME_BLOCK: inline(refused.line)}
        except Refusal as refusal:
            problem = {TIME_BLOCK: inline(refusal.answer.text)}
        except ResolveError as exc:
            problem = {LINKS_BLOCK: inline(error_answer(exc).text)}
        except ClickMeterError as exc:
            problem = {TIME_BLOCK: inline(error_answer(exc).text)}
        except SQLAlchemyError:
            log.exception("the database failed making a new digest")
            problem = {TIME_BLOCK: "I can't reach the database right now: nothing was changed."}
        else:
            await ack()
            try:
                await client.chat_postMessage(
                    channel=user, text=answer.text, blocks=answer.block_dicts()
                )
            except SlackApiError as exc:
                log.warning(
                    "could not tell %s of their digest: %s", user, exc.response.get("error")
                )
            await publish_home(services, client, team, user)
            return
        await ack(response_action="errors", errors=problem)

    return digest_submitted
