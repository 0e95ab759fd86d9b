"""Interactivity payloads Slack sends about modals and shortcuts, and the checks Slack makes of
the app's answers to them: a global shortcut, a message shortcut, a `block_suggestion` (an
external select's options request, answered in the ack) and whether that answer is one Slack
would show, and whether a submission's inline errors name the view's inputs. Send them with
`signed.interaction_body` and `signed.signed_headers`."""

from __future__ import annotations

from typing import Any

from devtools.localslack.signed import (
    API_APP_ID,
    CHANNEL_ID,
    CHANNEL_NAME,
    TEAM_DOMAIN,
    TEAM_ID,
    TRIGGER_ID,
    USER_ID,
    USER_NAME,
)

#: Slack's limits on an options answer: options in all, per group, and the texts.
MAX_OPTIONS = 100
MAX_GROUP_LABEL = 75
MAX_OPTION_TEXT = 75
MAX_OPTION_VALUE = 150
#: How long an inline error (`response_action: errors`) may be, as clickbot keeps them.
MAX_ERROR_TEXT = 300


def _who(user_id: str, team_id: str) -> dict[str, Any]:
    return {
        "team": {"id": team_id, "domain": TEAM_DOMAIN},
        "user": {"id": user_id, "username": USER_NAME, "name": USER_NAME, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": "legacy-verification-token",
        "is_enterprise_install": False,
        "enterprise": None,
    }


def shortcut_payload(
    callback_id: str,
    *,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
) -> dict[str, Any]:
    """A global shortcut run from the shortcuts menu (no channel: it is not in one)."""
    return {
        "type": "shortcut",
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "action_ts": "1700000000.000100",
        **_who(user_id, team_id),
    }


def message_shortcut_payload(
    callback_id: str,
    message: dict[str, Any],
    *,
    channel_id: str = CHANNEL_ID,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
    trigger_id: str = TRIGGER_ID,
    response_url: str = "",
) -> dict[str, Any]:
    """A message shortcut run on `message` (its `text`, `ts`, `user`) in `channel_id`."""
    return {
        "type": "message_action",
        "callback_id": callback_id,
        "trigger_id": trigger_id,
        "action_ts": "1700000000.000100",
        "message_ts": message.get("ts", "1700000000.000001"),
        "message": {"type": "message", **message},
        "channel": {"id": channel_id, "name": CHANNEL_NAME},
        "response_url": response_url,
        **_who(user_id, team_id),
    }


def block_suggestion_payload(
    view: dict[str, Any],
    block_id: str,
    action_id: str,
    value: str,
    *,
    user_id: str = USER_ID,
    team_id: str = TEAM_ID,
) -> dict[str, Any]:
    """What Slack sends as the user types `value` into the external select `action_id` of the
    open modal `view` (as views.open answered it)."""
    return {
        "type": "block_suggestion",
        "block_id": block_id,
        "action_id": action_id,
        "value": value,
        "view": view,
        "container": {"type": "view", "view_id": view.get("id", "")},
        **_who(user_id, team_id),
    }


def options_problems(answer: object) -> list[str]:
    """Why Slack would not show `answer` (an options request's ack body); [] when it would."""
    if not isinstance(answer, dict):
        return ["the answer is not an object"]
    groups = answer.get("option_groups")
    if groups is None:
        groups = [{"label": {"type": "plain_text", "text": "-"}, "options": answer.get("options")}]
    if not isinstance(groups, list):
        return ["option_groups must be an array"]
    problems: list[str] = []
    count = 0
    for index, group in enumerate(groups):
        label = (group.get("label") or {}) if isinstance(group, dict) else {}
        if not isinstance(label, dict) or label.get("type") != "plain_text":
            problems.append(f"option_groups/{index}/label must be plain_text")
        elif not 0 < len(str(label.get("text") or "")) <= MAX_GROUP_LABEL:
            problems.append(f"option_groups/{index}/label must be 1 to {MAX_GROUP_LABEL} chars")
        options = group.get("options") if isinstance(group, dict) else None
        if not isinstance(options, list):
            problems.append(f"option_groups/{index}/options must be an array")
            continue
        count += len(options)
        for at, option in enumerate(options):
            text = (
                ((option or {}).get("text") or {}).get("text") if isinstance(option, dict) else None
            )
            value = option.get("value") if isinstance(option, dict) else None
            if not isinstance(text, str) or not 0 < len(text) <= MAX_OPTION_TEXT:
                problems.append(f"option {index}/{at}: text must be 1 to {MAX_OPTION_TEXT} chars")
            if not isinstance(value, str) or not 0 < len(value) <= MAX_OPTION_VALUE:
                problems.append(f"option {index}/{at}: value must be 1 to {MAX_OPTION_VALUE} chars")
    if count > MAX_OPTIONS:
        problems.append(f"no more than {MAX_OPTIONS} options allowed, got {count}")
    return problems


def errors_problems(view: dict[str, Any], answer: object) -> list[str]:
    """Why Slack would refuse `answer` to a submission of `view` as `response_action: errors`:
    each error names an input block of the view, with a short non-empty text. [] for any other
    answer, or a fine one."""
    if not isinstance(answer, dict) or answer.get("response_action") != "errors":
        return []
    errors = answer.get("errors")
    if not isinstance(errors, dict) or not errors:
        return ["errors must be a non-empty object"]
    inputs = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
    problems = []
    for block_id, text in errors.items():
        if block_id not in inputs:
            problems.append(f"errors/{block_id}: not an input block of the view")
        if not isinstance(text, str) or not 0 < len(text) <= MAX_ERROR_TEXT:
            problems.append(f"errors/{block_id}: must be 1 to {MAX_ERROR_TEXT} characters")
    return problems
