"""Counters -> intervals: first sighting, same day, midnight, decreases, gaps, re-runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from alerts.engine.intervals import (
    MAX_INTERVAL_SECONDS,
    Previous,
    day_start_and_length,
    interval_since,
    local_day_of,
    local_midnight,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2026, 3, 18)
T0 = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)  # 14:30 in Berlin


def previous(total: int, at: datetime = T0, day: date = DAY) -> Previous:
    return Previous(day, total, at)


def test_first_sighting_gives_no_interval() -> None:
    assert interval_since(None, 120, DAY, T0, BERLIN) is None


def test_same_day_gives_the_difference_over_the_real_elapsed_time() -> None:
    got = interval_since(previous(100), 130, DAY, T0 + timedelta(seconds=300), BERLIN)
    assert got is not None
    assert (got.clicks, got.seconds, got.why, got.judged) == (30, 300.0, "same_day", True)
    assert got.end == T0 + timedelta(seconds=300)


def test_a_late_or_missed_cycle_is_one_longer_interval() -> None:
    got = interval_since(previous(100), 190, DAY, T0 + timedelta(minutes=35), BERLIN)
    assert got is not None
    assert (got.clicks, got.seconds) == (90, 2100.0)


def test_a_gap_too_long_to_judge_only_rebases() -> None:
    later = T0 + timedelta(seconds=MAX_INTERVAL_SECONDS + 1)
    assert interval_since(previous(100), 900, DAY, later, BERLIN) is None


def test_a_decrease_is_clamped_and_not_judged() -> None:
    got = interval_since(previous(100), 80, DAY, T0 + timedelta(seconds=300), BERLIN)
    assert got is not None
    assert (got.clicks, got.why, got.judged) == (0, "decreased", False)


@pytest.mark.parametrize("delay", [0, -60])
def test_a_rerun_or_a_clock_step_back_gives_nothing(delay: int) -> None:
    assert interval_since(previous(100), 100, DAY, T0 + timedelta(seconds=delay), BERLIN) is None


def test_across_midnight_the_new_days_counter_covers_the_time_since_midnight() -> None:
    before = datetime(2026, 3, 18, 22, 57, tzinfo=UTC)  # 23:57 Berlin
    after = datetime(2026, 3, 18, 23, 2, tzinfo=UTC)  # 00:02 Berlin, the 19th
    assert local_day_of(after, BERLIN) == date(2026, 3, 19)
    got = interval_since(previous(900, before), 7, date(2026, 3, 19), after, BERLIN)
    assert got is not None
    assert (got.clicks, got.seconds, got.why, got.judged) == (7, 120.0, "new_day", True)


def test_a_long_outage_over_midnight_still_counts_from_midnight() -> None:
    before = datetime(2026, 3, 18, 20, 0, tzinfo=UTC)
    after = datetime(2026, 3, 19, 1, 0, tzinfo=UTC)  # 02:00 Berlin
    got = interval_since(previous(900, before), 40, date(2026, 3, 19), after, BERLIN)
    assert got is not None
    assert (got.clicks, got.seconds) == (40, 7200.0)


def test_just_after_midnight_there_is_too_little_to_judge() -> None:
    midnight = local_midnight(date(2026, 3, 19), BERLIN)
    before = midnight - timedelta(minutes=4)
    assert interval_since(previous(900, before), 0, date(2026, 3, 19), midnight, BERLIN) is None


def test_an_earlier_local_day_than_the_snapshot_gives_nothing() -> None:
    later_day = previous(10, T0 - timedelta(hours=1), DAY + timedelta(days=1))
    assert interval_since(later_day, 900, DAY, T0, BERLIN) is None


def test_days_are_23_or_25_hours_across_dst() -> None:
    # Europe/Berlin: clocks go forward on 2026-03-29 and back on 2026-10-25.
    assert day_start_and_length(date(2026, 3, 29), BERLIN)[1] == 23 * 3600
    assert day_start_and_length(date(2026, 10, 25), BERLIN)[1] == 25 * 3600
    start, length = day_start_and_length(DAY, BERLIN)
    assert start == datetime(2026, 3, 17, 23, 0, tzinfo=UTC)
    assert length == 86400
