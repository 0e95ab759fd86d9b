"""Buttons."""

from slack_bolt.async_app import AsyncApp

from bot.listeners.actions.share import acknowledge, share_answer
from bot.reply import SHARE_ACTION
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    app.action(SHARE_ACTION)(ack=acknowledge, lazy=[share_answer(services)])
