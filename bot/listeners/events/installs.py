"""`app_uninstalled` and `tokens_revoked` (distribution mode): the workspace's tokens are deleted
at once (Bolt's own handlers on the installation store), and the workspace is marked
uninstalled: the worker stops polling it and sending its digests now, and its retention job
purges its rules, digests and webhooks UNINSTALLED_RETENTION_DAYS later unless it installs
again."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from bot.services import Services
from storage import utcnow

log = logging.getLogger(__name__)

#: The events distribution mode subscribes to besides `BOT_EVENTS`; manifest.yml declares them.
INSTALL_EVENTS = ("app_uninstalled", "tokens_revoked")


def register_install_events(
    app: AsyncApp, services: Services, store: AsyncInstallationStore
) -> None:
    revocations = AsyncTokenRevocationListeners(store)

    async def forget(team_id: str | None) -> None:
        db = await services.storage()
        if team_id is None or db is None:
            return
        async with db.transaction() as tx:
            await tx.installations.mark_uninstalled(team_id, services.pinned_now() or utcnow())
        if services.workspaces is not None:  # its ClickMeter key goes at once, with its client
            await services.workspaces.disconnect(team_id)
        log.info(
            "workspace %s uninstalled the app: tokens and ClickMeter key deleted, polling stopped",
            team_id,
        )

    async def app_uninstalled(context: AsyncBoltContext) -> None:
        await revocations.handle_app_uninstalled_events(context)
        await forget(context.team_id)

    async def tokens_revoked(event: dict[str, Any], context: AsyncBoltContext) -> None:
        await revocations.handle_tokens_revoked_events(event, context)
        if event.get("tokens", {}).get("bot"):  # without its bot token nothing can be posted
            await forget(context.team_id)

    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
