"""Cumulative "today" counters -> clicks per real elapsed interval (pure, no I/O).

ClickMeter only tells the poller how many clicks a subject had *today* (in the account's zone),
a running total that resets at local midnight. Between two readings the poller wants the clicks
of the interval and its real length, which `interval_since` derives from the previous stored
snapshot. Cases, and what callers can rely on:

- **First sighting** (no previous snapshot): no interval; the reading becomes the snapshot.
- **Same local day**: clicks = new total - previous total, over the real time between readings,
  however long (a missed or late cycle is just a longer interval; detectors normalise by
  `seconds`), up to `max_seconds`, beyond which the gap is too long to judge and no interval is
  made (the reading only re-bases the counter).
- **New local day** (midnight passed, or several): yesterday's tail (its clicks between the last
  reading and midnight) is lost, since `today` no longer covers it and reading yesterday's final
  counters would cost a whole extra pass over every page once a day. So the interval is the new
  day's counter over the time since local midnight: an honest rate for a shorter span, instead of
  too few clicks for the whole span (which would look like a drop). A reading within a second of
  midnight makes no interval.
- **Counter went down** (ClickMeter cleaned spam clicks out of today's total): the clicks are
  clamped at 0 and the interval is marked `judged=False`: it is not shown to detectors at all, so
  it can neither fire a spike nor look like a drop; the lower total becomes the new base.
- **Reading at or before the previous one** (a re-run of the same cycle, or a clock step back):
  no interval, so nothing is stepped twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

#: The longest gap still judged as one interval (a longer outage just re-bases counters).
MAX_INTERVAL_SECONDS = 6 * 3600.0
#: A new-day interval shorter than this carries too little to judge.
MIN_INTERVAL_SECONDS = 1.0

Why = Literal["same_day", "new_day", "decreased"]


@dataclass(frozen=True)
class Previous:
    """What the poller stored last time for a subject: its total on its local day, and when."""

    local_day: date
    total: int
    observed_at: datetime


@dataclass(frozen=True)
class Interval:
    """`clicks` in the `seconds` of real time ending at `end`; `judged=False` means "do not show
    this to a detector" (the counter went down, so the true clicks are unknown)."""

    clicks: int
    seconds: float
    end: datetime
    why: Why
    judged: bool = True


def local_time(day: date, hour: int, zone: ZoneInfo) -> datetime:
    """The instant (aware, UTC) local `day` at `hour`:00 in `zone`. UTC, because Python
    subtracts two datetimes of the same zone by wall clock, which is wrong across DST."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant (aware, UTC) local `day` begins in `zone`."""
    return local_time(day, 0, zone)


def interval_since(
    previous: Previous | None,
    total: int,
    local_day: date,
    at: datetime,
    zone: ZoneInfo,
    *,
    max_seconds: float = MAX_INTERVAL_SECONDS,
) -> Interval | None:
    """The interval between `previous` and a reading of `total` clicks on `local_day` at `at`
    (aware), or None when there is nothing to judge (see the module docstring for each case)."""
    if previous is None or at <= previous.observed_at:
        return None
    if local_day < previous.local_day:
        return None  # the clock went back a day: trust nothing, just re-base
    if local_day == previous.local_day:
        seconds = (at - previous.observed_at).total_seconds()
        if seconds > max_seconds:
            return None
        if total < previous.total:
            return Interval(0, seconds, at, "decreased", judged=False)
        return Interval(total - previous.total, seconds, at, "same_day")
    since_midnight = (at - local_midnight(local_day, zone)).total_seconds()
    seconds = min(since_midnight, (at - previous.observed_at).total_seconds())
    if seconds < MIN_INTERVAL_SECONDS or seconds > max_seconds:
        return None
    return Interval(max(0, total), seconds, at, "new_day")


def local_day_of(moment: datetime, zone: ZoneInfo) -> date:
    """The account's local day at `moment` (what ClickMeter calls "today" then)."""
    return moment.astimezone(zone).date()


def day_start_and_length(day: date, zone: ZoneInfo) -> tuple[datetime, float]:
    """When local `day` starts and how many real seconds it lasts (23 h or 25 h on DST days)."""
    start = local_midnight(day, zone)
    end = local_midnight(day + timedelta(days=1), zone)
    return start, (end - start).total_seconds()
