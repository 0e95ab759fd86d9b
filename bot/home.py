"""The App Home tab: the workspace's alerts and digests at a glance (pure; no I/O here).

`home_view(rules, open_episodes, digests, now, zone)` is the view `views.publish` shows one user:
a header, the alerts (what, condition, channel, state: 🔴 firing since / 🔕 muted until /
🟢 ok, with **Mute 1h** or **Unmute**, and **Remove**), the digests (schedule, channel, next
send time in the account's zone, **Remove**), an empty state that teaches the commands, and a
context line with the refresh time. Firing alerts come first, then the rest by id. Whatever
the workspace holds, the view stays within Slack's 100 blocks: what does not fit is counted
in an "… and N more" line pointing at the `list` commands.

An alert whose notices could not be delivered (dead in the outbox) says how many and why
(`undelivered`), with a **Retry** button that requeues them once the cause is fixed.

Buttons carry the rule's or digest's id as their value (see `button_id`); Remove buttons ask
for confirmation first. The tab is published per person: with `may_change` (creator's user id →
whether this person may change that creator's rules), rows they may not change show no buttons,
and `viewer_note` says who can (so nobody is offered a button that only refuses). `notice`
(the outcome of the user's last click) shows under the header.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from alerts.digests.schedule import next_run
from bot.answers.alert_modal import EDIT_ALERT_ACTION, NEW_ALERT_ACTION
from bot.answers.alert_phrasing import EXAMPLE_ADD, condition_text, summary, when
from bot.answers.digest_modal import NEW_DIGEST_ACTION
from bot.answers.digests import describe as describe_digest
from bot.answers.digests import schedule_text
from bot.grammar.alert_clauses import MAX_ID
from messages import clock_time, context, divider, header, plural, section, truncate
from messages.format import truncate_mrkdwn

if TYPE_CHECKING:
    from storage import AlertEpisode, AlertRule
    from storage.models import Digest

HOME_MUTE_1H_ACTION = "home_mute_1h"
HOME_UNMUTE_ACTION = "home_unmute"
HOME_REMOVE_ALERT_ACTION = "home_remove_alert"
HOME_REMOVE_DIGEST_ACTION = "home_remove_digest"
HOME_RETRY_ACTION = "home_retry"
HOME_ACTIONS = (
    HOME_MUTE_1H_ACTION,
    HOME_UNMUTE_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_RETRY_ACTION,
)
#: Why a notice could not be delivered, in the words of whoever can fix it.
_UNDELIVERED_WHY = {
    "not_in_channel": "I'm not in the channel: invite me with `/invite @clickbot`",
    "is_archived": "the channel is archived",
    "channel_not_found": "I can't find the channel (deleted, or private without me)",
    "token_revoked": "my Slack token was revoked: reinstall the app",
    "invalid_auth": "my Slack token is no longer valid: reinstall the app",
    "account_inactive": "my Slack token is no longer valid: reinstall the app",
}
#: The view's callback id: tells the home tab's clicks from any other view's.
CALLBACK_ID = "clickbot_home"
#: Slack's limit on a view's blocks.
VIEW_BLOCK_LIMIT = 100
#: Blocks besides the rows: header, notice, viewer note, New alert, two headings, two "… and N
#: more", two dividers, the footer.
_FIXED_BLOCKS = 11
#: A row (an alert or a digest) is two blocks: its section and its buttons.
_ROW_BLOCKS = 2
_CONFIRM_TEXT_LIMIT = 300

ALERT_LIST = "/clickmeter alert list"
DIGEST_LIST = "/clickmeter digest list"
EXAMPLE_DIGEST = "/clickmeter digest add daily at 09:00 to #marketing"
_HEADER = "📈 ClickMeter alerts & digests"


def button_id(value: object) -> int | None:
    """The rule or digest id a home button carries (None when the value is not one we sent)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    # Ids are the database's integers: a larger number was never ours, and would overflow
    # PostgreSQL's integer on the way in (an error and a traceback, not an answer).
    return number if 0 < number <= MAX_ID else None


