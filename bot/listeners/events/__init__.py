"""Bolt's listeners for Events API events: `app_home_opened`, `member_joined_channel`
(the bot invited into a channel requeues what that channel refused), and questions in plain
words (`app_mention`, and `message` in the bot's DM), and `link_shared` (tracking links
unfurled with their live stats)."""

from slack_bolt.async_app import AsyncApp

from bot.listeners.ack import acknowledge
from bot.listeners.events.app_home import home_opened
from bot.listeners.events.installs import INSTALL_EVENTS
from bot.listeners.events.link_shared import UnfurlPacers, unfurl_links
from bot.listeners.events.member_joined import bot_joined
from bot.listeners.events.questions import (
    SeenMessages,
    answer_question,
    is_direct_message,
)
from bot.services import Services
from bot.unfurls import Unfurler
from bot.words.book import NameBooks

#: The events this app subscribes to; manifest.yml declares the same.
BOT_EVENTS = (
    "app_home_opened",
    "member_joined_channel",
    "app_mention",
    "message.im",
    "link_shared",
)

__all__ = ["BOT_EVENTS", "INSTALL_EVENTS", "register"]


def register(app: AsyncApp, services: Services) -> None:
    # Ack at once (Slack retries events not acked within 3 s); publish the home tab lazily.
    app.event("app_home_opened")(ack=acknowledge, lazy=[home_opened(services)])
    app.event("member_joined_channel")(ack=acknowledge, lazy=[bot_joined(services)])
    # Questions: both events share the names read and the messages answered (never twice).
    ask = answer_question(services, NameBooks(), SeenMessages(services))
    app.event("app_mention")(ack=acknowledge, lazy=[ask])
    direct = app.event({"type": "message", "subtype": None}, matchers=[is_direct_message])
    direct(ack=acknowledge, lazy=[ask])
    # Tracking links pasted: their live stats, in one chat.unfurl per event.
    unfurler = Unfurler(now=services.pinned_now)
    app.event("link_shared")(
        ack=acknowledge, lazy=[unfurl_links(services, unfurler, UnfurlPacers())]
    )
