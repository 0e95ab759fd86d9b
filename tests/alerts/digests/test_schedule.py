"""Digest scheduling on a controllable clock: cron in the digest's zone, once per local day
across DST changes, and restart-safe delivery within the grace period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.digests.schedule import (
    DEFAULT_GRACE,
    Decision,
    due,
    next_run,
    scheduled_for,
    trigger,
)

ROME = ZoneInfo("Europe/Rome")


@dataclass(frozen=True)
class Spec:
    """A digest's schedule, as the `Digest` model has it."""

    at_time: str = "09:00"
    cadence: str = "daily"
    weekday: int | None = None
    timezone: str = "Europe/Rome"
    created_at: datetime = datetime(2026, 1, 1, tzinfo=UTC)
    last_run_for: date | None = None


def rome(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=ROME)


def runs(spec: Spec, start: datetime, count: int) -> list[datetime]:
    out, moment = [], start
    for _ in range(count):
        moment = next_run(spec, moment)
        out.append(moment)
    return out


def simulate(spec: Spec, start: datetime, end: datetime, step: timedelta) -> list[Decision]:
    """A worker ticking every `step` from `start` until before `end`: what it delivers and
    skips, recording each run as the runner does."""
    acted, moment = [], start
    while moment < end:
        decision = due(spec, moment)
        if decision:
            acted.append(decision)
            spec = replace(spec, last_run_for=decision.day)
        moment += step
    return acted


# --- next_run across DST ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "utc_hours"),
    [
        # Spring forward on Sun 2026-03-29 (CET +1 -> CEST +2).
        (datetime(2026, 3, 26, 12, tzinfo=UTC), [8, 8, 7, 7, 7, 7, 7]),
        # Fall back on Sun 2026-10-25 (CEST +2 -> CET +1).
        (datetime(2026, 10, 22, 12, tzinfo=UTC), [7, 7, 8, 8, 8, 8, 8]),
    ],
)
def test_0900_rome_fires_once_a_day_at_0900_local_across_dst(
    start: datetime, utc_hours: list[int]
) -> None:
    fired = runs(Spec(), start, 7)
    assert [f.hour for f in fired] == utc_hours
    assert all(f.tzinfo is UTC for f in fired)
    local = [f.astimezone(ROME) for f in fired]
    assert all((t.hour, t.minute) == (9, 0) for t in local)
    days = [t.date() for t in local]
    assert days == [start.date() + timedelta(days=i) for i in range(1, 8)]


def test_nonexistent_0230_on_spring_day_fires_once_an_hour_later_on_the_wall_clock() -> None:
    fired = runs(Spec(at_time="02:30"), datetime(2026, 3, 27, 12, tzinfo=UTC), 4)
    assert fired == [
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),  # 02:30 CET
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 02:30 does not exist: 03:30 CEST
        datetime(2026, 3, 30, 0, 30, tzinfo=UTC),  # 02:30 CEST
        datetime(2026, 3, 31, 0, 30, tzinfo=UTC),
    ]
    assert fired[1].astimezone(ROME).strftime("%H:%M %Z") == "03:30 CEST"


