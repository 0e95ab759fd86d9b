"""The "New alert" modal: the view, and its submitted state read back as the `AlertAdd` the typed
grammar would make (pure; no I/O here).

The scope is an `external_select` whose options `bot.answers.scope_options` finds in ClickMeter
as the user types; its option values (`SCOPE_*`) name a link or group by id, a tag by name, or
the whole account, so the submission resolves through the same code as `alert add link 123`.
What the user got wrong comes back as {block_id: problem}, for `response_action: errors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.grammar import AccountScope, AlertAdd, GroupScope, LinkScope, Spike, TagScope, Threshold
from bot.grammar.alert_clauses import (
    SENSITIVITIES,
    WINDOWS,
    Condition,
    Drop,
    Sensitivity,
    clicks_problem,
)
from bot.grammar.arguments import NameRef
from bot.grammar.commands import Scope
from bot.grammar.tokens import ChannelRef
from messages import truncate

if TYPE_CHECKING:
    from storage import AlertRule

ALERT_VIEW = "clickbot_new_alert"
#: The global shortcut (manifest.yml) and the App Home button that open the modal.
NEW_ALERT_SHORTCUT = "new_clickmeter_alert"
NEW_ALERT_ACTION = "home_new_alert"
#: An App Home alert row's Edit button (its value: the rule's id).
EDIT_ALERT_ACTION = "home_edit_alert"
SCOPE_BLOCK = SCOPE_ACTION = "scope"
CONDITION_BLOCK = "condition"
SENSITIVITY_BLOCK = "sensitivity"
CLICKS_BLOCK = "clicks"
WINDOW_BLOCK = "window"
CHANNEL_BLOCK = "channel"
#: Option values of the scope select: `account`, `link:<id>`, `group:<id>`, `tag:<name>`.
SCOPE_ACCOUNT = "account"
_CONDITIONS = {
    "spike": "Spike: clicks well above normal",
    "drop": "Drop: clicks well below normal",
    "threshold": "Threshold: more than N clicks",
}
_WINDOW_NAMES = {900: "per 15 minutes", 3600: "per hour", 86400: "per day"}


def _option(value: str, text: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=text))


def _select(
    block_id: str, label: str, options: dict[str, str], initial: str, **kw: Any
) -> InputBlock:
    choices = [_option(value, text) for value, text in options.items()]
    element = StaticSelectElement(
        action_id=block_id,
        options=choices,
        initial_option=next(c for c in choices if c.value == initial),
    )
    return InputBlock(block_id=block_id, label=label, element=element, **kw)


def scope_value(rule: AlertRule) -> str:
    """The scope select's option value for what `rule` watches."""
    return SCOPE_ACCOUNT if rule.scope_kind == "account" else f"{rule.scope_kind}:{rule.scope_ref}"


