"""`/clickmeter ...`: acknowledge at once, then answer on the response_url."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.commands.connect import connect_reply, is_connect_command
from bot.reply import Origin, build_reply
from bot.services import Services

log = logging.getLogger(__name__)

#: Answers start this long after their ack. In a burst of commands (a team at 09:00, a restart)
#: the answer work of early commands otherwise competes with the acks still to be sent, and
#: Slack's 3 s deadline is on the acks. Measured with bench/ack.py (50 commands at once): cold
#: p99 86-141 ms without it, 43-70 ms with it. An answer waits on ClickMeter far longer anyway.
ANSWER_START_DELAY_S = 0.05


def answer_command(services: Services) -> Callable[..., Awaitable[None]]:
    async def answer_command(
        command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        text = command.get("text") or ""
        if is_connect_command(text):
            # No start delay: the trigger id views.open needs is good for 3 s after the click.
            connected = await connect_reply(text, command, client, services)
            if connected is not None:
                await _deliver(respond, connected.text, connected.block_dicts())
            return
        await asyncio.sleep(ANSWER_START_DELAY_S)
        team_id, user_id = command.get("team_id") or None, command.get("user_id") or None
        origin = Origin(
            team_id=team_id,
            user_id=user_id,
            channel_id=command.get("channel_id") or None,
            gate=services.gate(client, team_id, user_id),
        )
        reply = await build_reply(text, services, origin)
        await _deliver(respond, reply.text, reply.block_dicts())

    return answer_command


async def _deliver(respond: AsyncRespond, text: str, blocks: list[dict[str, Any]]) -> None:
    try:
        await respond(response_type="ephemeral", text=text, blocks=blocks)
    except Exception as exc:  # the user is gone or Slack is down: nothing else to tell
        log.warning("could not deliver an answer to the response_url: %s", exc)
