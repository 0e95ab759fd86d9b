"""**Share in channel**: repost the answer the user saw, visibly, and remove the private copy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.fields import first, user_and_team
from bot.reply import Origin, compute_answer, read_share_button_value
from bot.services import Services

log = logging.getLogger(__name__)


def share_answer(services: Services) -> Callable[..., Awaitable[None]]:
    async def share_answer(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        value = first(body.get("actions")).get("value", "")
        key, command_text = read_share_button_value(str(value))
        user, team = user_and_team(body)
        shared = await services.shares.get(key, team)
        if shared is not None:
            text, blocks = shared.text, list(shared.blocks)
        else:
            # Expired (or kept in another process's memory): answer the same command afresh.
            # As the person clicking: `top ips` stays theirs only if they may see IPs.
            origin = Origin(team, user, gate=services.gate(client, team, user))
            fresh, _ = await compute_answer(command_text, services, origin)
            text, blocks = fresh.text, fresh.block_dicts()
        typed = command_text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        byline = f"Shared by <@{user}> · `/clickmeter {typed}`"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=byline[:2000])]).to_dict())
        try:
            await respond(response_type="in_channel", text=text, blocks=blocks)
            await respond(delete_original=True)
        except Exception as exc:
            log.warning("could not share an answer in the channel: %s", exc)

    return share_answer
