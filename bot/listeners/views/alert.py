"""The "New alert" modal: opened from the App Home's button or the global shortcut, its scope
searched in ClickMeter as the user types (`block_suggestion`), and submitted.

The submission is checked with the typed grammar's own validation (`alert_add.check_add`:
permissions again, the scope resolved, the workspace's room) before the ack, so what is wrong
shows inline under its input; the rule is then seeded and written after the ack (seeding reads
ClickMeter's history, longer than Slack's 3 s), the user told in a direct message and their
App Home published again.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from bot.answers.alert_add import Spec, change, check_add, create
from bot.answers.alert_modal import CHANNEL_BLOCK, SCOPE_BLOCK, alert_modal, read_submission
from bot.answers.base import AnswerContext
from bot.answers.connect import NOT_CONNECTED_INLINE
from bot.answers.errors import error_answer
from bot.answers.scope_options import EVERY_KIND, scope_options
from bot.answers.stored import Refusal
from bot.home import button_id
from bot.listeners.events.app_home import publish_home
from bot.listeners.fields import first, obj, user_and_team
from bot.permissions import NotAllowed
from bot.resolve import ResolveError
from bot.services import Services
from clickmeter import ClickMeterError
from messages import Message
from storage import AlertRule

log = logging.getLogger(__name__)

#: Slack shows an inline error as plain text, on a line or two under its input.
_ERROR_LIMIT = 300
_DATABASE_DOWN = "I can't reach the alert database right now, so nothing was changed."


_LEADING_EMOJI = re.compile(r"^:[a-z0-9_+-]+:\s*")
_CHANNEL = re.compile(r"<#[A-Z0-9]+(?:\|([^>]*))?>")


def inline(text: str) -> str:
    """An answer's mrkdwn line as an inline error: plain text (no emoji code, a channel by its
    name where the line has it), one short paragraph."""
    text = _LEADING_EMOJI.sub("", text.strip())
    text = _CHANNEL.sub(lambda m: f"#{m[1]}" if m[1] else "that channel", text)
    plain = " ".join(html.unescape(text.replace("`", "").replace("*", "")).split())
    return plain if len(plain) <= _ERROR_LIMIT else plain[: _ERROR_LIMIT - 1] + "…"


def open_alert_modal(services: Services) -> Callable[..., Awaitable[None]]:
    """The shortcut or the home button: open the empty modal (acked first)."""

    async def open_alert_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        try:
            await client.views_open(
                trigger_id=str(body.get("trigger_id") or ""), view=alert_modal()
            )
        except SlackApiError as exc:
            log.warning("could not open the alert modal: %s", exc.response.get("error"))

    return open_alert_modal


def open_edit_modal(services: Services) -> Callable[..., Awaitable[None]]:
    """An App Home row's Edit button: open the modal filled in with the rule (acked first;
    who may change it is checked at submit)."""

    async def open_edit_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        _, team = user_and_team(body)
        rule_id = button_id(first(body.get("actions")).get("value"))
        rule = await _rule(services, team, rule_id)
        if rule is None:
            return  # gone meanwhile: the tab is republished after every change
        try:
            await client.views_open(
                trigger_id=str(body.get("trigger_id") or ""), view=alert_modal(rule)
            )
        except SlackApiError as exc:
            log.warning("could not open the alert modal: %s", exc.response.get("error"))

    return open_edit_modal


async def _rule(services: Services, team: str, rule_id: int | None) -> AlertRule | None:
    db = await services.storage()
    if db is None or rule_id is None or not team:
        return None
    async with db.reading() as tx:
        return await tx.rules.get(team, rule_id)


def scope_suggestions(services: Services) -> Callable[..., Awaitable[None]]:
    """`block_suggestion` for the scope select: links, groups and tags matching what is typed."""

    return suggestions(services, EVERY_KIND)


def suggestions(services: Services, kinds: frozenset[str]) -> Callable[..., Awaitable[None]]:
    """`block_suggestion` for a select of ClickMeter's `kinds` (see `scope_options`)."""

    async def scope_suggestions(ack: AsyncAck, body: dict[str, Any]) -> None:
        _, team = user_and_team(body)
        client = await services.clickmeter_for(team or None)
        if client is None:
            await ack(options=[])
            return
        try:
            found = await scope_options(client, str(body.get("value") or ""), kinds)
        except ClickMeterError as exc:
            log.info("no scope options: ClickMeter failed (%s)", type(exc).__name__)
            await ack(options=[])
            return
        await ack(option_groups=found["option_groups"])

    return scope_suggestions