@dataclass(frozen=True)
class Undelivered:
    """A rule's notices that could not be delivered: how many, and the latest reason."""

    count: int
    reason: str


def undelivered_by_rule(dead: Iterable[tuple[str | None, int | None]]) -> dict[int, Undelivered]:
    """(reason, rule id) of dead outbox items, newest first, as what each rule shows."""
    found: dict[int, Undelivered] = {}
    for reason, rule_id in dead:
        if rule_id is None:
            continue
        seen = found.get(rule_id)
        latest = seen.reason if seen is not None else (reason or "unknown")
        found[rule_id] = Undelivered((seen.count if seen else 0) + 1, latest)
    return found


def undelivered_text(undelivered: Undelivered) -> str:
    """`⚠️ 2 notices not delivered: I'm not in the channel: invite me ...`."""
    reason = undelivered.reason
    why = _UNDELIVERED_WHY.get(reason)
    if why is None:
        why = "its first post failed" if reason.startswith("depends on") else reason
    return f"⚠️ {plural(undelivered.count, 'notice')} not delivered: {truncate(why, 200)}"


def home_view(
    rules: Sequence[AlertRule],
    open_episodes: Sequence[AlertEpisode],
    digests: Sequence[Digest],
    now: datetime,
    zone: tzinfo,
    *,
    notice: str | None = None,
    undelivered: Mapping[int, Undelivered] | None = None,
    may_change: Callable[[str], bool] | None = None,
    viewer_note: str | None = None,
    may_add: bool = False,
) -> View:
    """The home tab of the workspace whose `rules` (active), `open_episodes` (firing) and
    `digests` (active) are given, as of `now`, with times in `zone` (the account's);
    `undelivered`: rule id → what of it could not be delivered; `may_add`: whether the viewer
    may add alerts (the **New alert** button, opening `bot.answers.alert_modal`)."""
    firing: dict[int, list[AlertEpisode]] = {}
    for episode in open_episodes:
        if episode.state == "firing":
            firing.setdefault(episode.rule_id, []).append(episode)
    ordered = sorted(rules, key=lambda rule: (rule.id not in firing, rule.id))
    slots = (VIEW_BLOCK_LIMIT - _FIXED_BLOCKS) // _ROW_BLOCKS
    shown_rules, shown_digests = _share(len(ordered), len(digests), slots)

    blocks: list[Block] = [header(_HEADER)]
    if notice:
        blocks.append(context(notice))
    allowed = may_change or (lambda _creator: True)
    creators = [rule.created_by for rule in rules] + [digest.created_by for digest in digests]
    if viewer_note and not all(allowed(creator) for creator in creators):
        blocks.append(context(viewer_note))
    if may_add:
        new = ButtonElement(text="New alert", action_id=NEW_ALERT_ACTION, style="primary")
        digest = ButtonElement(text="New digest", action_id=NEW_DIGEST_ACTION)
        blocks.append(ActionsBlock(block_id="home_new", elements=[new, digest]))
    blocks += _alerts(ordered, firing, shown_rules, now, zone, undelivered or {}, allowed)
    blocks.append(divider())
    blocks += _digests(digests, shown_digests, now, zone, allowed)
    blocks.append(divider())
    blocks.append(_footer(now, zone))
    return View(type="home", callback_id=CALLBACK_ID, blocks=blocks)


def no_database_view(now: datetime, zone: tzinfo) -> View:
    """The home tab of a clickbot without a database: what works, and how to get the rest."""
    blocks: list[Block] = [
        header(_HEADER),
        section(
            ":no_bell: Alerts and digests aren't set up on this clickbot: it has no database "
            "to keep them in."
        ),
        section(
            "Everything else works: try `/clickmeter stats 7d`, `/clickmeter top countries` or "
            "`/clickmeter help`."
        ),
        context(
            "Whoever runs clickbot can turn alerts and digests on by setting `DATABASE_URL` "
            "(SQLite by default) and restarting it."
        ),
        _footer(now, zone),
    ]
    return View(type="home", callback_id=CALLBACK_ID, blocks=blocks)


