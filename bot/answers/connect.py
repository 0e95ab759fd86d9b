"""`/clickmeter connect` and `disconnect`: the modal that asks for a workspace's ClickMeter API
key, what it says when the key is refused, and the one-line answers around it.

The modal never shows a stored key (its input is always empty), and no answer repeats one.
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import SectionBlock

from alerts.accounts import Connected
from clickmeter import AuthenticationError, ClickMeterError
from messages import Message

#: The modal's callback id, and its input's block and action ids (`bot.listeners.views`).
CONNECT_VIEW = "clickmeter_connect"
KEY_BLOCK = "api_key"
KEY_ACTION = "value"
#: Where a ClickMeter user finds their key.
WHERE_KEYS_ARE = "ClickMeter > Account > API key"
_GUID = re.compile(r"^[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}$")


def _line(text: str) -> Message:
    return Message(text=text, blocks=[SectionBlock(text=text)])


def connect_modal() -> dict[str, Any]:
    """The modal `views.open` shows: one plain-text input for the key, never pre-filled."""
    return {
        "type": "modal",
        "callback_id": CONNECT_VIEW,
        "title": {"type": "plain_text", "text": "Connect ClickMeter"},
        "submit": {"type": "plain_text", "text": "Connect"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": [
            {
                "type": "input",
                "block_id": KEY_BLOCK,
                "label": {"type": "plain_text", "text": "ClickMeter API key"},
                "hint": {
                    "type": "plain_text",
                    "text": f"In {WHERE_KEYS_ARE}. It is stored encrypted and never shown again.",
                },
                "element": {
                    "type": "plain_text_input",
                    "action_id": KEY_ACTION,
                    "placeholder": {
                        "type": "plain_text",
                        "text": "0f8fad5b-d9cb-469f-a165-70867728950e",
                    },
                },
            }
        ],
    }


def connected_line(account: Connected) -> str:
    plan = f", plan {account.plan}" if account.plan else ""
    return (
        f":white_check_mark: This workspace now reads ClickMeter account *{account.account_name}* "
        f"(time zone {account.time_zone}{plan})."
    )


def connected_modal(account: Connected) -> dict[str, Any]:
    """What the modal turns into once the key is accepted."""
    return {
        "type": "modal",
        "callback_id": CONNECT_VIEW,
        "title": {"type": "plain_text", "text": "Connect ClickMeter"},
        "close": {"type": "plain_text", "text": "Done"},
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": connected_line(account)}}
        ],
    }


def key_problem(api_key: str) -> str | None:
    """What is wrong with a typed key before asking ClickMeter, in one line, or None."""
    if not _GUID.match(api_key):
        return (
            "That is not a ClickMeter API key: it looks like "
            f"0f8fad5b-d9cb-469f-a165-70867728950e ({WHERE_KEYS_ARE})."
        )
    return None


def refused_line(error: ClickMeterError) -> str:
    """Why a key could not be connected, in one line for the modal's input."""
    if isinstance(error, AuthenticationError):
        return f"ClickMeter refused this key: copy it again from {WHERE_KEYS_ARE}."
    return "ClickMeter can't be reached right now, so the key could not be checked: try again."


#: The same, as an inline error on a modal's input (plain text: Slack shows it literally).
NOT_CONNECTED_INLINE = "Connect a ClickMeter account first: /clickmeter connect"


def not_connected_answer() -> Message:
    """What every command answers before its workspace has connected an account."""
    return _line(
        ":link: This workspace has no ClickMeter account yet: type `/clickmeter connect` "
        f"and paste its API key ({WHERE_KEYS_ARE})."
    )


def environment_answer() -> Message:
    """Single-workspace mode: the account is the deployment's, not the workspace's."""
    return _line(
        "This clickbot reads the ClickMeter account of its CLICKMETER_API_KEY setting: "
        "change that setting to use another account."
    )


def disconnected_answer(had: bool) -> Message:
    if had:
        return _line(
            ":wave: Disconnected: this workspace's ClickMeter key is deleted. Type "
            "`/clickmeter connect` to connect an account again."
        )
    return _line("This workspace has no ClickMeter account connected: nothing to disconnect.")


def cannot_open_answer() -> Message:
    return _line(
        ":warning: Slack did not let me open the connect window (it waits 3 seconds at most): "
        "type `/clickmeter connect` again."
    )
