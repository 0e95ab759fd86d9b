"""Phrasings that need the clock (`in november`, `last 14 days`, `since monday`, `last week`)
-> the grammar's timeframe for them on the account's day `today`.

Pure: `today` is passed in (the account's local day), never read. What comes out is a grammar
word where one says exactly this (`this-month`, `last-month`, `7d`, `yesterday`), else
a range of days `2026-11-02..2026-11-08`, which the grammar reads as it is.

How the phrases are read, with weeks starting on Monday (ISO):
- a month, alone or after `in`/`during`/`this` (`in november`, `nov`): the latest such month
  that has begun, so in December `november` is last month and in March it is last year's;
  `last november` is the latest one that has ended (in November: a year ago); with a year
  (`november 2025`) that very month. `may` counts only with a word or a year that makes it one.
- `last N days` / `past N weeks` / `last N months` (N in digits or words, up to a year): the
  N days (or months) to today; `past year` the twelve months to today, `last year` the
  calendar year before this one.
- `since monday` / `since yesterday` / `since november`: from that day to today.
- `this week`: Monday to today; `last week` / `previous week`: last Monday to Sunday.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from bot.grammar.timeframes import MAX_RANGE_DAYS
from bot.words.pieces import Piece
from bot.words.vocabulary import TIMEFRAME_PHRASES

MONTHS: dict[str, int] = {
    **{name.casefold(): number for number, name in enumerate(calendar.month_name) if name},
    **{name.casefold(): number for number, name in enumerate(calendar.month_abbr) if name},
    "sept": 9,
}
WEEKDAYS: dict[str, int] = {
    **{name.casefold(): number for number, name in enumerate(calendar.day_name)},
    **{name.casefold(): number for number, name in enumerate(calendar.day_abbr)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
NUMBER_WORDS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
}
_UNITS = {"day": 1, "days": 1, "week": 7, "weeks": 7}
_LAST = frozenset({"last", "past", "previous"})
#: Words before a month that say it is meant as one (`in may`, not "may I see").
_MONTH_CUES = frozenset({"in", "during", "for", "this", "last", "previous", "since", "of"})
#: The grammar's words for rolling windows of days ending today.
_ROLLING = {7: "7d", 30: "30d", 90: "90d"}


def claim_dates(found: list[Piece], today: date) -> str | None:
    """Claim the first phrase of `found` that needs the clock as a timeframe; its grammar
    timeframe, or None when there is none."""
    for start in range(len(found)):
        span = found[start : start + 4]
        words = [p.key if p.free and not p.quoted else "" for p in span]
        before = found[start - 1].key if start else ""
        read = _read(words, before, today)
        if read is not None:
            length, timeframe = read
            for piece in span[:length]:
                piece.claim = "timeframe:" + timeframe
            return timeframe
    return None


def _read(words: list[str], before: str, today: date) -> tuple[int, str] | None:
    """(how many of `words` make the phrase, its timeframe), if they start one."""
    first, *rest = words
    second = rest[0] if rest else ""
    if first == "since" and rest:
        return _since(rest, today)
    if second == "week" and first in ("this", "last", "previous"):
        monday = today - timedelta(days=today.weekday())
        if first == "this":
            return 2, days(monday, today, today)
        return 2, days(monday - timedelta(days=7), monday - timedelta(days=1), today)
    if second == "year" and first in ("last", "previous"):
        return 2, days(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31), today)
    if second == "year" and first == "past":
        return 2, _since_months(12, today)
    if first in _LAST and len(words) >= 3 and " ".join(words[:3]) not in TIMEFRAME_PHRASES:
        count = _number(second)
        unit = _UNITS.get(words[2])
        if count is not None and unit is not None and 1 <= count * unit <= MAX_RANGE_DAYS:
            return 3, _rolling(count * unit, today)
        if count is not None and words[2] in ("month", "months") and 1 <= count <= 12:
            return 3, _since_months(count, today)
    if first in ("last", "previous") and second in MONTHS:
        year = _year(rest[1:2])
        month = _month(MONTHS[second], year, today, ended=year is None)
        return (3 if year else 2), month
    if first in MONTHS and (first != "may" or before in _MONTH_CUES or _year(rest[:1])):
        year = _year(rest[:1])
        return (2 if year else 1), _month(MONTHS[first], year, today, ended=False)
    return None


def _since(rest: list[str], today: date) -> tuple[int, str] | None:
    word = rest[0]
    if word == "yesterday":
        return 2, days(today - timedelta(days=1), today, today)
    if word in WEEKDAYS:
        back = (today.weekday() - WEEKDAYS[word]) % 7
        return 2, days(today - timedelta(days=back), today, today)
    if word in MONTHS:
        year = _year(rest[1:2])
        first = _month_start(MONTHS[word], year, today, ended=False)
        if first <= today and (today - first).days < MAX_RANGE_DAYS:
            return (3 if year else 2), days(first, today, today)
    return None


def _number(word: str) -> int | None:
    if word.isascii() and word.isdigit() and len(word) <= 3:
        return int(word)
    return NUMBER_WORDS.get(word)


def _year(words: list[str]) -> int | None:
    word = words[0] if words else ""
    return (
        int(word)
        if len(word) == 4 and word.isascii() and word.isdigit() and word[0] in "12"
        else None
    )


def _month_start(month: int, year: int | None, today: date, *, ended: bool) -> date:
    """The first day of `month`: of `year`, else the latest one begun (or, `ended`, over)."""
    if year is not None:
        return date(year, month, 1)
    latest = date(today.year, month, 1)
    if latest > today or (ended and latest.month == today.month):
        latest = latest.replace(year=today.year - 1)
    return latest


def _month(month: int, year: int | None, today: date, *, ended: bool) -> str:
    first = _month_start(month, year, today, ended=ended)
    this_month = today.replace(day=1)
    if first == this_month:
        return "this-month"
    if first == (this_month - timedelta(days=1)).replace(day=1):
        return "last-month"
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return days(first, last, today)


def _since_months(count: int, today: date) -> str:
    """The `count` months to today: from the day after the same day `count` months ago."""
    index = today.year * 12 + today.month - 1 - count
    year, month = divmod(index, 12)
    day = min(today.day, calendar.monthrange(year, month + 1)[1])
    return days(date(year, month + 1, day) + timedelta(days=1), today, today)


def _rolling(count: int, today: date) -> str:
    return _ROLLING.get(count) or days(today - timedelta(days=count - 1), today, today)


def days(first: date, last: date, today: date) -> str:
    """The grammar's timeframe for the days `first`..`last`: `yesterday`, one day, or a range.
    Today alone is its date, not `today`, which TOP reports cannot cover (`since monday`,
    asked on a Monday, must still give the top countries)."""
    if first == last == today - timedelta(days=1):
        return "yesterday"
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()}..{last.isoformat()}"
