"""Local days <-> UTC instants for the sandbox's hit table.

What a timeframe covers is defined once, in `clickmeter._timeframes` (`resolve`), for the
client, the bot and the sandbox alike.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from clickmeter._timeframes import DayRange, resolve

__all__ = ["EPOCH", "DayRange", "day_start", "from_us", "resolve", "to_us", "utc_bounds_us"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
