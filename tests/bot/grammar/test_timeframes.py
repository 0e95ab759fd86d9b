"""User timeframes -> ClickMeter periods, labels, and the errors for bad ranges."""

from __future__ import annotations

from datetime import date

import pytest

from bot.grammar.timeframes import (
    DEFAULT_TIMEFRAME,
    MAX_RANGE_DAYS,
    TIMEFRAME_SYNONYMS,
    TIMEFRAME_WORDS,
    TimeframeError,
    join_days,
    looks_like_dates,
    parse_timeframe,
)
from clickmeter import Period, Timeframe
from messages import range_label


@pytest.mark.parametrize(
    ("typed", "timeframe", "label"),
    [
        ("today", Timeframe.TODAY, "today"),
        ("yesterday", Timeframe.YESTERDAY, "yesterday"),
        ("7d", Timeframe.LAST7, "last 7 days"),
        ("last7", Timeframe.LAST7, "last 7 days"),
        ("30d", Timeframe.LAST30, "last 30 days"),
        ("last30", Timeframe.LAST30, "last 30 days"),
        ("90d", Timeframe.LAST90, "last 90 days"),
        ("last90", Timeframe.LAST90, "last 90 days"),
        ("this-month", Timeframe.CURRENT_MONTH, "this month"),
        ("last-month", Timeframe.PREVIOUS_MONTH, "last month"),
        ("this-year", Timeframe.CURRENT_YEAR, "this year"),
        ("all", Timeframe.BEGINNING, "all time"),
        ("LAST7", Timeframe.LAST7, "last 7 days"),
        ("This-Month", Timeframe.CURRENT_MONTH, "this month"),
    ],
)
def test_named_words(typed: str, timeframe: Timeframe, label: str) -> None:
    parsed = parse_timeframe(typed)
    assert parsed is not None
    assert parsed.period == Period(timeframe)
    assert parsed.label == label
    assert parsed.typed == typed
    assert not parsed.is_default


@pytest.mark.parametrize(
    ("typed", "first", "last", "label"),
    [
        ("2026-11-01..2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "Nov 1 – Nov 15, 2026"),
        ("2026-11-01..2026-11-01", date(2026, 11, 1), date(2026, 11, 1), "Nov 1, 2026"),
        ("2026-11-01", date(2026, 11, 1), date(2026, 11, 1), "Nov 1, 2026"),
        (
            "2025-12-20..2026-01-05",
            date(2025, 12, 20),
            date(2026, 1, 5),
            "Dec 20, 2025 – Jan 5, 2026",
        ),
        ("2024-02-29..2024-03-01", date(2024, 2, 29), date(2024, 3, 1), "Feb 29 – Mar 1, 2024"),
        ("2026-11-01...2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "Nov 1 – Nov 15, 2026"),
        ("2026-11-01…2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "Nov 1 – Nov 15, 2026"),
        ("2026-11-01–2026-11-15", date(2026, 11, 1), date(2026, 11, 15), "Nov 1 – Nov 15, 2026"),
        ("2026-01-01..2026-12-31", date(2026, 1, 1), date(2026, 12, 31), "Jan 1 – Dec 31, 2026"),
        ("2024-01-01..2024-12-31", date(2024, 1, 1), date(2024, 12, 31), "Jan 1 – Dec 31, 2024"),
    ],
)
def test_ranges_are_custom_periods(typed: str, first: date, last: date, label: str) -> None:
    parsed = parse_timeframe(typed)
    assert parsed is not None
    assert parsed.period == Period.custom(first, last)
    assert parsed.label == label
    assert parsed.period.query() == {
        "timeframe": "custom",
        "fromDay": first.strftime("%Y%m%d"),
        "toDay": last.strftime("%Y%m%d"),
    }


@pytest.mark.parametrize(
    ("typed", "in_problem", "replacement"),
    [
        ("2026-02-30..2026-03-01", "Feb 2026 has no day 30", None),
        ("2026-02-29", "no day 29", None),
        ("2026-13-01..2026-13-05", "no month 13", None),
        ("2026-00-01..2026-01-05", "no month 0", None),
        ("2026-04-31..2026-05-01", "no day 31", None),
        ("0000-01-01..2026-01-01", "no year 0000", None),
        ("2026-11-15..2026-11-01", "ends before it starts", "2026-11-01..2026-11-15"),
        ("2026-11-01..", "YYYY-MM-DD", None),
        ("2026-11-1..2026-11-15", "YYYY-MM-DD", None),
        ("2026-11..2026-12", "YYYY-MM-DD", None),
        ("2026-11", "YYYY-MM-DD", None),
        ("2026-11-01..2026-11-15..2026-11-20", "YYYY-MM-DD", None),
        ("2026-11-01..tomorrow", "YYYY-MM-DD", None),
        ("2025-01-01..2026-01-02", "at most 366", None),
        ("1999-01-01..2026-01-01", "9,863 days", None),
    ],
)
def test_bad_ranges_raise_with_a_reason(
    typed: str, in_problem: str, replacement: str | None
) -> None:
    with pytest.raises(TimeframeError) as caught:
        parse_timeframe(typed)
    assert in_problem in caught.value.problem
    assert caught.value.replacement == replacement


def test_the_longest_range_is_accepted_and_one_more_day_is_not() -> None:
    longest = parse_timeframe("2024-01-01..2024-12-31")
    assert longest is not None
    assert longest.period.to_day is not None
    assert longest.period.from_day is not None
    assert (longest.period.to_day - longest.period.from_day).days + 1 == MAX_RANGE_DAYS
    with pytest.raises(TimeframeError):
        parse_timeframe("2024-01-01..2025-01-01")


@pytest.mark.parametrize(
    "token",
    ["spring-sale", "2026", "123", "2026-11-01-newsletter", "last-7", "lastweek", "", "7", "d7"],
)
def test_other_tokens_are_not_timeframes(token: str) -> None:
    assert parse_timeframe(token) is None


def test_dateish_shapes() -> None:
    assert looks_like_dates("2026-11-01..x")
    assert looks_like_dates("2026-1")
    assert not looks_like_dates("2026-11-01-newsletter")
    assert not looks_like_dates("..2026-11-01")


def test_default_is_last_7_days_and_equals_typed_forms() -> None:
    assert DEFAULT_TIMEFRAME.is_default
    assert DEFAULT_TIMEFRAME.label == "last 7 days"
    assert parse_timeframe("7d") == DEFAULT_TIMEFRAME == parse_timeframe("last7")


def test_synonyms_point_at_accepted_words() -> None:
    assert set(TIMEFRAME_SYNONYMS.values()) <= set(TIMEFRAME_WORDS)
    assert not set(TIMEFRAME_SYNONYMS) & set(TIMEFRAME_WORDS)


def test_range_label_same_day() -> None:
    assert range_label(date(2026, 1, 9), date(2026, 1, 9)) == "Jan 9, 2026"


def test_problem_text_is_escaped_and_short() -> None:
    with pytest.raises(TimeframeError) as caught:
        parse_timeframe("2026-11-01..<!channel>`" + "x" * 200)
    assert "<" not in caught.value.problem
    assert len(caught.value.problem) < 300


def test_join_days() -> None:
    first, last = parse_timeframe("2026-11-15"), parse_timeframe("2026-11-01")
    assert first is not None
    assert last is not None
    assert join_days(first, last) == "2026-11-01..2026-11-15"
    assert join_days(first, DEFAULT_TIMEFRAME) is None
