"""Bolt's listener for the `/clickmeter` slash command (the command's grammar is `bot.grammar`)."""

from slack_bolt.async_app import AsyncApp

from bot.listeners.ack import acknowledge
from bot.listeners.commands.clickmeter import answer_command
from bot.services import Services

#: The one slash command; manifest.yml declares the same.
COMMAND = "/clickmeter"


def register(app: AsyncApp, services: Services) -> None:
    # Ack first, within Slack's 3 s and before any ClickMeter call; the answer follows lazily
    # on the response_url.
    app.command(COMMAND)(ack=acknowledge, lazy=[answer_command(services)])
