"""Timeframes as ClickMeter names them, a custom range of days, and the days each covers.

ClickMeter does not publish what each name covers; these definitions are clickbot's (the bot's
"previous period" maths and the sandbox both use `resolve`). All days are calendar days in the
account's time zone, `today` included where the range reaches it:

============== ============================================================================
today          today
yesterday      the day before today
last7          the 7 days ending today (today and the 6 days before it)
last30         the 30 days ending today; likewise last90, last120, last180
lastmonth      the rolling month ending today: from the day after the same day-of-month one
               month ago (clamped to that month's length) to today, e.g. Oct 27 - Nov 26
currentmonth   the 1st of the current month to today
previousmonth  the whole previous calendar month
last12months   the rolling year ending today: from the day after the same date a year ago
               (Feb 29 -> Feb 28) to today
lastyear       the whole previous calendar year
currentyear    January 1st of the current year to today
beginning      the account's creation day to today
custom         `fromDay` to `toDay`, both inclusive
============== ============================================================================
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from clickmeter._dates import format_ymd


class Timeframe(StrEnum):
    """The `timeframe` / `timeFrame` values of API v2 (the service matches them case-blind)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST7 = "last7"
    LAST30 = "last30"
    LAST_MONTH = "lastmonth"
    CURRENT_MONTH = "currentmonth"
    PREVIOUS_MONTH = "previousmonth"
    LAST90 = "last90"
    LAST120 = "last120"
    LAST180 = "last180"
    LAST12MONTHS = "last12months"
    LAST_YEAR = "lastyear"
    CURRENT_YEAR = "currentyear"
    BEGINNING = "beginning"
    CUSTOM = "custom"


#: `/reports` (all three forms) refuses these.
NOT_FOR_REPORTS = frozenset(
    {Timeframe.TODAY, Timeframe.LAST12MONTHS, Timeframe.LAST_YEAR, Timeframe.CURRENT_YEAR}
)
#: `/hits` (all three forms) refuses these (only `beginning`, per the service notes).
NOT_FOR_HITS = frozenset({Timeframe.BEGINNING})


@dataclass(frozen=True, slots=True)
class Period:
    """What a request covers: a named timeframe, or `custom` with inclusive days."""

    timeframe: Timeframe
    from_day: date | None = None
    to_day: date | None = None

    def __post_init__(self) -> None:
        if self.timeframe is Timeframe.CUSTOM:
            if self.from_day is None or self.to_day is None:
                raise ValueError("a custom period needs both from_day and to_day")
            if self.from_day > self.to_day:
                raise ValueError("a custom period's from_day must not be after its to_day")
        elif self.from_day is not None or self.to_day is not None:
            raise ValueError("only a custom period takes from_day / to_day")

    @classmethod
    def custom(cls, from_day: date, to_day: date) -> Period:
        return cls(Timeframe.CUSTOM, from_day, to_day)

    @classmethod
    def of(cls, value: Period | Timeframe | str) -> Period:
        if isinstance(value, Period):
            return value
        return cls(Timeframe(str(value).lower()))

    def days(self, today: date, created: date) -> DayRange:
        """The local days this period covers on local day `today` (see the module's table)."""
        return resolve(self.timeframe, today, created, self.from_day, self.to_day)

    def query(self, name: str = "timeframe") -> dict[str, str]:
        """Query parameters for this period; `name` is the spelling the endpoint documents."""
        params = {name: self.timeframe.value}
        if self.from_day is not None and self.to_day is not None:
            params["fromDay"] = format_ymd(self.from_day)
            params["toDay"] = format_ymd(self.to_day)
        return params


_ROLLING_DAYS = {
    Timeframe.LAST7: 7,
    Timeframe.LAST30: 30,
    Timeframe.LAST90: 90,
    Timeframe.LAST120: 120,
    Timeframe.LAST180: 180,
}


@dataclass(frozen=True, slots=True)
class DayRange:
    """Inclusive local days `first`..`last`."""

    first: date
    last: date

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _shift_months(day: date, months: int) -> date:
    """Same day-of-month `months` later (negative: earlier), clamped to the month's length."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def resolve(
    timeframe: Timeframe,
    today: date,
    created: date,
    from_day: date | None = None,
    to_day: date | None = None,
) -> DayRange:
    """The days `timeframe` covers on local day `today` for an account created on `created`.

    `custom` needs `from_day` and `to_day` (ValueError otherwise, or if they are reversed).
    """
    if timeframe is Timeframe.CUSTOM:
        if from_day is None or to_day is None:
            raise ValueError("custom timeframe needs fromDay and toDay")
        if from_day > to_day:
            raise ValueError("fromDay must not be after toDay")
        return DayRange(from_day, to_day)
    if timeframe in _ROLLING_DAYS:
        return DayRange(today - timedelta(days=_ROLLING_DAYS[timeframe] - 1), today)
    match timeframe:
        case Timeframe.TODAY:
            return DayRange(today, today)
        case Timeframe.YESTERDAY:
            day = today - timedelta(days=1)
            return DayRange(day, day)
        case Timeframe.LAST_MONTH:
            return DayRange(_shift_months(today, -1) + timedelta(days=1), today)
        case Timeframe.CURRENT_MONTH:
            return DayRange(today.replace(day=1), today)
        case Timeframe.PREVIOUS_MONTH:
            last = today.replace(day=1) - timedelta(days=1)
            return DayRange(last.replace(day=1), last)
        case Timeframe.LAST12MONTHS:
            return DayRange(_shift_months(today, -12) + timedelta(days=1), today)
        case Timeframe.LAST_YEAR:
            return DayRange(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
        case Timeframe.CURRENT_YEAR:
            return DayRange(date(today.year, 1, 1), today)
        case Timeframe.BEGINNING:
            return DayRange(min(created, today), today)
    raise ValueError(f"unknown timeframe {timeframe!r}")  # pragma: no cover
