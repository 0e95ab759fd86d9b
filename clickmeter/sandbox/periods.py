"""Timeframe -> inclusive range of account-local days: the sandbox's single definition.

Every endpoint of the sandbox resolves its `timeframe` here, so `/aggregated`, the summaries,
the TOP reports and the hit lists always agree on which days a name covers.

Definitions (all days are calendar days in the account's time zone, `today` included where
the range reaches it):

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
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from clickmeter._timeframes import Timeframe

_ROLLING_DAYS = {
    Timeframe.LAST7: 7,
    Timeframe.LAST30: 30,
    Timeframe.LAST90: 90,
    Timeframe.LAST120: 120,
    Timeframe.LAST180: 180,
}


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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


def day_start(day: date, zone: tzinfo) -> datetime:
    """The instant local `day` begins in `zone` (an aware datetime; DST days are 23h or 25h)."""
    return datetime.combine(day, time(0), tzinfo=zone)


def utc_bounds_us(days: DayRange, zone: tzinfo) -> tuple[int, int]:
    """[start, end) of the local day range as UTC epoch microseconds."""
    start = day_start(days.first, zone)
    end = day_start(days.last + timedelta(days=1), zone)
    return to_us(start), to_us(end)


def to_us(moment: datetime) -> int:
    """Epoch microseconds of an aware datetime, exactly (no float rounding)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_us(value: int, zone: tzinfo) -> datetime:
    """The aware datetime in `zone` of epoch microseconds `value`."""
    return (EPOCH + timedelta(microseconds=int(value))).astimezone(zone)
