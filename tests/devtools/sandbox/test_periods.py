"""Timeframe -> local day range, and local days -> UTC instants across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clickmeter._timeframes import NOT_FOR_HITS, Timeframe
from devtools.sandbox.periods import DayRange, resolve, to_us, utc_bounds_us

CREATED = date(2024, 5, 17)
BERLIN = ZoneInfo("Europe/Berlin")
DENVER = ZoneInfo("America/Denver")


@pytest.mark.parametrize(
    ("timeframe", "today", "first", "last"),
    [
        (Timeframe.TODAY, date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 1)),
        (Timeframe.YESTERDAY, date(2026, 3, 1), date(2026, 2, 28), date(2026, 2, 28)),
        (Timeframe.YESTERDAY, date(2026, 1, 1), date(2025, 12, 31), date(2025, 12, 31)),
        (Timeframe.LAST7, date(2026, 3, 3), date(2026, 2, 25), date(2026, 3, 3)),
        (Timeframe.LAST30, date(2026, 1, 10), date(2025, 12, 12), date(2026, 1, 10)),
        (Timeframe.LAST90, date(2026, 3, 31), date(2026, 1, 1), date(2026, 3, 31)),
        (Timeframe.LAST120, date(2026, 4, 30), date(2026, 1, 1), date(2026, 4, 30)),
        (Timeframe.LAST180, date(2026, 6, 29), date(2026, 1, 1), date(2026, 6, 29)),
        (Timeframe.LAST_MONTH, date(2026, 11, 26), date(2026, 10, 27), date(2026, 11, 26)),
        # March 31st: "one month ago" clamps to February's last day.
        (Timeframe.LAST_MONTH, date(2026, 3, 31), date(2026, 3, 1), date(2026, 3, 31)),
        (Timeframe.LAST_MONTH, date(2026, 1, 15), date(2025, 12, 16), date(2026, 1, 15)),
        (Timeframe.CURRENT_MONTH, date(2026, 2, 28), date(2026, 2, 1), date(2026, 2, 28)),
        (Timeframe.PREVIOUS_MONTH, date(2026, 3, 15), date(2026, 2, 1), date(2026, 2, 28)),
        (Timeframe.PREVIOUS_MONTH, date(2024, 3, 1), date(2024, 2, 1), date(2024, 2, 29)),
        (Timeframe.PREVIOUS_MONTH, date(2026, 1, 9), date(2025, 12, 1), date(2025, 12, 31)),
        (Timeframe.LAST12MONTHS, date(2026, 11, 26), date(2025, 11, 27), date(2026, 11, 26)),
        (Timeframe.LAST12MONTHS, date(2024, 2, 29), date(2023, 3, 1), date(2024, 2, 29)),
        (Timeframe.LAST_YEAR, date(2026, 1, 1), date(2025, 1, 1), date(2025, 12, 31)),
        (Timeframe.CURRENT_YEAR, date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 1)),
        (Timeframe.CURRENT_YEAR, date(2026, 7, 4), date(2026, 1, 1), date(2026, 7, 4)),
        (Timeframe.BEGINNING, date(2026, 7, 4), CREATED, date(2026, 7, 4)),
    ],
)
def test_named_timeframes(timeframe: Timeframe, today: date, first: date, last: date) -> None:
    assert resolve(timeframe, today, CREATED) == DayRange(first, last)


def test_custom_needs_both_days_in_order() -> None:
    today = date(2026, 3, 1)
    days = resolve(Timeframe.CUSTOM, today, CREATED, date(2026, 1, 1), date(2026, 1, 3))
    assert days.days() == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3)]
    with pytest.raises(ValueError, match="fromDay and toDay"):
        resolve(Timeframe.CUSTOM, today, CREATED, date(2026, 1, 1))
    with pytest.raises(ValueError, match="after"):
        resolve(Timeframe.CUSTOM, today, CREATED, date(2026, 1, 3), date(2026, 1, 1))


def test_hits_refuse_only_beginning() -> None:
    assert frozenset({Timeframe.BEGINNING}) == NOT_FOR_HITS


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (BERLIN, date(2026, 3, 29), 23),  # spring forward
        (BERLIN, date(2026, 10, 25), 25),  # fall back
        (BERLIN, date(2026, 6, 1), 24),
        (DENVER, date(2026, 3, 8), 23),
        (DENVER, date(2026, 11, 1), 25),
    ],
)
def test_local_day_length_follows_dst(zone: ZoneInfo, day: date, hours: int) -> None:
    start, end = utc_bounds_us(DayRange(day, day), zone)
    assert end - start == hours * 3_600_000_000


def test_local_day_starts_at_local_midnight() -> None:
    start, _ = utc_bounds_us(DayRange(date(2026, 10, 25), date(2026, 10, 25)), BERLIN)
    assert start == to_us(datetime(2026, 10, 24, 22, 0, tzinfo=UTC))  # CEST midnight
    _, end = utc_bounds_us(DayRange(date(2026, 10, 25), date(2026, 10, 25)), BERLIN)
    assert end == to_us(datetime(2026, 10, 25, 23, 0, tzinfo=UTC))  # CET midnight


@given(
    st.sampled_from([t for t in Timeframe if t is not Timeframe.CUSTOM]),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
)
def test_every_range_is_ordered_and_ends_by_today(timeframe: Timeframe, today: date) -> None:
    days = resolve(timeframe, today, CREATED)
    assert days.first <= days.last
    if timeframe not in (Timeframe.PREVIOUS_MONTH, Timeframe.LAST_YEAR, Timeframe.YESTERDAY):
        assert days.last == today
    else:
        assert days.last < today
