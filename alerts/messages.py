"""How alerts look in Slack: Block Kit for every `AlertNotice`, as pure functions.

`render(notice)` is the channel message: the post for FIRING, TEST, OUTAGE and RECOVERED, and
the edited post for UPDATE and RESOLVED (the sender `chat.update`s the original post with it).
`thread_reply(notice)` is the short reply threaded under the post when an episode resolves.
`channel_problem(...)` is the direct message telling a rule's creator that its channel cannot be
posted to. Every message has fallback `text` (notifications, screen readers) and blocks within
Slack's limits, whatever the labels or numbers; rendering needs no database or network.

Buttons on alert posts (action ids for the listeners): `alert_mute_1h`, `alert_mute_1d` and,
when the subject is one link, `alert_show_link`; each value is JSON
`{"rule_id": <int|null>, "link_id": <int|null>}`.
"""

from __future__ import annotations

import json
from datetime import timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from alerts.notice import AlertNotice, NoticeKind
from alerts.wording import back_words, describe, lasted_words, started, when, zone
from messages import (
    Message,
    clock_time,
    context,
    fields,
    fit,
    header,
    number,
    safe_name,
    section,
    sparkline,
    truncate,
)

MUTE_1H_ACTION = "alert_mute_1h"
MUTE_1D_ACTION = "alert_mute_1d"
SHOW_LINK_ACTION = "alert_show_link"
#: Slack cuts notification text long before its 40,000-character limit; keep it readable.
FALLBACK_LIMIT = 3000
SPARKLINE_WIDTH = 48

_HEADLINES = {"spike": "Click spike", "threshold": "Threshold crossed", "drop": "Traffic dropped"}
#: A level shift is news of its own kind, whatever the rule's condition.
_SHIFT_HEADLINES = {"stepped_up": "Clicks stepped up", "stepped_down": "Clicks stepped down"}


def render(notice: AlertNotice) -> Message:
    """The channel message for `notice` (for UPDATE / RESOLVED: the post's new content)."""
    renderers = {
        NoticeKind.FIRING: _firing,
        NoticeKind.UPDATE: _update,
        NoticeKind.RESOLVED: _resolved,
        NoticeKind.TEST: _test,
        NoticeKind.OUTAGE: _outage,
        NoticeKind.RECOVERED: _recovered,
    }
    text, blocks = renderers[notice.kind](notice)
    return _message(text, blocks)


def thread_reply(notice: AlertNotice) -> Message:
    """The reply in the post's thread: for RESOLVED, how long it lasted and where it ended."""
    if notice.kind is not NoticeKind.RESOLVED:
        return render(notice)
    facts = describe(notice)
    label = safe_name(notice.subject_label)
    lasted = lasted_words(timedelta(seconds=facts.lasted_seconds or 0))
    back = back_words(notice) if notice.condition else "the alert is over"
    line = f"✅ Resolved after {lasted}: clicks are {back} on {label}."
    return _message(line, [section(line)])


def channel_problem(*, rule_id: int, subject_label: str, channel: str, error: str) -> Message:
    """The direct message to a rule's creator when its channel refuses alerts (`error` is
    Slack's code: not_in_channel, channel_not_found or is_archived): what happened, and what
    to do about it."""
    where = f"<#{channel}>"
    problem = {
        "not_in_channel": f"I'm not a member of {where}",
        "is_archived": f"{where} is archived",
        "channel_not_found": f"I can't find {where} (deleted, or private and I'm not in it)",
    }.get(error, f"Slack refused the post ({error})")
    fix = {
        "not_in_channel": f"invite @clickbot to {where} (type `/invite @clickbot` there), or ",
        "is_archived": f"unarchive {where}, or ",
    }.get(error, "")
    what = f"rule #{rule_id} ({safe_name(subject_label)})"
    body = (
        f":warning: I couldn't post an alert from {what}: {problem}.\n"
        f"To get its alerts again, {fix}change the rule's channel: "
        f"`/clickmeter alert remove {rule_id}`, then add it again with `to #channel`."
    )
    tail = "I won't repeat this message. Alerts raised until it's fixed can't be delivered."
    return _message(body, [section(body), context(tail)])


# --- one renderer per kind --------------------------------------------------------------------


