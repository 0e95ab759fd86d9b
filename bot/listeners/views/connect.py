"""The connect modal submitted: check the key with ClickMeter, then store it or say why not,
inline under the input (`response_action: errors`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers.connect import (
    KEY_ACTION,
    KEY_BLOCK,
    connected_modal,
    environment_answer,
    key_problem,
    refused_line,
)
from bot.listeners.commands.connect import CONNECT_ACTION
from bot.permissions import NotAllowed
from bot.services import Services
from clickmeter import ClickMeterError

log = logging.getLogger(__name__)


def _typed_key(view: dict[str, Any]) -> str:
    values = view.get("state", {}).get("values", {})
    return str(values.get(KEY_BLOCK, {}).get(KEY_ACTION, {}).get("value") or "").strip()


def connect_submitted(services: Services) -> Callable[..., Awaitable[None]]:
    async def connect_submitted(
        ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], client: AsyncWebClient
    ) -> None:
        workspaces = services.workspaces
        if workspaces is None:
            await ack(response_action="errors", errors={KEY_BLOCK: environment_answer().text})
            return
        api_key = _typed_key(view)
        problem = key_problem(api_key)
        team_id = str(body.get("team", {}).get("id") or view.get("team_id") or "")
        if problem is None and not team_id:  # not a shape Slack sends: nothing to connect
            problem = "Slack did not say which workspace this is: open the window again."
        user_id = body.get("user", {}).get("id")
        if problem is None:
            # Checked again on submit: the window may have been opened before the rules changed.
            try:
                await services.gate(client, team_id, user_id).admin(CONNECT_ACTION)
            except NotAllowed as refused:
                problem = refused.line
        if problem is None:
            try:
                account = await workspaces.connect(team_id, user_id, api_key)
            except ClickMeterError as exc:
                # The error's class only: its text may quote the request.
                log.info("a ClickMeter key was not connected (%s)", type(exc).__name__)
                problem = refused_line(exc)
            else:
                await ack(response_action="update", view=connected_modal(account))
                return
        await ack(response_action="errors", errors={KEY_BLOCK: problem})

    return connect_submitted
