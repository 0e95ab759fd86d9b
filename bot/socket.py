"""Socket Mode (`clickbot run` with SLACK_APP_TOKEN): no public URL needed."""

from __future__ import annotations

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import create_app
from bot.services import Services
from config import SlackSettings


async def connect_socket_mode(slack: SlackSettings, services: Services) -> AsyncSocketModeHandler:
    """Migrate, learn the bot's identity, open the WebSocket; the caller closes the handler."""
    if slack.slack_app_token is None:
        raise ValueError("Socket Mode needs SLACK_APP_TOKEN")
    app, authorization = create_app(slack, services)
    await services.storage()
    if authorization is not None:
        await authorization.warm()
    handler = AsyncSocketModeHandler(app, slack.slack_app_token.get_secret_value())
    await handler.connect_async()  # type: ignore[no-untyped-call]
    return handler
