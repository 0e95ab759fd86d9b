"""`/clickmeter connect` (opens the modal asking for the key) and `/clickmeter disconnect`."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers.connect import (
    cannot_open_answer,
    connect_modal,
    disconnected_answer,
    environment_answer,
)
from bot.permissions import NotAllowed
from bot.reply import refusal_answer
from bot.services import Services
from messages import Message

log = logging.getLogger(__name__)

#: What a refusal says may not be done (connecting is for admins and the admin group).
CONNECT_ACTION = "connect a ClickMeter account"
DISCONNECT_ACTION = "disconnect the ClickMeter account"

#: The words that are these commands (nothing may follow them).
CONNECT_WORDS = {"connect", "disconnect"}


def is_connect_command(text: str) -> bool:
    words = text.lower().split()
    return len(words) == 1 and words[0] in CONNECT_WORDS


async def connect_reply(
    text: str, command: dict[str, Any], client: AsyncWebClient, services: Services
) -> Message | None:
    """Open the modal (None: nothing to say in the channel) or say what was done."""
    if services.workspaces is None:
        return environment_answer()
    team_id = command.get("team_id") or ""
    disconnecting = text.strip().lower() == "disconnect"
    gate = services.gate(client, team_id, command.get("user_id"))
    try:
        await gate.admin(DISCONNECT_ACTION if disconnecting else CONNECT_ACTION)
    except NotAllowed as refused:
        return refusal_answer(refused)
    if disconnecting:
        return disconnected_answer(await services.workspaces.disconnect(team_id))
    try:
        await client.views_open(trigger_id=command.get("trigger_id") or "", view=connect_modal())
    except SlackApiError as exc:
        log.warning("could not open the connect modal: %s", exc.response.get("error"))
        return cannot_open_answer()
    return None
