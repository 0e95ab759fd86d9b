"""The tour's modal stop: a threshold alert made in the "New alert" modal rather than typed.

It runs the global shortcut, types part of a link's name into the scope select (the bot
answers the `block_suggestion` from ClickMeter), picks the link and submits; the bot checks it
as `alert add` would, closes the modal and says what it made in a direct message."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from bot.answers.alert_modal import NEW_ALERT_SHORTCUT, SCOPE_ACTION
from devtools.demo.session import ALERT_CHANNEL, Session
from devtools.localslack.interactions import block_suggestion_payload, shortcut_payload
from devtools.localslack.signed import USER_ID, interaction_body, view_submission_payload

#: The threshold the demo's alert watches for: high enough not to fire during the tour.
CLICKS = "100,000"


def _state(scope: str) -> dict[str, dict[str, dict[str, Any]]]:
    def picked(value: str) -> dict[str, Any]:
        return {"type": "static_select", "selected_option": {"value": value}}

    return {
        "scope": {"scope": {"type": "external_select", "selected_option": {"value": scope}}},
        "condition": {"condition": picked("threshold")},
        "sensitivity": {"sensitivity": picked("medium")},
        "clicks": {"clicks": {"type": "plain_text_input", "value": CLICKS}},
        "window": {"window": picked("86400")},
        "channel": {
            "channel": {"type": "conversations_select", "selected_conversation": ALERT_CHANNEL}
        },
    }


def modal_alert(link: str) -> Any:
    """The step: a `clicks > 100,000 per 1d` alert on `link`, made in the modal."""

    def run(session: Session) -> object:
        slack = session.bot.slack.slack
        say = session.console.print
        say(Text.assemble(("alice ▸ ", "dim"), ("shortcuts ▸ New ClickMeter alert", "bold")))
        opened = len(slack.calls_to("views.open"))
        payload = shortcut_payload(NEW_ALERT_SHORTCUT, trigger_id=slack.mint_trigger_id())
        session.bot.post(interaction_body(payload))
        try:
            slack.wait_for(lambda: slack.calls_to("views.open")[opened:], 10.0)
        except TimeoutError:
            session.fail("the New alert modal did not open")
            return None
        view = slack.opened_views[-1]
        labels = " · ".join(b["label"]["text"] for b in view["blocks"])
        say(f"[dim]→ views.open: the modal “{view['title']['text']}”: {labels}[/]")
        typed = link[: max(6, len(link) - 3)]  # most of the name: the link among the first
        say(Text.assemble(("alice ▸ types in Watch: ", "dim"), (typed, "bold")))
        asked = session.bot.post(
            interaction_body(block_suggestion_payload(view, "scope", SCOPE_ACTION, typed))
        )
        groups = json.loads(asked.text or "{}").get("option_groups") or []
        found = {o["text"]["text"]: o["value"] for g in groups for o in g["options"]}
        for group in groups:
            names = ", ".join(o["text"]["text"] for o in group["options"][:5])
            say(f"[dim]→ block_suggestion: {group['label']['text']}: {names}[/]", highlight=False)
        if link not in found:
            session.fail(f"{link} was not among the options for {typed!r}")
            return None
        say(
            Text.assemble(
                ("alice ▸ picks ", "dim"),
                (f"{link}, threshold: more than {CLICKS} clicks per day, #general", "bold"),
                (" ▸ [ Create alert ]", "dim"),
            )
        )
        posts = len(slack.calls_to("chat.postMessage"))
        submission = view_submission_payload(view, _state(found[link]))
        closed = session.bot.post(interaction_body(submission))
        say(f"[dim]→ view_submission: {closed.status_code}, the modal closes[/]")
        try:
            told = slack.wait_for(
                lambda: [
                    c
                    for c in slack.calls_to("chat.postMessage")[posts:]
                    if c.args["channel"] == USER_ID
                ],
                10.0,
            )
        except TimeoutError:
            session.fail("no message about the new alert")
            return None
        say(Text(f"💬 to you: {told[0].args['text']}"), highlight=False)
        return told[0]

    return run
