"""The words that describe an alert rule, shared by the answers, App Home and the buttons:
its condition (`clicks > 100 per 1h`), what it watches and where it posts, its state (firing,
muted), and times said the way a person reads them (`15:00 CET`, `Mar 19 15:00 CET`).

Slack mrkdwn throughout: user text in it is escaped and shortened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, NoReturn

from bot.answers.stored import refuse
from bot.grammar import WINDOWS
from messages import clock_time, number, safe_name, short_datetime

if TYPE_CHECKING:
    from storage import AlertEpisode, AlertRule

LIST_HINT = "See `/clickmeter alert list` for this workspace's alerts."
EXAMPLE_ADD = "/clickmeter alert add link spring-sale spike"


def when(at: datetime, now: datetime, zone: tzinfo) -> str:
    """`15:00 CET` on the same local day as `now`, else `Mar 19 15:00 CET`."""
    if at.astimezone(zone).date() == now.astimezone(zone).date():
        return clock_time(at, zone)
    return f"{short_datetime(at, zone)} {at.astimezone(zone).tzname() or ''}".strip()


def no_alert(alert_id: int) -> NoReturn:
    refuse(f":mag: There's no alert #{alert_id} in this workspace.", LIST_HINT)


def condition_text(rule: AlertRule) -> str:
    """`clicks > 100 per 1h`, `spike (medium)`, `drop (high)`."""
    if rule.condition == "threshold":
        window = WINDOWS.get(rule.window_seconds or 0, f"{rule.window_seconds}s")
        return f"clicks > {number(rule.threshold or 0)} per {window}"
    return f"{rule.condition} ({rule.sensitivity or 'medium'})"


def summary(rule: AlertRule) -> str:
    """`spike (medium) on *spring-sale* → #marketing` as mrkdwn (the channel a mention)."""
    label = safe_name(rule.scope_label, 80)
    return f"{condition_text(rule)} on *{label}* → <#{rule.channel_id}>"


def describe(rule: AlertRule) -> str:
    """`#12: spike (medium) on *spring-sale* → #marketing` as mrkdwn."""
    return f"#{rule.id}: {summary(rule)}"


def rule_state(rule: AlertRule, firing: Sequence[AlertEpisode], now: datetime, zone: tzinfo) -> str:
    """`🔕 muted until 15:00 CET · 🔴 firing since 14:05 CET`, either one, or `🟢 ok`."""
    parts = []
    if rule.muted_until is not None and rule.muted_until > now:
        parts.append(f"🔕 muted until {when(rule.muted_until, now, zone)}")
    if firing:
        since = min(e.started_at for e in firing)
        parts.append(f"🔴 firing since {when(since, now, zone)}")
    return " · ".join(parts) or "🟢 ok"


def chunks(lines: Sequence[str], limit: int = 2900) -> list[str]:
    """`lines` joined into texts of at most `limit` characters (a line is never split)."""
    parts: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if parts[-1] and size + len(line) + 1 > limit:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += len(line) + 1
    return ["\n".join(part) for part in parts if part]
