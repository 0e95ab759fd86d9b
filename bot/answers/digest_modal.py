"""The "New digest" modal: the view, and its submitted state read back as the `DigestAdd` the
typed grammar would make (pure; no I/O here). The time and zone are read by the grammar's own
`read_time` and `read_zone`; the rest of the checking is `digest add`'s answer itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    Option,
    PlainTextObject,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.grammar import DEFAULT_DIGEST_REPORTS, DigestAdd
from bot.grammar.arguments import NameRef
from bot.grammar.commands import Cadence, DigestGroup, DigestLinks, DigestTag
from bot.grammar.digests import MAX_DIGEST_REPORTS, read_time, read_zone
from bot.grammar.tokens import ChannelRef
from clickmeter import TopReport

DIGEST_VIEW = "clickbot_new_digest"
NEW_DIGEST_ACTION = "home_new_digest"
#: The links select's action: groups and tags (`scope_options` without links or the account).
LINKS_ACTION = "digest_links"
TIME_BLOCK, CADENCE_BLOCK, WEEKDAY_BLOCK = "time", "cadence", "weekday"
ZONE_BLOCK, CHANNEL_BLOCK, REPORTS_BLOCK, LINKS_BLOCK = "zone", "channel", "reports", "links"
#: The zone option meaning "the ClickMeter account's".
ACCOUNT_ZONE = "account"
#: Zones offered besides the account's (any IANA zone can be typed: `digest add ... Asia/Tokyo`).
ZONES = (
    "UTC", "Europe/London", "Europe/Paris", "Europe/Rome", "Europe/Berlin", "Europe/Madrid",
    "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
    "America/Sao_Paulo", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
)  # fmt: skip
_CADENCES = {"daily": "Every day", "weekdays": "Monday to Friday", "weekly": "Once a week"}
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_REPORTS = {
    TopReport.COUNTRIES: "Countries", TopReport.REFERRERS: "Referrers",
    TopReport.DESTINATIONS: "Destinations", TopReport.BROWSERS: "Browsers",
    TopReport.PLATFORMS: "Platforms", TopReport.CITIES: "Cities",
    TopReport.LANGUAGES: "Languages", TopReport.KEYWORDS: "Keywords",
}  # fmt: skip


def _options(choices: dict[str, str]) -> list[Option]:
    return [Option(value=value, text=PlainTextObject(text=text)) for value, text in choices.items()]


def digest_modal() -> View:
    """The empty "New digest" modal."""
    cadences, reports = _options(_CADENCES), _options({r.value: n for r, n in _REPORTS.items()})
    zones = _options({ACCOUNT_ZONE: "The ClickMeter account's", **{z: z for z in ZONES}})
    defaults = {r.value for r in DEFAULT_DIGEST_REPORTS}
    blocks = [
        InputBlock(
            block_id=TIME_BLOCK,
            label="At",
            element=TimePickerElement(action_id=TIME_BLOCK, initial_time="09:00"),
        ),
        InputBlock(
            block_id=CADENCE_BLOCK,
            label="Sent",
            element=StaticSelectElement(
                action_id=CADENCE_BLOCK, options=cadences, initial_option=cadences[0]
            ),
        ),
        InputBlock(
            block_id=WEEKDAY_BLOCK,
            label="On (once a week)",
            optional=True,
            element=StaticSelectElement(
                action_id=WEEKDAY_BLOCK, options=_options({str(i): d for i, d in enumerate(_DAYS)})
            ),
        ),
        InputBlock(
            block_id=ZONE_BLOCK,
            label="Time zone",
            element=StaticSelectElement(
                action_id=ZONE_BLOCK, options=zones, initial_option=zones[0]
            ),
        ),
        InputBlock(
            block_id=CHANNEL_BLOCK,
            label="Post it in",
            element=ConversationSelectElement(
                action_id=CHANNEL_BLOCK,
                default_to_current_conversation=True,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
        ),
        InputBlock(
            block_id=REPORTS_BLOCK,
            label="TOP reports",
            optional=True,
            element=StaticMultiSelectElement(
                action_id=REPORTS_BLOCK,
                options=reports,
                initial_options=[o for o in reports if o.value in defaults],
                max_selected_items=MAX_DIGEST_REPORTS,
            ),
        ),
        InputBlock(
            block_id=LINKS_BLOCK,
            label="Only the links of",
            optional=True,
            hint="A group or a tag; leave empty for the whole account.",
            element=ExternalDataSelectElement(
                action_id=LINKS_ACTION, placeholder="Search groups and tags", min_query_length=0
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=DIGEST_VIEW,
        title="New digest",
        submit="Create digest",
        close="Cancel",
        blocks=blocks,
    )


@dataclass(frozen=True)
class DigestSubmitted:
    """A submission read: the command, or the problems by block id (never both)."""

    command: DigestAdd | None
    errors: dict[str, str]


def _state(values: dict[str, Any], block_id: str, action_id: str | None = None) -> dict[str, Any]:
    found = values.get(block_id, {})
    state = found.get(action_id or block_id) if isinstance(found, dict) else None
    return state if isinstance(state, dict) else {}


def _selected(values: dict[str, Any], block_id: str, action_id: str | None = None) -> str:
    option = _state(values, block_id, action_id).get("selected_option") or {}
    return str(option.get("value") or "") if isinstance(option, dict) else ""


def _links(value: str) -> DigestLinks | None:
    kind, _, ref = value.partition(":")
    if kind == "group" and ref.isascii() and ref.isdigit():
        return DigestGroup(NameRef(ref))
    return DigestTag(ref.strip()) if kind == "tag" and ref.strip() else None


def read_digest(view: dict[str, Any]) -> DigestSubmitted:
    """The `DigestAdd` the submitted `view` asks for, or what is wrong with it."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    errors: dict[str, str] = {}
    at = read_time(str(_state(values, TIME_BLOCK).get("selected_time") or ""))
    if at is None:
        errors[TIME_BLOCK] = "Pick the time to send it."
    cadence = _selected(values, CADENCE_BLOCK)
    day = _selected(values, WEEKDAY_BLOCK)
    weekday = int(day) if day.isdigit() and int(day) < len(_DAYS) else None
    if cadence not in _CADENCES:
        errors[CADENCE_BLOCK] = "Pick how often: every day, Monday to Friday or once a week."
    elif cadence == "weekly" and weekday is None:
        errors[WEEKDAY_BLOCK] = "A weekly digest needs the day to send it."
    elif cadence != "weekly" and weekday is not None:
        errors[WEEKDAY_BLOCK] = "A day of the week goes with “Once a week”: clear it."
    zone_value = _selected(values, ZONE_BLOCK) or ACCOUNT_ZONE
    zone = None if zone_value == ACCOUNT_ZONE else read_zone(zone_value)
    if zone_value != ACCOUNT_ZONE and zone is None:
        errors[ZONE_BLOCK] = "Pick a time zone from the list."
    channel = str(_state(values, CHANNEL_BLOCK).get("selected_conversation") or "")
    if not channel.startswith(("C", "G")):
        errors[CHANNEL_BLOCK] = "Digests go to a channel: pick one."
    picked = _state(values, REPORTS_BLOCK).get("selected_options") or []
    known = {r.value: r for r in _REPORTS}
    chosen = (
        [o.get("value") for o in picked if isinstance(o, dict)] if isinstance(picked, list) else []
    )
    reports = tuple(dict.fromkeys(known[v] for v in chosen if isinstance(v, str) and v in known))
    if len(reports) > MAX_DIGEST_REPORTS:
        errors[REPORTS_BLOCK] = f"A digest shows up to {MAX_DIGEST_REPORTS} TOP reports."
    links_value = _selected(values, LINKS_BLOCK, LINKS_ACTION)
    links = _links(links_value) if links_value else None
    if links_value and links is None:
        errors[LINKS_BLOCK] = "Pick a group or a tag from the list, or leave it empty."
    if errors or at is None:
        return DigestSubmitted(None, errors)
    kind: Cadence = (
        "weekly" if cadence == "weekly" else "weekdays" if cadence == "weekdays" else "daily"
    )
    command = DigestAdd(at, kind, weekday, zone, ChannelRef(channel), reports, links)
    return DigestSubmitted(command, {})
