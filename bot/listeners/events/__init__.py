"""Bolt's listeners for Events API events (today `app_home_opened`)."""

from slack_bolt.async_app import AsyncApp

from bot.listeners.ack import acknowledge
from bot.listeners.events.app_home import home_opened
from bot.services import Services

#: The events this app subscribes to; manifest.yml declares the same.
BOT_EVENTS = ("app_home_opened",)


def register(app: AsyncApp, services: Services) -> None:
    # Ack at once (Slack retries events not acked within 3 s); publish the home tab lazily.
    app.event("app_home_opened")(ack=acknowledge, lazy=[home_opened(services)])
