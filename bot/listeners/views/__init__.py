"""Bolt's listeners for submitted modals (`view_submission`)."""

from slack_bolt.async_app import AsyncApp

from bot.answers.connect import CONNECT_VIEW
from bot.listeners.views.connect import connect_submitted
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    # Not lazy: the answer to a submission is its ack (errors inline, or the updated modal),
    # which Slack waits 3 s for; checking the key is one short request to ClickMeter.
    app.view(CONNECT_VIEW)(connect_submitted(services))
