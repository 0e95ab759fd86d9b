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
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from alerts.notice import AlertNotice, NoticeKind
from messages import (
    MINUS,
    Message,
    clock_time,
    context,
    fields,
    fit,
    header,
    number,
    safe_name,
    section,
    short_datetime,
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
_BACK_TO_NORMAL = {
    "spike": "clicks are back to normal",
    "threshold": "clicks are back under the threshold",
    "drop": "traffic is flowing again",
}


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
    label = safe_name(notice.subject_label)
    back = _BACK_TO_NORMAL.get(notice.condition or "", "the alert is over")
    lasted = _duration(_started(notice), notice.resolved_at or notice.at)
    line = f"✅ Resolved after {lasted}: {back} on {label} — {_count_line(notice, short=True)}."
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
    blocks: list[Block] = [header(title), section(f"*{_count_line(notice)}*")]
    blocks += _sparkline(notice, "last hours")
    blocks += fields([("Started", _when(_started(notice), notice)), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=True)
    blocks.append(_footer(notice))
    return f"{_esc(title)}: {_count_line(notice, short=True)}", blocks


def _update(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = f"🚨 Still going: {_headline(notice).lower()} on {notice.subject_label}"
    started = _started(notice)
    blocks: list[Block] = [header(title), section(f"*{_count_line(notice)}*")]
    blocks += _sparkline(notice, "peak so far")
    since = f"{_when(started, notice)} (for {_duration(started, notice.at)})"
    blocks += fields([("Started", since), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=True)
    blocks.append(_footer(notice, f"updated {clock_time(notice.at, _zone(notice))}"))
    return f"{_esc(title)}: {_count_line(notice, short=True)}", blocks


def _resolved(notice: AlertNotice) -> tuple[str, list[Block]]:
    title = f"✅ Resolved: {_headline(notice).lower()} on {notice.subject_label}"
    started, ended = _started(notice), notice.resolved_at or notice.at
    span = f"{_when(started, notice)} – {_when(ended, notice)}"
    lasted = f"Lasted {_duration(started, ended)}: {span}"
    blocks: list[Block] = [header(title), section(f"*{lasted}*")]
    blocks += fields([("At the end", _count_line(notice, short=True)), ("Rule", _rule(notice))])
    blocks += _buttons(notice, mute=False)
    blocks.append(_footer(notice))
    return f"{_esc(title)}. {lasted}.", blocks


def _test(notice: AlertNotice) -> tuple[str, list[Block]]:
    rule = f"rule #{notice.rule_id}" if notice.rule_id is not None else "this rule"
    title = f"🧪 Test alert: {_headline(notice).lower()} on {notice.subject_label}"
    intro = (
        f"*This is a test.* Nothing happened to your links: this is what an alert from {rule} "
        "looks like, with sample numbers."
    )
    if notice.message:
        intro += f"\n{safe_name(notice.message, 500)}"
    blocks: list[Block] = [header(title), section(intro), section(_count_line(notice))]
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
    since = f"since {_when(notice.started_at or notice.at, notice)}"
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
        context(f"back at {_when(notice.at, notice)}"),
    ]


# --- parts ---------------------------------------------------------------------------------------


def _headline(notice: AlertNotice) -> str:
    return _HEADLINES.get(notice.condition or "", "Alert")


def _count_line(notice: AlertNotice, *, short: bool = False) -> str:
    """`412 clicks in 15 min · normally ~40 (10.3x)`; thresholds also name the threshold."""
    count = f"{number(round(notice.observed))} clicks in {_window(notice.window_seconds)}"
    normal = f"normally ~{_about(notice.expected)}"
    if notice.expected > 0:
        if notice.condition == "drop":
            below = round((1 - notice.observed / notice.expected) * 100)
            normal += f" ({MINUS}{below}%)" if below > 0 else ""
        else:
            normal += f" ({notice.observed / notice.expected:,.1f}×)"
    parts = [count]
    if notice.condition == "threshold" and notice.threshold is not None:
        parts.append(f"threshold {number(notice.threshold)}")
    if not short or notice.condition != "threshold":
        parts.append(normal)
    return " · ".join(parts)


def _about(value: float) -> str:
    return number(round(value, 1) if value < 10 else round(value))


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


def _zone(notice: AlertNotice) -> ZoneInfo:
    try:
        return ZoneInfo(notice.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")  # a bad zone name must not stop the alert


def _started(notice: AlertNotice) -> datetime:
    return notice.started_at or notice.at


def _when(moment: datetime, notice: AlertNotice) -> str:
    """`14:05 CET` on the notice's own day, else `Mar 18 14:05 CET`."""
    zone = _zone(notice)
    if moment.astimezone(zone).date() == notice.at.astimezone(zone).date():
        return clock_time(moment, zone)
    return f"{short_datetime(moment, zone)} {moment.astimezone(zone).tzname() or ''}".strip()


def _duration(start: datetime, end: datetime) -> str:
    """`42 min`, `2 h 5 min`, `3 days 4 h`; under a minute is `less than a minute`."""
    minutes = int(max(end - start, timedelta(0)).total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def _esc(text: str) -> str:
    """A header's plain text made safe for the fallback `text`, which Slack reads as mrkdwn
    (a link label of `<!channel>` must not ping anyone)."""
    return safe_name(text, FALLBACK_LIMIT)


def _message(text: str, blocks: list[Block]) -> Message:
    fallback = truncate(" ".join(text.split()), FALLBACK_LIMIT) or "clickbot alert"
    return Message(fallback, fit(blocks))