def _firing(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = f"🚨 {_headline(notice)} on {notice.subject_label}"
    said = _said(notice)
    blocks: list[Block] = [header(title), section(f"*{said}*")]
    blocks += _sparkline(notice, "last hours")
    blocks += fields([("Started", when(started(notice), notice)), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=True)
    blocks.append(_footer(notice))
    return f"{_esc(title)}: {said}", blocks


def _update(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = f"🚨 Still going: {_headline(notice).lower()} on {notice.subject_label}"
    began, said = started(notice), _said(notice)
    blocks: list[Block] = [header(title), section(f"*{said}*")]
    blocks += _sparkline(notice, "peak so far")
    since = f"{when(began, notice)} (for {lasted_words(notice.at - began)})"
    blocks += fields([("Started", since), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=True)
    blocks.append(_footer(notice, f"updated {clock_time(notice.at, zone(notice))}"))
    return f"{_esc(title)}: {said}", blocks


def _resolved(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = f"✅ Resolved: {_headline(notice).lower()} on {notice.subject_label}"
    facts = describe(notice)
    began = facts.since or started(notice)
    span = f"{when(began, notice)} – {when(notice.resolved_at or notice.at, notice)}"
    said = _said(notice)
    seen = f"{number(round(notice.observed))} in {_window(notice.window_seconds)}"
    blocks: list[Block] = [header(title), section(f"*{said}*")]
    blocks += fields([("When", span), ("At the end", seen), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=False)
    blocks.append(_footer(notice))
    return f"{_esc(title)}: {said} ({span}).", blocks


def _test(notice: AlertNotice) -> tuple[str, list[Block]]:
    rule = f"rule #{notice.rule_id}" if notice.rule_id is not None else "this rule"
    title = f"🧪 Test alert: {_headline(notice).lower()} on {notice.subject_label}"
    intro = (
        f"*This is a test.* Nothing happened to your links: this is what an alert from {rule} "
        "looks like, with sample numbers."
    )
    if notice.message:
        intro += f"\n{safe_name(notice.message, 500)}"
    blocks: list[Block] = [header(title), section(intro), section(_said(notice))]
    blocks += _sparkline(notice, "last hours")
    blocks += fields([("Rule", _rule(notice))])
    blocks.append(context("Real alerts also have *Mute 1h*, *Mute 1d* and *Show link stats*."))
    label = safe_name(notice.subject_label)
    return f"🧪 This is a test of {rule} on {label}: nothing happened.", blocks


def _outage(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = "⚠️ Can't read ClickMeter"
    body = (
        safe_name(notice.message, 2000)
        if notice.message
        else (
            "I haven't been able to read your ClickMeter account for a while, so alerts are on "
            "hold. They resume on their own when ClickMeter answers again, without false alarms. "
            "If this lasts, run `/clickmeter check`."
        )
    )
    since = f"since {when(notice.started_at or notice.at, notice)}"
    return f"{title} ({since})", [header(title), section(body), context(since)]


def _recovered(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = "✅ ClickMeter is back"
    body = (
        safe_name(notice.message, 2000)
        if notice.message
        else ("I can read your ClickMeter account again: alerts are running.")
    )
    return f"{title}: alerts are running again.", [
        header(title),
        section(body),
        context(f"back at {when(notice.at, notice)}"),
    ]


# --- parts ---------------------------------------------------------------------------------------


def _headline(notice: AlertNotice) -> str:
    shift = _SHIFT_HEADLINES.get(describe(notice).what) if notice.condition else None
    return shift or _HEADLINES.get(notice.condition or "", "Alert")


def _said(notice: AlertNotice) -> str:
    """What the alert saw (`alerts.wording`), as a sentence: `412 clicks in 15 min, normally
    ~38`, `Clicks stepped up to ~3x normal since 10:40 CET and stayed`."""
    summary = describe(notice).summary
    return safe_name(summary[:1].upper() + summary[1:], 500)


def _window(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "1 day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{max(seconds // 60, 1)} min"


def _rule(notice: AlertNotice) -> str:
    if notice.condition == "threshold" and notice.threshold is not None:
        what = f"clicks > {number(notice.threshold)} per {_window(notice.window_seconds)}"
    elif notice.condition in ("spike", "drop"):
        what = notice.condition + (f" ({notice.sensitivity})" if notice.sensitivity else "")
    else:
        what = "alert"
    ref = f"#{notice.rule_id} · " if notice.rule_id is not None else ""
    return f"{ref}{what}"


def _sparkline(notice: AlertNotice, label: str) -> list[Block]:
    if not notice.recent:
        return []
    peak = number(max(notice.recent))
    return [section(f"`{sparkline(notice.recent, SPARKLINE_WIDTH)}`  {label} · peak {peak}")]


def _buttons(notice: AlertNotice, *, mute: bool) -> list[Block]:
    value = json.dumps({"rule_id": notice.rule_id, "link_id": notice.link_id})
    buttons = []
    if mute and notice.rule_id is not None:
        buttons += [
            ButtonElement(text="Mute 1h", action_id=MUTE_1H_ACTION, value=value),
            ButtonElement(text="Mute 1d", action_id=MUTE_1D_ACTION, value=value),
        ]
    if notice.link_id is not None:
        buttons.append(
            ButtonElement(text="Show link stats", action_id=SHOW_LINK_ACTION, value=value)
        )
    return [ActionsBlock(block_id="alert_actions", elements=buttons)] if buttons else []


def _footer(notice: AlertNotice, extra: str = "") -> Block:
    rule = f"rule #{notice.rule_id}" if notice.rule_id is not None else ""
    return context("clickbot alert", rule, extra)


def _esc(text: str) -> str:
    """A header's plain text made safe for the fallback `text`, which Slack reads as mrkdwn
    (a link label of `<!channel>` must not ping anyone)."""
    return safe_name(text, FALLBACK_LIMIT)


def _message(text: str, blocks: list[Block]) -> Message:
    fallback = truncate(" ".join(text.split()), FALLBACK_LIMIT) or "clickbot alert"
    return Message(fallback, fit(blocks))
