"""The Bolt app: created here, started by `bot.web` (HTTP) or `bot.socket` (Socket Mode).

One workspace (SlackSettings): its bot token, `auth.test` cached. Distribution mode
(SlackOAuthSettings): Bolt's OAuth flow, each request authorized with its workspace's token from
the installation store (`bot.installs`)."""

from __future__ import annotations

import logging
import traceback
from pathlib import Path
from typing import Any

import slack_bolt
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.error import BoltUnhandledRequestError
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.authorization import CachedAuthorization
from bot.inflight import TrackedLazyListenerRunner
from bot.installs import oauth_settings
from bot.listeners import register_listeners
from bot.listeners.events.installs import register_install_events
from bot.services import Services
from config import SlackOAuthSettings, SlackSettings

log = logging.getLogger(__name__)

#: What Bolt raises on a body no Slack sends (not UTF-8, `payload=` not JSON, JSON that is not
#: an object, a field missing or of another type): it reads the body before it checks the
#: signature, and its matchers, middleware and error handlers index into the body as Slack
#: shapes it.
UNREADABLE = (ValueError, TypeError, AttributeError, KeyError, IndexError)
_BOLT = Path(slack_bolt.__file__).parent


def raised_by_bolt(error: BaseException) -> bool:
    """Whether `error` is Bolt failing to read a body (raised in Bolt's own code), not a
    listener of ours failing."""
    frames = traceback.extract_tb(error.__traceback__)
    return (
        isinstance(error, UNREADABLE)
        and bool(frames)
        and _BOLT in Path(frames[-1].filename).parents
    )


def create_app(
    slack: SlackSettings | SlackOAuthSettings, services: Services
) -> tuple[AsyncApp, CachedAuthorization | None]:
    """The app and, for one workspace, its authorization (warm it at start-up so no request
    waits on auth.test)."""
    client = AsyncWebClient(base_url=slack.slack_api_url, timeout=10)
    common: dict[str, Any] = {
        "client": client,
        "signing_secret": slack.slack_signing_secret.get_secret_value(),
        # Listeners only ack; the work runs in lazy listeners. Responding right after the ack
        # (rather than polling for it) keeps the ack in single-digit milliseconds.
        "process_before_response": True,
        "raise_error_for_unhandled_request": True,
        "logger": logging.getLogger("slack_bolt"),
    }
    authorization: CachedAuthorization | None = None
    if isinstance(slack, SlackOAuthSettings):
        if services.db is None:
            raise ValueError("distribution mode keeps its installations in the database")
        oauth, store = oauth_settings(slack, services.db)
        # Each request's workspace token from the store, refreshed (rotation) through `client`,
        # the one pointed at SLACK_API_URL; auth.test's answer cached per token, so only a
        # workspace's first request (and the first after a rotation) waits on it.
        authorize = AsyncInstallationStoreAuthorize(
            logger=logging.getLogger("slack_bolt"),
            installation_store=store,
            client_id=slack.slack_client_id,
            client_secret=slack.slack_client_secret.get_secret_value(),
            token_rotation_expiration_minutes=slack.token_rotation_expiration_minutes,
            bot_only=True,  # the bot token is all clickbot uses
            cache_enabled=True,
            client=client,
        )
        app = AsyncApp(
            oauth_settings=oauth,
            installation_store=store,
            installation_store_bot_only=True,
            # Bolt takes an AsyncAuthorize here (it checks isinstance); its annotation names
            # only plain functions.
            authorize=authorize,  # type: ignore[arg-type]
            **common,
        )
        register_install_events(app, services, store)
    else:
        authorization = CachedAuthorization(client, slack.slack_bot_token.get_secret_value())
        app = AsyncApp(authorize=authorization.as_bolt_authorize(), **common)
    # Answers run as tasks shutdown waits for (Services.aclose), not as ones Bolt forgets.
    app.listener_runner.lazy_listener_runner = TrackedLazyListenerRunner(
        app.logger, services.answers
    )
    register_listeners(app, services)

    @app.error
    async def handle_errors(error: Exception) -> BoltResponse:
        if isinstance(error, BoltUnhandledRequestError):
            # Events and actions this app has no listener for: acknowledge and move on.
            return BoltResponse(status=200, body="")
        if raised_by_bolt(error):
            # A signed body whose fields Bolt's matchers could not read: not Slack's shape,
            # so not ours to answer; no traceback (it is no bug of ours).
            log.warning("refused a request that is not one Slack sends (%s)", type(error).__name__)
            return BoltResponse(status=400, body="")
        log.exception("unhandled error in a listener", exc_info=error)
        return BoltResponse(status=200, body="")

    return app, authorization
