"""`/clickmeter ...`: acknowledge at once, then answer on the response_url."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.reply import build_reply
from bot.services import Services

log = logging.getLogger(__name__)


async def acknowledge(ack: AsyncAck) -> None:
    await ack()


def answer_command(services: Services) -> Callable[..., Awaitable[None]]:
    async def answer_command(command: dict[str, Any], respond: AsyncRespond) -> None:
        reply = await build_reply(command.get("text") or "", services)
        try:
            await respond(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
        except Exception as exc:  # the user is gone or Slack is down: nothing else to tell
            log.warning("could not deliver an answer to the response_url: %s", exc)

    return answer_command
