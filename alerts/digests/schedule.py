"""When a digest is due: pure functions of the digest's schedule and a clock the caller passes.

The schedule is an APScheduler 3.x `CronTrigger(hour, minute[, day_of_week],
timezone=ZoneInfo(tz))`: the trigger computes fire times (`get_next_fire_time`), this module only
adds the rules that make it once per local day and restart-safe:

- **One run per local day.** A digest's occurrence on local day D is the trigger's first fire
  time on D (`scheduled_for`). Across DST changes 09:00 stays 09:00 local (07:00 or 08:00 UTC
  for Europe/Rome). A wall time the spring change skips (02:30 on 2026-03-29 in Rome) fires once,
  at the instant APScheduler maps it to: 01:30 UTC, i.e. 03:30 CEST, one hour "late" on the
  wall clock. A wall time the autumn change repeats (02:30 on 2026-10-25) fires once, at its
  first occurrence (02:30 CEST = 00:30 UTC): APScheduler would also offer the second one
  (02:30 CET), which `next_run` steps over, and which `due` could never pick anyway since D is
  then already run.
- **Restart-safe.** The persistent record is the digest's `last_run_for` (the local day last
  enqueued or skipped). `due(now)` looks at the latest occurrence at or before `now`: if its day
  is not run yet, it is delivered when `now` is within `grace` of it (2 h by default), skipped
  (with a log line, by the runner) otherwise. So a worker down from 08:55 to 09:10 delivers
  09:00's digest once at 09:10; down until 12:00, it skips that day and waits for the next.
  Occurrences before the digest was created never count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

#: How late a missed digest may still go out (after a restart, or a long ClickMeter outage).
DEFAULT_GRACE = timedelta(hours=2)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: How far back `due` looks for the latest occurrence (a weekly digest: one week, and a day).
_LOOK_BACK_DAYS = 8


class Schedule(Protocol):
    """What scheduling reads of a digest (the `Digest` model has it all)."""

    @property
    def cadence(self) -> str: ...
    @property
    def weekday(self) -> int | None: ...
    @property
    def at_time(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def last_run_for(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do about a digest now.

    `deliver`: send the digest of local `day` (scheduled at `scheduled`) now. `skip`: that
    day's digest was missed by more than the grace period: record it as run, send nothing.
    `wait`: nothing to do (the latest occurrence is already run, or none has come yet)."""

    action: Literal["deliver", "skip", "wait"]
    day: date | None = None
    scheduled: datetime | None = None

    def __bool__(self) -> bool:
        return self.action != "wait"


WAIT = Decision("wait")


def zone_of(digest: Schedule) -> ZoneInfo:
    return ZoneInfo(digest.timezone)


def trigger(digest: Schedule) -> CronTrigger:
    """The APScheduler cron trigger of the digest, in its zone."""
    hour, minute = (int(part) for part in digest.at_time.split(":"))
    if digest.cadence == "weekdays":
        days: str | None = "mon-fri"
    elif digest.cadence == "weekly":
        if digest.weekday is None:
            raise ValueError("a weekly digest needs a weekday")
        days = WEEKDAY_NAMES[digest.weekday]
    else:
        days = None
    return CronTrigger(hour=hour, minute=minute, day_of_week=days, timezone=zone_of(digest))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware one")
    return moment


def _start_of(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def scheduled_for(digest: Schedule, day: date) -> datetime | None:
    """The instant (aware UTC) the digest of local `day` is due, or None when the digest does
    not run that day (a weekend for `weekdays`, another day for `weekly`)."""
    zone = zone_of(digest)
    fire: datetime | None = trigger(digest).get_next_fire_time(None, _start_of(day, zone))
    if fire is None or fire.astimezone(zone).date() != day:
        return None
    return fire.astimezone(UTC)


def next_run(digest: Schedule, after: datetime) -> datetime:
    """The first occurrence strictly after `after` (aware UTC), one per local day."""
    zone, cron = zone_of(digest), trigger(digest)
    moment = _aware(after) + timedelta(microseconds=1)
    while True:
        fire: datetime | None = cron.get_next_fire_time(None, moment)
        if fire is None:  # a cron with no day of week / hour restriction always fires again
            raise RuntimeError("the digest's trigger never fires")
        day = fire.astimezone(zone).date()
        first = scheduled_for(digest, day)
        if first is not None and first > _aware(after):
            return first
        # `fire` is a repeat of a day's occurrence (an ambiguous wall time): look at the next day.
        moment = _start_of(day + timedelta(days=1), zone)


def latest_occurrence(digest: Schedule, now: datetime) -> tuple[date, datetime] | None:
    """(local day, instant) of the latest occurrence at or before `now`, within a week."""
    today = _aware(now).astimezone(zone_of(digest)).date()
    for back in range(_LOOK_BACK_DAYS + 1):
        day = today - timedelta(days=back)
        scheduled = scheduled_for(digest, day)
        if scheduled is not None and scheduled <= now:
            return day, scheduled
    return None


def due(digest: Schedule, now: datetime, grace: timedelta = DEFAULT_GRACE) -> Decision:
    """Deliver, skip or wait (see the module docstring), from the digest's `last_run_for`."""
    latest = latest_occurrence(digest, now)
    if latest is None:
        return WAIT
    day, scheduled = latest
    if digest.last_run_for is not None and digest.last_run_for >= day:
        return WAIT
    if scheduled < digest.created_at:
        return WAIT  # due before the digest existed: its first run is the next one
    if now - scheduled <= grace:
        return Decision("deliver", day, scheduled)
    return Decision("skip", day, scheduled)