def alert_submitted(services: Services) -> Callable[..., Awaitable[None]]:
    async def alert_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        submitted = read_submission(view)
        if submitted.command is None:
            errors = {block: inline(problem) for block, problem in submitted.errors.items()}
            await ack(response_action="errors", errors=errors)
            return
        user, team = user_and_team(body)
        clickmeter = await services.clickmeter_for(team or None)
        db = await services.storage()
        if clickmeter is None:
            await ack(
                response_action="errors",
                errors={SCOPE_BLOCK: NOT_CONNECTED_INLINE},
            )
            return
        ctx = AnswerContext(
            client=clickmeter,
            now=services.pinned_now(),
            team_id=team or None,
            user_id=user or None,
            db=db,
            poll_seconds=services.poll_seconds,
            gate=services.gate(client, team, user),
        )
        editing = None
        if (metadata := str(view.get("private_metadata") or "")) != "":
            editing = await _rule(services, team, button_id(metadata))
            if editing is None:
                gone = "This alert no longer exists: close this window."
                await ack(response_action="errors", errors={SCOPE_BLOCK: gone})
                return
        try:
            spec = await check_add(submitted.command, ctx, editing)
        except NotAllowed as refused:
            problem = {SCOPE_BLOCK: inline(refused.line)}
        except Refusal as refusal:
            problem = {SCOPE_BLOCK: inline(refusal.answer.text)}
        except (ResolveError, ClickMeterError) as exc:
            problem = {SCOPE_BLOCK: inline(error_answer(exc).text)}
        except SQLAlchemyError:
            log.exception("the alert database failed checking a new alert")
            problem = {SCOPE_BLOCK: _DATABASE_DOWN}
        else:
            if not await channel_known(client, spec.channel_id):
                problem = {CHANNEL_BLOCK: "I can't find that channel: pick another one."}
            else:
                await ack()
                await _create_and_tell(services, client, ctx, spec, team, user, editing)
                return
        await ack(response_action="errors", errors=problem)

    return alert_submitted


async def channel_known(client: AsyncWebClient, channel_id: str) -> bool:
    """Whether Slack knows the channel (private ones the bot is not in read as unknown, as
    they do for posting)."""
    try:
        found = await client.conversations_info(channel=channel_id)
    except SlackApiError as exc:
        return bool(exc.response.get("error") != "channel_not_found")
    return bool(obj(found.get("channel")).get("id"))


async def _create_and_tell(
    services: Services,
    client: AsyncWebClient,
    ctx: AnswerContext,
    spec: Spec,
    team: str,
    user: str,
    editing: AlertRule | None,
) -> None:
    try:
        answer = await (create(spec, ctx) if editing is None else change(spec, ctx, editing))
    except Refusal as refusal:  # a double submit, meanwhile
        answer = refusal.answer
    except SQLAlchemyError:
        log.exception("the alert database failed creating a new alert")
        answer = Message(text=f":warning: {_DATABASE_DOWN}", blocks=[])
    try:
        await client.chat_postMessage(
            channel=user, text=answer.text, blocks=answer.block_dicts() or None
        )
    except SlackApiError as exc:
        log.warning("could not tell %s about their new alert: %s", user, exc.response.get("error"))
    await publish_home(services, client, team, user)
