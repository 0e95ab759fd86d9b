"""Bolt's side of the app: every listener, grouped by the Slack surface it serves.

A listener takes Bolt's injected arguments (ack, respond, client, body...), acks at once
(`ack.acknowledge`) and hands the work to clickbot's own code: `bot.grammar` reads a command,
`bot.answers` answers it, `bot.home` draws the App Home tab. Nothing here parses or renders.
"""

from slack_bolt.async_app import AsyncApp

from bot.listeners import actions, commands, events, views
from bot.services import Services


def register_listeners(app: AsyncApp, services: Services) -> None:
    commands.register(app, services)
    actions.register(app, services)
    events.register(app, services)
    views.register(app, services)
