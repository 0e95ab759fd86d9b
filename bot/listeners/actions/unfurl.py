"""The More button on a tracking link's unfurl: the full `link` answer over the 7 days the
unfurl shows, to the person who clicked only (ephemeral, the unfurl stays as it is), with the
clicker's workspace's account."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.listeners.fields import first, obj, user_and_team
from bot.reply import Origin, compute_answer
from bot.services import Services
from bot.unfurls import read_more_value
from bot.unfurls.card import MORE_TIMEFRAME

log = logging.getLogger(__name__)


def unfurl_more(services: Services) -> Callable[..., Awaitable[None]]:
    async def unfurl_more(
        body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        link_id = read_more_value(first(body.get("actions")).get("value"))
        user, team = user_and_team(body)
        channel = str(obj(body.get("channel")).get("id") or "") or None
        if link_id is None:
            text = ":thinking_face: This button doesn't say which link to show."
            blocks: list[dict[str, Any]] = [
                {"type": "section", "text": {"type": "mrkdwn", "text": text}}
            ]
        else:
            origin = Origin(team or None, user or None, channel, services.gate(client, team, user))
            answer, _ = await compute_answer(f"link {link_id} {MORE_TIMEFRAME}", services, origin)
            text, blocks = answer.text, answer.block_dicts()
        try:
            await respond(
                response_type="ephemeral", replace_original=False, text=text, blocks=blocks
            )
        except Exception as exc:  # the response_url expired, or Slack is down
            log.warning("could not answer a click on an unfurl's More button: %s", exc)

    return unfurl_more
