"""`member_joined_channel` for the bot itself: someone invited clickbot into a channel that
refused its alerts and digests (`not_in_channel` and the like), so what died there for that
reason is requeued (`Outbox.requeue_dead_in`) and the worker delivers it, in order, on its
next pass. Other people joining channels are none of clickbot's business.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.context.async_context import AsyncBoltContext
from sqlalchemy.exc import SQLAlchemyError

from alerts.deliver.poster import CHANNEL_ERRORS
from bot.listeners.events.app_home import event_team
from bot.services import Services

log = logging.getLogger(__name__)


def bot_joined(services: Services) -> Callable[..., Awaitable[None]]:
    async def bot_joined(
        body: dict[str, Any], event: dict[str, Any], context: AsyncBoltContext
    ) -> None:
        if not event.get("user") or event.get("user") != context.bot_user_id:
            return
        channel, team = str(event.get("channel") or ""), event_team(body)
        db = await services.storage()
        if db is None or not channel or not team:
            return
        try:
            async with db.transaction() as tx:
                requeued = await tx.outbox.requeue_dead_in(
                    team, channel=channel, reasons=CHANNEL_ERRORS
                )
        except SQLAlchemyError:
            log.exception("could not requeue what %s refused before", channel)
            return
        if requeued:
            log.info("joined %s: %d undelivered item(s) requeued", channel, requeued)

    return bot_joined