def unavailable_view(now: datetime, zone: tzinfo) -> View:
    """The home tab when the database cannot be read right now."""
    blocks: list[Block] = [
        header(_HEADER),
        section(
            ":warning: I couldn't reach the alert database just now, so I can't show this "
            "workspace's alerts and digests. Open this tab again in a minute."
        ),
        _footer(now, zone),
    ]
    return View(type="home", callback_id=CALLBACK_ID, blocks=blocks)


# --- alerts -------------------------------------------------------------------------------------


def alert_state(
    rule: AlertRule, firing: Sequence[AlertEpisode], now: datetime, zone: tzinfo
) -> str:
    """`🔴 firing since 14:05 CET (3 subjects)`, `🔕 muted until 15:30 CET`, both, or `🟢 ok`."""
    parts = []
    if firing:
        since = min(episode.started_at for episode in firing)
        many = f" ({plural(len(firing), 'subject')})" if len(firing) > 1 else ""
        parts.append(f"🔴 firing since {when(since, now, zone)}{many}")
    if rule.is_muted(now) and rule.muted_until is not None:
        parts.append(f"🔕 muted until {when(rule.muted_until, now, zone)}")
    return " · ".join(parts) or "🟢 ok"


def _alerts(
    rules: Sequence[AlertRule],
    firing: dict[int, list[AlertEpisode]],
    shown: int,
    now: datetime,
    zone: tzinfo,
    undelivered: Mapping[int, Undelivered],
    allowed: Callable[[str], bool],
) -> list[Block]:
    if not rules:
        return [
            section("*🔔 Alerts*"),
            section(
                "No alerts in this workspace yet. Get told when a link spikes, drops or "
                f"passes a number of clicks:\n`{EXAMPLE_ADD}`\n"
                "`/clickmeter alert add account clicks > 500 per 1h to #marketing`"
            ),
            context("Every kind of alert: `/clickmeter help alert`"),
        ]
    on_fire = sum(1 for rule in rules if rule.id in firing)
    muted = sum(1 for rule in rules if rule.is_muted(now))
    counts = [plural(len(rules), "alert")]
    if on_fire:
        counts.append(f"{on_fire:,} firing")
    if muted:
        counts.append(f"{muted:,} muted")
    blocks: list[Block] = [section("*🔔 Alerts* · " + " · ".join(counts))]
    for rule in rules[:shown]:
        row = _alert_row(rule, firing.get(rule.id, []), now, zone, undelivered.get(rule.id))
        blocks += row if allowed(rule.created_by) else row[:1]
    hidden = len(rules) - shown
    if hidden > 0:
        blocks.append(context(f"… and {hidden:,} more, see `{ALERT_LIST}`"))
    return blocks


def _alert_row(
    rule: AlertRule,
    firing: Sequence[AlertEpisode],
    now: datetime,
    zone: tzinfo,
    undelivered: Undelivered | None = None,
) -> list[Block]:
    value = str(rule.id)
    text = f"*#{rule.id}* {summary(rule)}\n{alert_state(rule, firing, now, zone)}"
    if undelivered is not None:
        text += "\n" + undelivered_text(undelivered)
    if rule.is_muted(now):
        toggle = ButtonElement(text="Unmute", action_id=HOME_UNMUTE_ACTION, value=value)
    else:
        toggle = ButtonElement(
            text="Mute 1h",
            action_id=HOME_MUTE_1H_ACTION,
            value=value,
            style="primary" if firing else None,
        )
    what = f"{condition_text(rule)} on {truncate(rule.scope_label, 80)}"
    remove = ButtonElement(
        text="Remove",
        action_id=HOME_REMOVE_ALERT_ACTION,
        value=value,
        style="danger",
        confirm=_confirm(f"Remove alert #{rule.id}?", f"{what}. It won't alert again."),
    )
    edit = ButtonElement(text="Edit", action_id=EDIT_ALERT_ACTION, value=value)
    buttons = [toggle, edit, remove]
    if undelivered is not None:
        buttons.insert(1, ButtonElement(text="Retry", action_id=HOME_RETRY_ACTION, value=value))
    return [
        SectionBlock(block_id=f"alert_{rule.id}", text=_mrkdwn(text)),
        ActionsBlock(block_id=f"alert_{rule.id}_actions", elements=buttons),
    ]


