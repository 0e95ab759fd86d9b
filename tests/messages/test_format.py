"""Formatting helpers: numbers, money, shares, changes, sparklines, escaping, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from messages import (
    MINUS,
    as_of,
    clock_time,
    days_label,
    delta,
    downsample,
    escape,
    money,
    number,
    percent,
    plural,
    safe_name,
    share,
    short_datetime,
    sparkline,
    truncate,
    truncate_mrkdwn,
)

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (1234, "1,234"),
        (1234567, "1,234,567"),
        (10**12, "1,000,000,000,000"),
        (-1234, f"{MINUS}1,234"),
        (12.0, "12"),
        (1234.5, "1,234.5"),
    ],
)
def test_number(value: float, text: str) -> None:
    assert number(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0.00"),
        (1234.5, "1,234.50"),
        (0.005, "0.01"),
        (1e6, "1,000,000.00"),
        (-3.2, f"{MINUS}3.20"),
    ],
)
def test_money(value: float, text: str) -> None:
    assert money(value) == text


@pytest.mark.parametrize(
    ("part", "total", "text"),
    [
        (1, 8, "12.5%"),
        (0, 10, "0.0%"),
        (10, 10, "100.0%"),
        (1, 3, "33.3%"),
        (2, 3, "66.7%"),
        (5, 0, "—"),
    ],
)
def test_share(part: float, total: float, text: str) -> None:
    assert share(part, total) == text


def test_percent() -> None:
    assert percent(0.125) == "12.5%"
    assert percent(12.345) == "1,234.5%"


@pytest.mark.parametrize(
    ("current", "previous", "text"),
    [
        (1125, 1000, "+12.5%"),
        (970, 1000, f"{MINUS}3.0%"),
        (0, 1000, f"{MINUS}100.0%"),
        (3000, 1000, "+200.0%"),
        (1000, 1000, "±0.0%"),
        (10001, 10000, "±0.0%"),  # +0.01% rounds to nothing
        (5, 0, "new"),
        (0, 0, "—"),
        (2.5, 2.0, "+25.0%"),
        (2_000_000, 1, "+199,999,900.0%"),
    ],
)
def test_delta(current: float, previous: float, text: str) -> None:
    assert delta(current, previous) == text


@given(st.integers(0, 10**9), st.integers(1, 10**9))
def test_delta_sign_follows_the_change(current: int, previous: int) -> None:
    text = delta(current, previous)
    if current > previous and text != "±0.0%":
        assert text.startswith("+")
    elif current < previous and text != "±0.0%":
        assert text.startswith(MINUS)
    assert text.endswith("%")


@pytest.mark.parametrize(
    ("values", "line"),
    [
        ([], ""),
        ([0, 0, 0], "▁▁▁"),
        ([1, 2, 3, 4, 5, 6, 7, 8], "▂▃▄▅▅▆▇█"),
        ([0, 100], "▁█"),
        ([1, 1000], "▂█"),  # any click shows above a dead day
        ([5], "█"),
        ([3, 0, 3], "█▁█"),
    ],
)
def test_sparkline(values: list[int], line: str) -> None:
    assert sparkline(values) == line


@given(st.lists(st.integers(0, 10**6), max_size=400), st.integers(1, 80))
def test_sparkline_width_and_peak(values: list[int], width: int) -> None:
    line = sparkline(values, width)
    assert len(line) <= width
    assert len(line) == len(downsample(values, width))
    assert set(line) <= set("▁▂▃▄▅▆▇█")
    if any(values):
        assert "█" in line


def test_downsample_keeps_the_total_and_order() -> None:
    values = list(range(100))
    buckets = downsample(values, 10)
    assert len(buckets) == 10
    assert sum(buckets) == sum(values)
    assert buckets == sorted(buckets)
    assert downsample([1, 2], 10) == [1, 2]
    assert downsample([1, 2], 0) == []


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("a & b", "a &amp; b"),
        ("<!channel>", "&lt;!channel&gt;"),
        ("&lt;", "&amp;lt;"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_escape(text: str, escaped: str) -> None:
    assert escape(text) == escaped


def test_safe_name_drops_backticks_and_escapes() -> None:
    assert safe_name("```x``` <b> & `y`") == "'''x''' &lt;b&gt; &amp; 'y'"
    assert safe_name("x" * 100, 10) == "x" * 9 + "…"


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [("hello", 10, "hello"), ("hello", 5, "hello"), ("hello world", 6, "hello…"), ("abc", 0, "")],
)
def test_truncate(text: str, limit: int, cut: str) -> None:
    assert truncate(text, limit) == cut


@given(st.text(max_size=500), st.integers(1, 300))
def test_truncate_never_exceeds(text: str, limit: int) -> None:
    assert len(truncate(text, limit)) <= limit


def test_truncate_mrkdwn_keeps_entities_and_fences_whole() -> None:
    text = "```\n" + "a &amp; b " * 100 + "\n```"
    cut = truncate_mrkdwn(text, 100)
    assert len(cut) <= 100
    assert cut.count("```") == 2
    assert not cut.rstrip("…\n`").endswith(("&", "&a", "&am", "&amp"))
    assert truncate_mrkdwn("short", 100) == "short"


@given(st.text(alphabet="ab&;`<>\n ", max_size=600), st.integers(10, 300))
def test_truncate_mrkdwn_never_exceeds(text: str, limit: int) -> None:
    assert len(truncate_mrkdwn(text, limit)) <= limit


def test_days_label() -> None:
    assert days_label(date(2026, 11, 20), date(2026, 11, 26)) == "Nov 20 – Nov 26, 2026"
    assert days_label(date(2026, 11, 26), date(2026, 11, 26)) == "Nov 26, 2026"
    assert days_label(date(2025, 12, 20), date(2026, 1, 5)) == "Dec 20, 2025 – Jan 5, 2026"


def test_times_in_the_account_zone() -> None:
    winter = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    assert clock_time(winter, BERLIN) == "14:05 CET"
    assert clock_time(summer, BERLIN) == "15:05 CEST"
    assert as_of(winter, BERLIN) == "data as of 14:05 CET"
    assert short_datetime(winter, BERLIN) == "Nov 26 14:05"
    assert short_datetime(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), BERLIN) == "Mar 2 00:30"


def test_plural() -> None:
    assert plural(1, "link") == "1 link"
    assert plural(0, "link") == "0 links"
    assert plural(1234, "city", "cities") == "1,234 cities"
