"""Text formatting for Slack answers: numbers, changes, shares, sparklines, escaping, dates.

Pure functions shared by command answers, alerts and digests, so every message writes a number
or a date the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, tzinfo

#: A real minus sign: a hyphen reads as a dash next to numbers in Slack's font.
MINUS = "−"
ELLIPSIS = "…"
#: Shown where a value cannot be computed (a share of nothing, no change from nothing).
NONE = "—"
BARS = "▁▂▃▄▅▆▇█"


def escape(text: str) -> str:
    """`text` rendered literally in mrkdwn: Slack's three control characters escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe_name(text: str, limit: int = 80) -> str:
    """A name from ClickMeter or a user, for mrkdwn: shortened, escaped, and with backticks
    made quotes, since a stray one (or a ``` fence) would restyle the rest of the message."""
    return escape(truncate(text.replace("`", "'"), limit))


def truncate(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending with "…" when cut."""
    if limit <= 0:
        return ""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def truncate_mrkdwn(text: str, limit: int) -> str:
    """Like `truncate`, for escaped mrkdwn: never leaves half an `&amp;` or an open code block."""
    if len(text) <= limit:
        return text
    cut = text[: max(limit - 5, 0)]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]  # half an entity would show as stray text
    cut = cut.rstrip() + ELLIPSIS
    if cut.count("```") % 2:
        cut += "\n```"  # an unclosed fence would swallow everything after it
    return cut


def number(value: float) -> str:
    """`1,234`; a non-whole float keeps one decimal (`1,234.5`)."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".replace("-", MINUS)
    return f"{int(value):,}".replace("-", MINUS)


def money(value: float) -> str:
    """`1,234.50`: ClickMeter's conversion values carry no currency, so none is shown."""
    return f"{value:,.2f}".replace("-", MINUS)


def percent(ratio: float) -> str:
    """A ratio as a percentage with one decimal: 0.125 -> `12.5%`."""
    return f"{ratio * 100:,.1f}%".replace("-", MINUS)


def share(part: float, total: float) -> str:
    """`part` as a share of `total` (`34.5%`); `—` when the total is 0."""
    return percent(part / total) if total > 0 else NONE


def delta(current: float, previous: float) -> str:
    """The change from `previous` to `current`: `+12.5%`, `-3.0%` (a real minus sign),
    `±0.0%`, `new` (from 0) or `—` (both 0)."""
    if previous == 0:
        return NONE if current == 0 else "new"
    change = round((current - previous) / abs(previous) * 100, 1)
    if change == 0:
        return "±0.0%"
    sign = "+" if change > 0 else MINUS
    return f"{sign}{abs(change):,.1f}%"


def downsample(values: Sequence[float], width: int) -> list[float]:
    """`values` summed into at most `width` consecutive buckets (order kept)."""
    if width <= 0:
        return []
    if len(values) <= width:
        return list(values)
    size = math.ceil(len(values) / width)
    return [sum(values[i : i + size]) for i in range(0, len(values), size)]


def sparkline(values: Sequence[float], width: int = 60) -> str:
    """`▁▃█▅`: each value scaled against the largest. Zero is the lowest bar and any positive
    value shows at least the second, so a quiet day never looks like a dead one."""
    points = downsample(values, width)
    peak = max(points, default=0)
    if peak <= 0:
        return BARS[0] * len(points)
    top = len(BARS) - 1
    out = []
    for value in points:
        level = round(max(value, 0) / peak * top)
        out.append(BARS[max(level, 1) if value > 0 else 0])
    return "".join(out)


def days_label(first: date, last: date) -> str:
    """`Nov 20 - Nov 26, 2026` with an en dash (one day: `Nov 26, 2026`), as help writes it."""
    return range_label(first, last)


def clock_time(moment: datetime, zone: tzinfo) -> str:
    """`14:05 CET`: a time of day in `zone`, with the zone's abbreviation."""
    local = moment.astimezone(zone)
    return f"{local:%H:%M} {local.tzname() or ''}".strip()


def short_datetime(moment: datetime, zone: tzinfo) -> str:
    """`Mar 18 14:28` in `zone` (for hit lists, where the year is obvious)."""
    local = moment.astimezone(zone)
    return f"{local:%b} {local.day} {local:%H:%M}"


def as_of(moment: datetime, zone: tzinfo) -> str:
    """`data as of 14:05 CET`."""
    return f"data as of {clock_time(moment, zone)}"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 link`, `2 links`, `1,234 links`."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def range_label(first: date, last: date) -> str:
    """Display text: "Nov 1, 2026", "Nov 1 - Nov 15, 2026", "Dec 20, 2025 - Jan 5, 2026".

    The separator is an en dash with spaces around it.
    """

    def short(day: date) -> str:
        return f"{MONTHS[day.month - 1]} {day.day}"

    if first == last:
        return f"{short(first)}, {first.year}"
    if first.year == last.year:
        return f"{short(first)} – {short(last)}, {last.year}"
    return f"{short(first)}, {first.year} – {short(last)}, {last.year}"
