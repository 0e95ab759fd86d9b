"""Distribution mode: any workspace installs the app through OAuth (Bolt's `AsyncOAuthSettings`).

Installations, bot tokens and OAuth states live in our database, in slack_sdk's own SQLAlchemy
stores (`storage.installations`); Bolt serves `GET /slack/install` (straight on to Slack's
authorize page) and `GET /slack/oauth_redirect`, and authorizes every request with the bot token
of the workspace it comes from, refreshing rotating tokens that expire within
TOKEN_ROTATION_EXPIRATION_MINUTES.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import urljoin

from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore

from alerts.deliver.tokens import FIXED_BY_A_NEW_TOKEN
from bot.install_pages import failure_page, success_page
from config import SlackOAuthSettings
from storage import Database
from storage.installations import installation_store, oauth_state_store

log = logging.getLogger(__name__)

#: How long an install link (its OAuth state) is good for.
STATE_EXPIRATION_S = 600
HTML: dict[str, str | Sequence[str]] = {"Content-Type": "text/html; charset=utf-8"}


def authorization_url(slack_api_url: str) -> str:
    """Slack's authorize page beside its Web API: https://slack.com/api/ gives
    https://slack.com/oauth/v2/authorize (a local Slack at /api/ serves it the same way)."""
    return urljoin(slack_api_url, "../oauth/v2/authorize")


def oauth_settings(
    slack: SlackOAuthSettings, db: Database
) -> tuple[AsyncOAuthSettings, AsyncInstallationStore]:
    """Bolt's OAuth settings on `db`, and the installation store (AsyncApp needs it too, so
    that token rotation goes through the app's own Web API client)."""
    store = installation_store(slack.slack_client_id, db.engine)

    async def succeeded(args: AsyncSuccessArgs) -> BoltResponse:
        installation = args.installation
        if installation.team_id is not None:
            async with db.transaction() as tx:  # installed again: its data is kept, not purged
                await tx.installations.mark_installed(installation.team_id)
                # A re-install fixes what died because Slack refused the old token, or
                # because the app was not installed when the item was due.
                requeued = await tx.outbox.requeue_dead_in(
                    installation.team_id, reasons=FIXED_BY_A_NEW_TOKEN
                )
            if requeued:
                log.info("%d undelivered item(s) requeued after the re-install", requeued)
        log.info("installed in workspace %s", installation.team_id)
        headers: dict[str, str | Sequence[str]] = {
            **HTML,
            "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
        }
        return BoltResponse(
            status=200,
            body=success_page(installation.team_name, installation.team_id),
            headers=headers,
        )

    async def failed(args: AsyncFailureArgs) -> BoltResponse:
        log.info("an install failed: %s", args.reason)
        return BoltResponse(
            status=args.suggested_status_code,
            body=failure_page(args.reason, args.settings.install_path),
            headers=HTML,
        )

    settings = AsyncOAuthSettings(
        client_id=slack.slack_client_id,
        client_secret=slack.slack_client_secret.get_secret_value(),
        scopes=list(slack.slack_scopes),
        redirect_uri=slack.slack_redirect_uri,
        # /slack/install goes straight to Slack: clickbot has no page of its own to show first.
        install_page_rendering_enabled=False,
        callback_options=AsyncCallbackOptions(success=succeeded, failure=failed),
        authorization_url=authorization_url(slack.slack_api_url),
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=slack.token_rotation_expiration_minutes,
        state_store=oauth_state_store(db.engine, STATE_EXPIRATION_S),
        state_expiration_seconds=STATE_EXPIRATION_S,
    )
    return settings, store