# --- digests ------------------------------------------------------------------------------------


def next_send(digest: Digest, now: datetime) -> datetime:
    """When the digest goes out next: the runner's record while it is ahead of `now`, else the
    schedule's next occurrence (a digest made before `next_run_at` existed, or a worker
    that is behind)."""
    stored = digest.next_run_at
    if stored is not None and stored > now:
        return stored
    return next_run(digest, now)


def _digests(
    digests: Sequence[Digest],
    shown: int,
    now: datetime,
    zone: tzinfo,
    allowed: Callable[[str], bool],
) -> list[Block]:
    if not digests:
        return [
            section("*🌅 Digests*"),
            section(
                "No digests yet. Get yesterday's clicks, top links and movers in a channel "
                f"every morning:\n`{EXAMPLE_DIGEST}`"
            ),
            context("Weekdays only, weekly, other reports: `/clickmeter help digest`"),
        ]
    blocks: list[Block] = [section(f"*🌅 Digests* · {plural(len(digests), 'digest')}")]
    for digest in digests[:shown]:
        row = _digest_row(digest, now, zone)
        blocks += row if allowed(digest.created_by) else row[:1]
    hidden = len(digests) - shown
    if hidden > 0:
        blocks.append(context(f"… and {hidden:,} more, see `{DIGEST_LIST}`"))
    return blocks


def _digest_row(digest: Digest, now: datetime, zone: tzinfo) -> list[Block]:
    try:
        upcoming = f"Next: {when(next_send(digest, now), now, zone)}"
    except (ValueError, RuntimeError):  # a schedule the trigger cannot read
        upcoming = "Next: not scheduled"
    text = f"{describe_digest(digest)}\n{upcoming}"
    remove = ButtonElement(
        text="Remove",
        action_id=HOME_REMOVE_DIGEST_ACTION,
        value=str(digest.id),
        style="danger",
        confirm=_confirm(
            f"Remove digest #{digest.id}?", f"{schedule_text(digest)}. It won't be sent again."
        ),
    )
    return [
        SectionBlock(block_id=f"digest_{digest.id}", text=_mrkdwn(text)),
        ActionsBlock(block_id=f"digest_{digest.id}_actions", elements=[remove]),
    ]


# --- shared -------------------------------------------------------------------------------------


def _share(alerts: int, digests: int, slots: int) -> tuple[int, int]:
    """How many alerts and digests to show in `slots` rows: all when they fit; else digests
    keep at least a quarter of the rows (or what they need), and alerts get the rest."""
    if alerts + digests <= slots:
        return alerts, digests
    shown_digests = min(digests, max(slots - alerts, slots // 4))
    shown_alerts = min(alerts, slots - shown_digests)
    return shown_alerts, min(digests, slots - shown_alerts)


def _confirm(title: str, text: str) -> ConfirmObject:
    """A Remove button's dialog; plain text (Slack shows it literally: no mentions there)."""
    return ConfirmObject(
        title=PlainTextObject(text=truncate(title, 100)),
        text=PlainTextObject(text=truncate(text, _CONFIRM_TEXT_LIMIT)),
        confirm=PlainTextObject(text="Remove"),
        deny=PlainTextObject(text="Keep it"),
        style="danger",
    )


def _mrkdwn(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=truncate_mrkdwn(text, 3000))


def _footer(now: datetime, zone: tzinfo) -> Block:
    name = getattr(zone, "key", None) or clock_time(now, zone).split(" ")[-1]
    return context(
        f"Updated {when(now, now, zone)} · times in {name} · open this tab again to refresh",
        "`/clickmeter help`",
    )
