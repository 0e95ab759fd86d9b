"""Timeframes as users type them (`7d`, `last-month`, `2026-11-01..2026-11-15`) -> `Period`s.

Pure: no clock is read, so a range may lie in the future; callers that care compare it with the
account's "today" themselves.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date

from bot.grammar.suggest import code
from clickmeter import Period, Timeframe
from messages.format import MONTHS, range_label

#: The longest custom range accepted, in days (both ends included). ClickMeter publishes no
#: limit for `custom`; its longest rolling window is a year (`last12months`, or `lastyear` in a
#: leap year), so we stop there: it also catches typos like `2026-01-01..2062-01-01`.
MAX_RANGE_DAYS = 366

#: Example shown whenever a range is mistyped.
RANGE_EXAMPLE = "2026-11-01..2026-11-15"


@dataclass(frozen=True, slots=True)
class UserTimeframe:
    """A period to ask ClickMeter for, with the words to show the user.

    `label` is lower-case display text ("last 7 days", or "Nov 1 - Nov 15, 2026" with an en
    dash); `typed` is the token as the user wrote it, or None when the subcommand's default
    applied. Two timeframes are equal when their periods are (`7d` == `last7` == the default).
    """

    period: Period
    label: str = field(compare=False)
    typed: str | None = field(default=None, compare=False)

    @property
    def is_default(self) -> bool:
        return self.typed is None


class TimeframeError(ValueError):
    """A token shaped like a date range that is not a valid one.

    `problem` is a user-facing sentence; `replacement`, when set, is a corrected token
    (a reversed range swapped back).
    """

    def __init__(self, problem: str, replacement: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.replacement = replacement


#: Every word users may type for a named timeframe (lower case) -> (ClickMeter name, label).
TIMEFRAME_WORDS: dict[str, tuple[Timeframe, str]] = {
    "today": (Timeframe.TODAY, "today"),
    "yesterday": (Timeframe.YESTERDAY, "yesterday"),
    "7d": (Timeframe.LAST7, "last 7 days"),
    "last7": (Timeframe.LAST7, "last 7 days"),
    "30d": (Timeframe.LAST30, "last 30 days"),
    "last30": (Timeframe.LAST30, "last 30 days"),
    "90d": (Timeframe.LAST90, "last 90 days"),
    "last90": (Timeframe.LAST90, "last 90 days"),
    "this-month": (Timeframe.CURRENT_MONTH, "this month"),
    "last-month": (Timeframe.PREVIOUS_MONTH, "last month"),
    "this-year": (Timeframe.CURRENT_YEAR, "this year"),
    "all": (Timeframe.BEGINNING, "all time"),
}

#: Phrasings we do not accept but can confidently point to an accepted word (for "did you mean").
TIMEFRAME_SYNONYMS: dict[str, str] = {
    "week": "7d",
    "lastweek": "7d",
    "7days": "7d",
    "last7days": "7d",
    "last30days": "30d",
    "last90days": "90d",
    "month": "30d",
    "30days": "30d",
    "thismonth": "this-month",
    "currentmonth": "this-month",
    "lastmonth": "last-month",
    "previousmonth": "last-month",
    "thisyear": "this-year",
    "currentyear": "this-year",
    "year": "this-year",
    "alltime": "all",
    "ever": "all",
    "beginning": "all",
    "90days": "90d",
    "quarter": "90d",
}

DEFAULT_TIMEFRAME = UserTimeframe(Period(Timeframe.LAST7), "last 7 days")

# Anything starting like an ISO day is meant as a day or range, so it gets a precise error rather
# than being read as a name; `2026-11-01-newsletter` (a plausible link name) does not match.
_DATEISH = re.compile(r"\d{4}-\d{1,2}(?:-\d{1,2})?(?:(?:\.{2,3}|[…–—]).*)?", re.DOTALL)
_DAY = r"(\d{4})-(\d{2})-(\d{2})"
# Editors turn `...` into `…` and some users reach for a dash; all mean "through".
_RANGE = re.compile(_DAY + r"(?:\.{2,3}|[…–—])" + _DAY)
_SINGLE = re.compile(_DAY)


def is_timeframe_word(word: str) -> bool:
    return word.casefold() in TIMEFRAME_WORDS


def looks_like_dates(token: str) -> bool:
    """True when `token` is shaped like an ISO day or a range of them, valid or not."""
    return _DATEISH.fullmatch(token) is not None


def parse_timeframe(token: str) -> UserTimeframe | None:
    """The timeframe `token` names, or None when it is not meant as one.

    A named word (case-blind), an ISO day `2026-11-01` (that one day), or an inclusive range
    `2026-11-01..2026-11-15`. Raises TimeframeError for a token shaped like days that is not a
    valid range (bad shape, no such day, reversed, longer than MAX_RANGE_DAYS).
    """
    named = TIMEFRAME_WORDS.get(token.casefold())
    if named is not None:
        return UserTimeframe(Period(named[0]), named[1], token)
    if not looks_like_dates(token):
        return None
    if single := _SINGLE.fullmatch(token):
        day = _to_day(token, *single.groups())
        return UserTimeframe(Period.custom(day, day), range_label(day, day), token)
    match = _RANGE.fullmatch(token)
    if match is None:
        raise TimeframeError(
            f"{code(token)} isn't a date range I can read: write two days as YYYY-MM-DD joined by "
            f"`..`, like `{RANGE_EXAMPLE}`."
        )
    groups = match.groups()
    first = _to_day(token, *groups[:3])
    last = _to_day(token, *groups[3:])
    if first > last:
        swapped = f"{format_day(last)}..{format_day(first)}"
        raise TimeframeError(
            f"{code(token)} ends before it starts: put the earlier day first, like `{swapped}`.",
            replacement=swapped,
        )
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise TimeframeError(
            f"{code(token)} covers {days:,} days; a range can cover at most {MAX_RANGE_DAYS}. "
            f"Use a shorter range or `all` for everything."
        )
    return UserTimeframe(Period.custom(first, last), range_label(first, last), token)


def join_days(first: UserTimeframe, last: UserTimeframe) -> str | None:
    """`2026-11-01..2026-11-15` when both are single custom days (in either order), else None."""
    days = sorted(
        tf.period.from_day
        for tf in (first, last)
        if tf.period.from_day is not None and tf.period.from_day == tf.period.to_day
    )
    return f"{format_day(days[0])}..{format_day(days[1])}" if len(days) == 2 else None


def _to_day(token: str, year: str, month: str, day: str) -> date:
    y, m, d = int(year), int(month), int(day)
    if y == 0:
        raise TimeframeError(f"{code(token)}: there is no year 0000, try `{RANGE_EXAMPLE}`.")
    if not 1 <= m <= 12:
        raise TimeframeError(
            f"{code(token)}: there is no month {m}; months run 01 to 12, like `{RANGE_EXAMPLE}`."
        )
    last_day = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last_day:
        raise TimeframeError(
            f"{code(token)}: {MONTHS[m - 1]} {y} has no day {d} (it has {last_day} days)."
        )
    return date(y, m, d)


def format_day(day: date) -> str:
    """`2026-11-01`: the form users type and this module reads."""
    return day.isoformat()
