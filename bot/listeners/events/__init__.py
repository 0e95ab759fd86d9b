"""Bolt's listeners for Events API events: `app_home_opened`, and `member_joined_channel`
(the bot invited into a channel requeues what that channel refused)."""

from slack_bolt.async_app import AsyncApp

from bot.listeners.ack import acknowledge
from bot.listeners.events.app_home import home_opened
from bot.listeners.events.installs import INSTALL_EVENTS
from bot.listeners.events.member_joined import bot_joined
from bot.services import Services

#: The events this app subscribes to; manifest.yml declares the same.
BOT_EVENTS = ("app_home_opened", "member_joined_channel")

__all__ = ["BOT_EVENTS", "INSTALL_EVENTS", "register"]


def register(app: AsyncApp, services: Services) -> None:
    # Ack at once (Slack retries events not acked within 3 s); publish the home tab lazily.
    app.event("app_home_opened")(ack=acknowledge, lazy=[home_opened(services)])
    app.event("member_joined_channel")(ack=acknowledge, lazy=[bot_joined(services)])
