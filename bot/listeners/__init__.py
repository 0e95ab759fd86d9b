"""Every listener of the app, grouped by the Slack surface it serves."""

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, events
from bot.services import Services


def register_listeners(app: AsyncApp, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    events.register(app, services)
