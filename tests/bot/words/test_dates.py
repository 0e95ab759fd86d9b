"""Phrasings that need the clock, read on the account's day: table-driven and pure."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.grammar import parse
from bot.words import Answer, NotUnderstood, understand
from bot.words.reader import READ_ONLY
from tests.bot.words.test_reader import BOOK

WEDNESDAY = date(2026, 12, 2)
MONDAY = date(2026, 11, 30)
IN_MARCH = date(2026, 3, 18)
NEW_YEAR = date(2026, 1, 5)
IN_NOVEMBER = date(2026, 11, 12)

DATED = [
    # months: the latest one begun, or ended ("last"), or of the year given
    (WEDNESDAY, "clicks in november", "stats last-month"),
    (WEDNESDAY, "how did spring-sale-garden do in november?", "link spring-sale-garden last-month"),
    (WEDNESDAY, "top countries in october", "top countries 2026-10-01..2026-10-31"),
    (WEDNESDAY, "clicks last november", "stats last-month"),
    (WEDNESDAY, "clicks in december", "stats this-month"),
    (WEDNESDAY, "clicks last december", "stats 2025-12-01..2025-12-31"),
    (WEDNESDAY, "traffic in January", "stats 2026-01-01..2026-01-31"),
    (WEDNESDAY, "clicks November 2025", "stats 2025-11-01..2025-11-30"),
    (WEDNESDAY, "clicks for blog-post-pro in sept", "link blog-post-pro 2026-09-01..2026-09-30"),
    (WEDNESDAY, "links during october", "links 2026-10-01..2026-10-31"),
    (WEDNESDAY, "clicks in may", "stats 2026-05-01..2026-05-31"),
    (WEDNESDAY, "may I see the clicks today", "stats today"),
    (WEDNESDAY, "the podcast group in feb", "group Podcast 2026-02-01..2026-02-28"),
    (IN_MARCH, "clicks in november", "stats 2025-11-01..2025-11-30"),
    (IN_MARCH, "clicks in march", "stats this-month"),
    (IN_MARCH, "clicks in february", "stats last-month"),
    (IN_MARCH, "clicks last march", "stats 2025-03-01..2025-03-31"),
    (IN_NOVEMBER, "clicks last november", "stats 2025-11-01..2025-11-30"),
    (IN_NOVEMBER, "clicks this november", "stats this-month"),
    (NEW_YEAR, "clicks in december", "stats last-month"),
    (NEW_YEAR, "clicks last december", "stats last-month"),
    # the last N days or weeks, to today
    (WEDNESDAY, "stats for the last 12 days", "stats 2026-11-21..2026-12-02"),
    (WEDNESDAY, "clicks past 2 weeks", "stats 2026-11-19..2026-12-02"),
    (WEDNESDAY, "last two weeks for blog-post-pro", "link blog-post-pro 2026-11-19..2026-12-02"),
    (WEDNESDAY, "top referrers in the last 14 days", "top referrers 2026-11-19..2026-12-02"),
    (WEDNESDAY, "clicks previous 3 days", "stats 2026-11-30..2026-12-02"),
    (WEDNESDAY, "clicks last 1 day", "stats 2026-12-02"),
    (WEDNESDAY, "clicks last 30 days", "stats 30d"),
    (WEDNESDAY, "clicks last 4 weeks", "stats 30d"),
    (WEDNESDAY, "clicks last ten days", "stats 2026-11-23..2026-12-02"),
    (WEDNESDAY, "clicks last 52 weeks", "stats 2025-12-04..2026-12-02"),
    (WEDNESDAY, "clicks last 2 months", "stats 2026-10-03..2026-12-02"),
    (WEDNESDAY, "clicks past six months", "stats 2026-06-03..2026-12-02"),
    (WEDNESDAY, "clicks last 3 months", "stats 90d"),
    (date(2026, 3, 31), "clicks last 1 month", "stats 2026-03-01..2026-03-31"),
    (WEDNESDAY, "clicks past year", "stats 2025-12-03..2026-12-02"),
    (WEDNESDAY, "clicks last year", "stats 2025-01-01..2025-12-31"),
    (WEDNESDAY, "top countries last year", "top countries 2025-01-01..2025-12-31"),
    # since a day, to today
    (WEDNESDAY, "clicks since monday", "stats 2026-11-30..2026-12-02"),
    (WEDNESDAY, "clicks since wednesday", "stats 2026-12-02"),
    (WEDNESDAY, "clicks since thursday", "stats 2026-11-26..2026-12-02"),
    (WEDNESDAY, "clicks since Thurs", "stats 2026-11-26..2026-12-02"),
    (WEDNESDAY, "clicks since yesterday", "stats 2026-12-01..2026-12-02"),
    (WEDNESDAY, "clicks since november", "stats 2026-11-01..2026-12-02"),
    (WEDNESDAY, "top countries since monday", "top countries 2026-11-30..2026-12-02"),
    (MONDAY, "clicks since monday", "stats 2026-11-30"),
    # a day, not `today`, which TOP reports cannot cover
    (MONDAY, "top countries this week", "top countries 2026-11-30"),
    # calendar weeks, from Monday
    (WEDNESDAY, "clicks this week", "stats 2026-11-30..2026-12-02"),
    (WEDNESDAY, "clicks last week", "stats 2026-11-23..2026-11-29"),
    (WEDNESDAY, "clicks previous week", "stats 2026-11-23..2026-11-29"),
    (
        WEDNESDAY,
        "top referrers last week for the podcast group",
        "top referrers 2026-11-23..2026-11-29 group Podcast",
    ),
    (MONDAY, "clicks this week", "stats 2026-11-30"),
    (MONDAY, "clicks last week", "stats 2026-11-23..2026-11-29"),
    (NEW_YEAR, "clicks last week", "stats 2025-12-29..2026-01-04"),
    # what needs no clock reads as before
    (WEDNESDAY, "clicks past week", "stats 7d"),
    (WEDNESDAY, "clicks yesterday", "stats yesterday"),
    (WEDNESDAY, "clicks 2026-11-01 to 2026-11-15", "stats 2026-11-01..2026-11-15"),
    (
        WEDNESDAY,
        "top countries this month for the newsletter group",
        'top countries this-month group "Weekly Newsletter"',
    ),
]


@pytest.mark.parametrize(("today", "text", "command"), DATED)
def test_phrasings_that_need_the_clock_are_read_on_the_accounts_day(
    today: date, text: str, command: str
) -> None:
    assert understand(text, BOOK, today) == Answer(command)
    assert isinstance(parse(command), READ_ONLY)


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("clicks last 400 days", ("last", "400", "days")),  # longer than a range may be
        ("clicks since someday", ("someday",)),
    ],
)
def test_what_the_clock_cannot_read_is_not_understood(text: str, unknown: tuple[str, ...]) -> None:
    understood = understand(text, BOOK, WEDNESDAY)
    assert isinstance(understood, NotUnderstood)
    assert understood.unknown == unknown


def test_without_the_day_the_phrases_that_need_it_are_not_guessed() -> None:
    assert understand("clicks in november", BOOK) == NotUnderstood(("november",), "stats")
    assert understand("clicks last week", BOOK) == Answer("stats 7d")


PHRASES = [
    "in january",
    "last february",
    "in december",
    "since march",
    "since sunday",
    "since monday",
    "this week",
    "last week",
    "last 366 days",
    "past 52 weeks",
    "last 12 months",
    "past year",
    "last year",
    "february 2024",
]


@settings(max_examples=300, deadline=None)
@given(
    today=st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)),
    phrase=st.sampled_from(PHRASES),
    report=st.sampled_from(["clicks", "top countries", "links"]),
)
def test_every_day_of_the_calendar_gives_a_command_the_grammar_reads(
    today: date, phrase: str, report: str
) -> None:
    understood = understand(f"{report} {phrase}", BOOK, today)
    assert isinstance(understood, Answer), understood
    assert isinstance(parse(understood.command), READ_ONLY)
