"""The message shortcut "ClickMeter stats for links in this message": the `link` answer for each
tracking link (or link name) the message mentions, shown only to whoever ran it (ephemeral, on
the shortcut's response_url). Acked at once; the answers follow."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers.message_links import MAX_LINKS, links_in
from bot.listeners.fields import obj, user_and_team
from bot.reply import Origin, compute_answer
from bot.services import Services
from clickmeter import ClickMeterError
from messages import Message, section

log = logging.getLogger(__name__)

#: The message shortcut (manifest.yml).
LINK_STATS_SHORTCUT = "clickmeter_link_stats"
_NONE_FOUND = (
    ":mag: I found no tracking link of this ClickMeter account in that message, and no word "
    "that is one of its link names."
)


async def _say(respond: AsyncRespond, answer: Message) -> None:
    try:
        await respond(
            response_type="ephemeral",
            replace_original=False,
            text=answer.text,
            blocks=answer.block_dicts(),
        )
    except Exception as exc:  # the response_url expired, or Slack is down
        log.warning("could not answer the link stats shortcut: %r", exc)


def link_stats(services: Services) -> Callable[..., Awaitable[None]]:
    async def link_stats(
        ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        user, team = user_and_team(body)
        text = str(obj(body.get("message")).get("text") or "")
        clickmeter = await services.clickmeter_for(team or None)
        if clickmeter is None:
            line = ":electric_plug: Connect a ClickMeter account first: `/clickmeter connect`."
            await _say(respond, Message(text=line, blocks=[section(line)]))
            return
        try:
            links = await links_in(clickmeter, text)
        except ClickMeterError as exc:
            log.info("link stats shortcut: ClickMeter failed (%s)", type(exc).__name__)
            line = ":warning: ClickMeter can't be reached right now; try again in a minute."
            await _say(respond, Message(text=line, blocks=[section(line)]))
            return
        if not links:
            await _say(respond, Message(text=_NONE_FOUND, blocks=[section(_NONE_FOUND)]))
            return
        channel = str(obj(body.get("channel")).get("id") or "") or None
        origin = Origin(team or None, user or None, channel, services.gate(client, team, user))
        for link in links[:MAX_LINKS]:
            answer, _ = await compute_answer(f"link {link.id}", services, origin)
            await _say(respond, answer)

    return link_stats
