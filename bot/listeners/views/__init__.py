"""Bolt's listeners for modals: opening them (shortcuts, buttons), their external selects'
options (`block_suggestion`) and their submissions (`view_submission`)."""

from slack_bolt.async_app import AsyncApp

from bot.answers.alert_modal import (
    ALERT_VIEW,
    EDIT_ALERT_ACTION,
    NEW_ALERT_ACTION,
    NEW_ALERT_SHORTCUT,
    SCOPE_ACTION,
)
from bot.answers.connect import CONNECT_VIEW
from bot.answers.digest_modal import DIGEST_VIEW, LINKS_ACTION, NEW_DIGEST_ACTION
from bot.listeners.views.alert import (
    alert_submitted,
    open_alert_modal,
    open_edit_modal,
    scope_suggestions,
    suggestions,
)
from bot.listeners.views.connect import connect_submitted
from bot.listeners.views.digest import digest_submitted, open_digest_modal
from bot.listeners.views.link_stats import LINK_STATS_SHORTCUT, link_stats
from bot.services import Services


def register(app: AsyncApp, services: Services) -> None:
    # Not lazy: the answer to a submission is its ack (errors inline, or the updated modal),
    # which Slack waits 3 s for; checking the key is one short request to ClickMeter.
    app.view(CONNECT_VIEW)(connect_submitted(services))
    # The alert modal: opened at once (a trigger id lasts 3 s), options answered in the ack,
    # the submission checked before its ack and the rule made after it.
    opener = open_alert_modal(services)
    app.shortcut(NEW_ALERT_SHORTCUT)(opener)
    app.action(NEW_ALERT_ACTION)(opener)
    app.action(EDIT_ALERT_ACTION)(open_edit_modal(services))
    app.options(SCOPE_ACTION)(scope_suggestions(services))
    app.view(ALERT_VIEW)(alert_submitted(services))
    # The digest modal: `digest add`'s own answer makes it, before the ack (no history read).
    app.action(NEW_DIGEST_ACTION)(open_digest_modal(services))
    app.options(LINKS_ACTION)(suggestions(services, frozenset({"groups", "tags"})))
    app.view(DIGEST_VIEW)(digest_submitted(services))
    # The message shortcut: acked at once, each link's answer on the response_url after.
    app.shortcut(LINK_STATS_SHORTCUT)(link_stats(services))