def alert_modal(rule: AlertRule | None = None) -> View:
    """The "New alert" modal, or with `rule` the same modal filled in to edit it (its id in
    `private_metadata`)."""
    scope: dict[str, Any] = {}
    channel: dict[str, Any] = {"default_to_current_conversation": True}
    if rule is not None:
        label = truncate(rule.scope_label, 75)
        scope = {"initial_option": _option(scope_value(rule), label)}
        channel = {"initial_conversation": rule.channel_id}
    blocks = [
        InputBlock(
            block_id=SCOPE_BLOCK,
            label="Watch",
            hint="A link, a group, a tag, or the whole account: type to search ClickMeter.",
            element=ExternalDataSelectElement(
                action_id=SCOPE_ACTION,
                placeholder="Search links, groups and tags",
                min_query_length=0,
                **scope,
            ),
        ),
        _select(CONDITION_BLOCK, "Alert on", _CONDITIONS, rule.condition if rule else "spike"),
        _select(
            SENSITIVITY_BLOCK,
            "Sensitivity",
            {level: level.capitalize() for level in SENSITIVITIES},
            (rule.sensitivity if rule else None) or "medium",
            hint="For a spike or a drop: high alerts on smaller changes.",
        ),
        InputBlock(
            block_id=CLICKS_BLOCK,
            label="Clicks",
            optional=True,
            hint="For a threshold: alert when there are more clicks than this.",
            element=PlainTextInputElement(
                action_id=CLICKS_BLOCK,
                placeholder="100",
                initial_value=f"{rule.threshold:,}" if rule and rule.threshold else None,
            ),
        ),
        _select(
            WINDOW_BLOCK,
            "Counted",
            {str(s): n for s, n in _WINDOW_NAMES.items()},
            str((rule.window_seconds if rule else None) or 3600),
        ),
        InputBlock(
            block_id=CHANNEL_BLOCK,
            label="Post alerts in",
            element=ConversationSelectElement(
                action_id=CHANNEL_BLOCK,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
                **channel,
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=ALERT_VIEW,
        private_metadata=str(rule.id) if rule else None,
        title=f"Edit alert #{rule.id}" if rule else "New alert",
        submit="Save" if rule else "Create alert",
        close="Cancel",
        blocks=blocks,
    )


@dataclass(frozen=True)
class Submitted:
    """A submission read: the command, or the problems by block id (never both)."""

    command: AlertAdd | None
    errors: dict[str, str]


def _picked(values: dict[str, Any], block_id: str) -> dict[str, Any]:
    found = values.get(block_id, {})
    state = found.get(block_id) if isinstance(found, dict) else None
    return state if isinstance(state, dict) else {}


def _selected(values: dict[str, Any], block_id: str) -> str:
    option = _picked(values, block_id).get("selected_option") or {}
    return str(option.get("value") or "") if isinstance(option, dict) else ""


def scope_of(value: str) -> Scope | None:
    """The scope an option value names (None: not one we offered)."""
    if value == SCOPE_ACCOUNT:
        return AccountScope()
    kind, _, ref = value.partition(":")
    if kind in ("link", "group") and ref.isascii() and ref.isdigit():
        return LinkScope(NameRef(ref)) if kind == "link" else GroupScope(NameRef(ref))
    if kind == "tag" and ref.strip():
        return TagScope(ref.strip())
    return None


def _condition(values: dict[str, Any], errors: dict[str, str]) -> Condition | None:
    kind = _selected(values, CONDITION_BLOCK)
    level = _selected(values, SENSITIVITY_BLOCK) or "medium"
    sensitivity: Sensitivity = next((s for s in SENSITIVITIES if s == level), "medium")
    if kind == "spike":
        return Spike(sensitivity)
    if kind == "drop":
        return Drop(sensitivity)
    if kind != "threshold":
        errors[CONDITION_BLOCK] = "Pick what to alert on: a spike, a drop or a threshold."
        return None
    typed = str(_picked(values, CLICKS_BLOCK).get("value") or "").strip()
    window = _selected(values, WINDOW_BLOCK)
    seconds = int(window) if window.isdigit() else 0
    if not typed:
        errors[CLICKS_BLOCK] = "A threshold needs a number of clicks, like 100."
    elif (problem := clicks_problem(typed)) is not None:
        errors[CLICKS_BLOCK] = problem
    if seconds not in WINDOWS:
        errors[WINDOW_BLOCK] = "Pick over how long clicks are counted."
    if CLICKS_BLOCK in errors or WINDOW_BLOCK in errors:
        return None
    return Threshold(int(typed.replace(",", "")), seconds)


def read_submission(view: dict[str, Any]) -> Submitted:
    """The `AlertAdd` the submitted `view` asks for, or what is wrong with it."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    errors: dict[str, str] = {}
    scope = scope_of(_selected(values, SCOPE_BLOCK))
    if scope is None:
        errors[SCOPE_BLOCK] = "Pick a link, a group, a tag or the whole account to watch."
    condition = _condition(values, errors)
    channel = str(_picked(values, CHANNEL_BLOCK).get("selected_conversation") or "")
    if not channel:
        errors[CHANNEL_BLOCK] = "Pick the channel the alerts go to."
    elif not channel.startswith(("C", "G")):
        errors[CHANNEL_BLOCK] = "Alerts go to a channel, not a direct message: pick a channel."
    if errors or scope is None or condition is None:
        return Submitted(None, errors)
    return Submitted(AlertAdd(scope, condition, ChannelRef(channel)), {})
