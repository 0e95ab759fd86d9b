"""Numbers, spans and ratios in a marketer's words: `1,234`, `1.2M`, `~38`, `an hour`, `~3x`.

Pure functions for alerts (and anything else that describes traffic), so a count, a "normally
about", an interval and a ratio read the same everywhere, from 3 clicks a day to millions.
"""

from __future__ import annotations

import math

MINUTE = 60
HOUR = 3600
DAY = 86400

_SUFFIXES = ((1e9, "B"), (1e6, "M"))
#: Shares of normal a reader pictures at once, for a drop (most familiar first on ties).
_FRACTIONS = (
    (2 / 3, "about two thirds"),
    (1 / 2, "about half"),
    (1 / 3, "about a third"),
    (1 / 4, "about a quarter"),
    (1 / 5, "about a fifth"),
)


def count(value: float) -> str:
    """An exact count: `412`, `1,234`, `123,456`; from a million on, `1.2M`, `12.3M`, `3.4B`."""
    value = round(value)
    for size, suffix in _SUFFIXES:
        if abs(value) >= size:
            return _short(value / size) + suffix
    return f"{value:,}"


def approx(value: float) -> str:
    """A typical value, rounded so it claims no false precision: `~0.4`, `~3`, `~3.5`, `~38`,
    `~410`, `~1,200`, `~46,000`, `~1.2M` (two significant figures from 100 on)."""
    if value <= 0:
        return "0"
    if value < 0.1:
        return "<0.1"
    if value < 10:
        return "~" + _short(value)
    if value < 100:
        return f"~{round(value)}"
    rounded = _significant(value, 2)
    return "~" + count(rounded) if rounded < 1e6 else "~" + _short_big(rounded)


def span(seconds: float) -> str:
    """A length of time: `5 min`, `1 hour`, `2 hours`, `2 h 30 min`, `1 day`, `1 day 12 h`."""
    days, hours, mins = _days_hours_minutes(max(1, round(seconds / MINUTE)))
    if days:
        return _days(days, hours)
    if hours and mins:
        return f"{hours} h {mins} min"
    if hours:
        return f"{hours} hour{'s' if hours > 1 else ''}"
    return f"{mins} min"


def duration(seconds: float) -> str:
    """How long something went on: `42 min`, `2 h 5 min`, `3 days 4 h`; under a minute,
    `less than a minute` (whole minutes rounded down: it had not yet lasted the next one)."""
    minutes = int(max(seconds, 0) // MINUTE)
    if minutes < 1:
        return "less than a minute"
    days, hours, mins = _days_hours_minutes(minutes)
    if days:
        return _days(days, hours)
    if hours:
        return f"{hours} h" + (f" {mins} min" if mins else "")
    return f"{mins} min"


def in_span(seconds: float) -> str:
    """Where a count was seen: `in 15 min`, `in the last hour`, `in the last 2 hours`."""
    if seconds < HOUR - MINUTE / 2:
        return f"in {span(seconds)}"
    if abs(seconds - HOUR) < MINUTE / 2:
        return "in the last hour"
    if abs(seconds - DAY) < MINUTE / 2:
        return "in the last day"
    return f"in the last {span(seconds)}"


def rate_unit(window_seconds: float, interval_seconds: float | None = None) -> tuple[float, str]:
    """The unit a rate over `window_seconds` reads best in, as (seconds, words): `a day` for
    daily intervals or windows of two days or more, `an hour` for hourly intervals or windows of
    an hour or more, else the window itself (`in 15 min`)."""
    interval = interval_seconds or window_seconds
    if interval >= DAY - 1 or window_seconds >= 2 * DAY:
        return float(DAY), "a day"
    if interval >= HOUR - 1 or window_seconds >= HOUR - 1:
        return float(HOUR), "an hour"
    return float(window_seconds), f"in {span(window_seconds)}"


def rate(total: float, window_seconds: float, interval_seconds: float | None = None) -> str:
    """`total` clicks over `window_seconds` as a typical rate: `~40 an hour`, `~1,200 a day`,
    `~12 in 15 min`."""
    unit, words = rate_unit(window_seconds, interval_seconds)
    per_unit = total * unit / window_seconds if window_seconds > 0 else total
    return f"{approx(per_unit)} {words}"


def times(ratio: float) -> str:
    """A ratio above normal: `~1.5x`, `~3x`, `~12x`, `~1,200x`."""
    if ratio < 10:
        return f"~{_short(ratio)}x"
    return f"{approx(ratio)}x" if ratio >= 100 else f"~{round(ratio)}x"


def share_of_normal(ratio: float) -> str:
    """A ratio below normal in words: `about half`, `about a third`, `about 15%`, `under 5%`."""
    if ratio < 0.05:
        return "under 5%"
    for value, words in _FRACTIONS:
        if abs(ratio - value) <= 0.12 * value:
            return words
    return f"about {5 * round(ratio * 20)}%"


def _days_hours_minutes(minutes: int) -> tuple[int, int, int]:
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return days, hours, mins


def _days(days: int, hours: int) -> str:
    return f"{days} day{'s' if days > 1 else ''}" + (f" {hours} h" if hours else "")


def _short(value: float) -> str:
    """One decimal at most, none when it is zero: 3.0 -> `3`, 3.46 -> `3.5`, 12.04 -> `12`."""
    text = f"{value:,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short_big(value: float) -> str:
    for size, suffix in _SUFFIXES:
        if value >= size:
            return _short(value / size) + suffix
    return count(value)


def _significant(value: float, digits: int) -> float:
    exponent = math.floor(math.log10(value)) - digits + 1
    return float(round(value / 10**exponent) * 10**exponent)
