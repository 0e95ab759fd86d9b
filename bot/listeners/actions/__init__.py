"""Bolt's listeners for buttons: Share in channel, the buttons on alert posts, on App Home and
on tracking links' unfurls."""

from datetime import timedelta

from slack_bolt.async_app import AsyncApp

from alerts.messages import MUTE_1D_ACTION, MUTE_1H_ACTION, SHOW_LINK_ACTION
from bot.home import (
    HOME_MUTE_1H_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_RETRY_ACTION,
    HOME_UNMUTE_ACTION,
)
from bot.listeners.ack import acknowledge
from bot.listeners.actions import home
from bot.listeners.actions.alerts import mute_alert, show_link
from bot.listeners.actions.share import share_answer
from bot.listeners.actions.unfurl import unfurl_more
from bot.reply import SHARE_ACTION
from bot.services import Services
from bot.unfurls import MORE_ACTION


def register(app: AsyncApp, services: Services) -> None:
    app.action(SHARE_ACTION)(ack=acknowledge, lazy=[share_answer(services)])
    # On alert posts (alerts.messages): ack at once, mute or answer lazily.
    app.action(MUTE_1H_ACTION)(ack=acknowledge, lazy=[mute_alert(services, timedelta(hours=1))])
    app.action(MUTE_1D_ACTION)(ack=acknowledge, lazy=[mute_alert(services, timedelta(days=1))])
    app.action(SHOW_LINK_ACTION)(ack=acknowledge, lazy=[show_link(services)])
    # On tracking links' unfurls (bot.unfurls): the full `link` answer, privately.
    app.action(MORE_ACTION)(ack=acknowledge, lazy=[unfurl_more(services)])
    # On the App Home tab (bot.home): ack at once, change the rule or digest and re-publish
    # the tab lazily, when the policy (bot.permissions) lets the clicker.
    buttons = [
        (HOME_MUTE_1H_ACTION, home.mute_1h, "alert", "mute"),
        (HOME_UNMUTE_ACTION, home.unmute, "alert", "unmute"),
        (HOME_REMOVE_ALERT_ACTION, home.remove_alert, "alert", "remove"),
        (HOME_REMOVE_DIGEST_ACTION, home.remove_digest, "digest", "remove"),
        (HOME_RETRY_ACTION, home.retry, "alert", "retry"),
    ]
    for action_id, change, kind, verb in buttons:
        listener = home.home_button(services, change, kind=kind, verb=verb)
        app.action(action_id)(ack=acknowledge, lazy=[listener])