def test_ambiguous_0230_on_autumn_day_fires_once_at_its_first_occurrence() -> None:
    fired = runs(Spec(at_time="02:30"), datetime(2026, 10, 23, 12, tzinfo=UTC), 4)
    assert fired == [
        datetime(2026, 10, 24, 0, 30, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 CEST; 02:30 CET is not a second run
        datetime(2026, 10, 26, 1, 30, tzinfo=UTC),
        datetime(2026, 10, 27, 1, 30, tzinfo=UTC),
    ]
    # APScheduler alone would fire again at 02:30 CET: next_run steps over it.
    repeat = trigger(Spec(at_time="02:30")).get_next_fire_time(
        fired[1], fired[1] + timedelta(microseconds=1)
    )
    # (compared in UTC: a datetime with fold=1 never equals one in another zone)
    assert repeat.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert next_run(Spec(at_time="02:30"), fired[1]) == fired[2]


@pytest.mark.parametrize("at_time", ["09:00", "02:30", "00:00", "21:15"])
@pytest.mark.parametrize("start", [rome(2026, 3, 25), rome(2026, 10, 21)])
def test_a_ticking_worker_sends_once_per_local_day_over_a_dst_week(
    at_time: str, start: datetime
) -> None:
    spec = Spec(at_time=at_time, last_run_for=start.date() - timedelta(days=1))
    acted = simulate(spec, start, start + timedelta(days=7), timedelta(minutes=5))
    assert {d.action for d in acted} == {"deliver"}
    days = Counter(d.day for d in acted)
    assert all(count == 1 for count in days.values())
    assert len(days) == 7
    for decision in acted:
        assert decision.scheduled is not None
        assert decision.scheduled.astimezone(ROME).date() == decision.day


def test_weekdays_and_weekly() -> None:
    # 2026-03-27 is a Friday.
    weekdays = runs(Spec(cadence="weekdays"), rome(2026, 3, 27, 10), 3)
    assert [f.astimezone(ROME).strftime("%a %d") for f in weekdays] == [
        "Mon 30",
        "Tue 31",
        "Wed 01",
    ]
    weekly = runs(Spec(cadence="weekly", weekday=0), rome(2026, 3, 27, 10), 2)
    assert [f.astimezone(ROME).strftime("%a %d %H:%M") for f in weekly] == [
        "Mon 30 09:00",
        "Mon 06 09:00",
    ]
    assert scheduled_for(Spec(cadence="weekdays"), date(2026, 3, 28)) is None


def test_other_zones_keep_their_own_wall_time() -> None:
    new_york = Spec(timezone="America/New_York")
    # US DST starts 2026-03-08: 09:00 EST is 14:00 UTC, then 09:00 EDT is 13:00 UTC.
    fired = runs(new_york, datetime(2026, 3, 7, tzinfo=UTC), 2)
    assert [f.hour for f in fired] == [14, 13]


# --- due: restarts and grace --------------------------------------------------------------------

YESTERDAY = date(2026, 3, 17)
TODAY_0900 = rome(2026, 3, 18, 9)


def test_not_due_before_the_time_then_due_once() -> None:
    spec = Spec(last_run_for=YESTERDAY)
    assert due(spec, rome(2026, 3, 18, 8, 59, 59)).action == "wait"
    decision = due(spec, TODAY_0900)
    assert decision == Decision("deliver", date(2026, 3, 18), TODAY_0900.astimezone(UTC))
    assert due(replace(spec, last_run_for=decision.day), rome(2026, 3, 18, 9, 1)).action == "wait"


def test_worker_down_0855_to_0910_delivers_that_days_digest_once_at_restart() -> None:
    spec = Spec(last_run_for=YESTERDAY)
    assert due(spec, rome(2026, 3, 18, 8, 55)).action == "wait"  # the last tick before going down
    acted = simulate(spec, rome(2026, 3, 18, 9, 10), rome(2026, 3, 19), timedelta(minutes=1))
    assert [(d.action, d.day) for d in acted] == [("deliver", date(2026, 3, 18))]


def test_worker_down_until_1200_skips_that_day() -> None:
    spec = Spec(last_run_for=YESTERDAY)
    decision = due(spec, rome(2026, 3, 18, 12))
    assert decision == Decision("skip", date(2026, 3, 18), TODAY_0900.astimezone(UTC))
    acted = simulate(spec, rome(2026, 3, 18, 12), rome(2026, 3, 19, 12), timedelta(minutes=5))
    assert [(d.action, d.day) for d in acted] == [
        ("skip", date(2026, 3, 18)),
        ("deliver", date(2026, 3, 19)),
    ]


def test_grace_is_inclusive() -> None:
    spec = Spec(last_run_for=YESTERDAY)
    assert due(spec, TODAY_0900 + DEFAULT_GRACE).action == "deliver"
    assert due(spec, TODAY_0900 + DEFAULT_GRACE + timedelta(seconds=1)).action == "skip"
    assert due(spec, TODAY_0900 + timedelta(minutes=30), timedelta(minutes=10)).action == "skip"


def test_a_digest_made_after_todays_time_starts_tomorrow() -> None:
    spec = Spec(created_at=rome(2026, 3, 18, 9, 30).astimezone(UTC))
    assert due(spec, rome(2026, 3, 18, 9, 31)).action == "wait"
    assert next_run(spec, spec.created_at) == rome(2026, 3, 19, 9).astimezone(UTC)
    assert due(spec, rome(2026, 3, 19, 9)).action == "deliver"


def test_down_for_days_skips_only_the_latest_missed_day() -> None:
    spec = Spec(last_run_for=date(2026, 3, 10))
    assert due(spec, rome(2026, 3, 18, 12)) == Decision(
        "skip", date(2026, 3, 18), TODAY_0900.astimezone(UTC)
    )
    assert due(spec, rome(2026, 3, 18, 10)).action == "deliver"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        next_run(Spec(), datetime(2026, 3, 18, 9))
