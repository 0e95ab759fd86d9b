"""Numbers, spans and ratios in words: exact counts, "normally about", rates and ratios."""

from __future__ import annotations

import pytest

from messages.humane import approx, count, in_span, rate, rate_unit, share_of_normal, span, times


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "0"),
        (3, "3"),
        (412, "412"),
        (1234, "1,234"),
        (999_999, "999,999"),
        (1_234_567, "1.2M"),
        (12_345_678, "12.3M"),
        (3_000_000_000, "3B"),
        (2.6, "3"),
    ],
)
def test_count_is_exact_until_millions(value: float, words: str) -> None:
    assert count(value) == words


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (0, "0"),
        (0.04, "<0.1"),
        (0.4, "~0.4"),
        (3.0, "~3"),
        (3.46, "~3.5"),
        (38.4, "~38"),
        (99.6, "~100"),
        (412, "~410"),
        (1234, "~1,200"),
        (45_678, "~46,000"),
        (1_234_567, "~1.2M"),
        (987_654_321, "~990M"),
    ],
)
def test_approx_claims_no_false_precision(value: float, words: str) -> None:
    assert approx(value) == words


@pytest.mark.parametrize(
    ("seconds", "length", "where"),
    [
        (300, "5 min", "in 5 min"),
        (900, "15 min", "in 15 min"),
        (3600, "1 hour", "in the last hour"),
        (7200, "2 hours", "in the last 2 hours"),
        (9000, "2 h 30 min", "in the last 2 h 30 min"),
        (86400, "1 day", "in the last day"),
        (129600, "1 day 12 h", "in the last 1 day 12 h"),
        (3 * 86400, "3 days", "in the last 3 days"),
    ],
)
def test_spans_from_5_min_to_days(seconds: float, length: str, where: str) -> None:
    assert span(seconds) == length
    assert in_span(seconds) == where


@pytest.mark.parametrize(
    ("window", "interval", "unit"),
    [
        (300, 300, (300.0, "in 5 min")),
        (900, 300, (900.0, "in 15 min")),
        (3600, 300, (3600.0, "an hour")),
        (7200, 300, (3600.0, "an hour")),
        (3600, 3600, (3600.0, "an hour")),
        (86400, 3600, (3600.0, "an hour")),
        (86400, 86400, (86400.0, "a day")),
        (3 * 86400, 3600, (86400.0, "a day")),
    ],
)
def test_rates_read_per_hour_or_day_when_the_window_is_long(
    window: float, interval: float, unit: tuple[float, str]
) -> None:
    assert rate_unit(window, interval) == unit


def test_rate_scales_the_total_to_its_unit() -> None:
    assert rate(80, 7200, 300) == "~40 an hour"
    assert rate(3600, 3 * 86400, 86400) == "~1,200 a day"
    assert rate(12, 900, 300) == "~12 in 15 min"


@pytest.mark.parametrize(
    ("ratio", "words"),
    [(1.5, "~1.5x"), (3.04, "~3x"), (12.4, "~12x"), (1234, "~1,200x")],
)
def test_times_above_normal(ratio: float, words: str) -> None:
    assert times(ratio) == words


@pytest.mark.parametrize(
    ("ratio", "words"),
    [
        (0.66, "about two thirds"),
        (0.5, "about half"),
        (0.34, "about a third"),
        (0.271, "about a quarter"),
        (0.2, "about a fifth"),
        (0.12, "about 10%"),
        (0.02, "under 5%"),
    ],
)
def test_share_of_normal_below_it(ratio: float, words: str) -> None:
    assert share_of_normal(ratio) == words
