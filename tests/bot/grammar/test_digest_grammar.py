"""`digest ...`: every action, the clause phrasings of `digest add`, and the errors people get."""

from __future__ import annotations

from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.grammar import (
    DEFAULT_DIGEST_REPORTS,
    DIGEST_ACTIONS,
    SUBCOMMANDS,
    ChannelRef,
    Command,
    CommandError,
    DigestAdd,
    DigestGroup,
    DigestList,
    DigestPreview,
    DigestRemove,
    DigestTag,
    Help,
    NameRef,
    parse,
)
from bot.grammar.digests import read_time, read_zone
from clickmeter import TopReport

C, R, B = TopReport.COUNTRIES, TopReport.REFERRERS, TopReport.BROWSERS
GROWTH = ChannelRef("C123ABC", "growth")


def error_of(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("digest add at 09:00", DigestAdd("09:00")),
        ("digest add at 9:00", DigestAdd("09:00")),
        ("digest add daily at 9am", DigestAdd("09:00")),
        ("digest add at 5:30pm", DigestAdd("17:30")),
        ("digest add at 12am", DigestAdd("00:00")),
        ("digest add at 9.15", DigestAdd("09:15")),
        ("digest add at 23h05", DigestAdd("23:05")),
        ("DIGEST ADD DAILY AT 09:00", DigestAdd("09:00")),
        ("digest add 09:00", DigestAdd("09:00")),  # `at` left out
        ("digest add weekdays at 08:30", DigestAdd("08:30", "weekdays")),
        ("digest add workdays at 08:30", DigestAdd("08:30", "weekdays")),
        ("digest add weekly monday at 09:00", DigestAdd("09:00", "weekly", 0)),
        ("digest add weekly on fri at 09:00", DigestAdd("09:00", "weekly", 4)),
        ("digest add at 09:00 weekly Sunday", DigestAdd("09:00", "weekly", 6)),
        ("digest add tuesday at 09:00", DigestAdd("09:00", "weekly", 1)),  # `weekly` left out
        ("digest add at 09:00 Europe/Rome", DigestAdd("09:00", timezone="Europe/Rome")),
        ("digest add at 09:00 europe/rome", DigestAdd("09:00", timezone="Europe/Rome")),
        ("digest add at 09:00 UTC", DigestAdd("09:00", timezone="UTC")),
        (
            "digest add at 07:00 America/Argentina/Buenos_Aires",
            DigestAdd("07:00", timezone="America/Argentina/Buenos_Aires"),
        ),
        ("digest add at 09:00 to <#C123ABC|growth>", DigestAdd("09:00", channel=GROWTH)),
        ("digest add to <#C123ABC|growth> at 09:00", DigestAdd("09:00", channel=GROWTH)),
        ("digest add at 09:00 reports countries", DigestAdd("09:00", reports=(C,))),
        (
            "digest add at 09:00 reports countries,referrers,browsers",
            DigestAdd("09:00", reports=(C, R, B)),
        ),
        (
            "digest add at 09:00 reports countries, browsers",
            DigestAdd("09:00", reports=(C, B)),
        ),
        (
            "digest add at 09:00 reports country browser weekdays",
            DigestAdd("09:00", "weekdays", reports=(C, B)),
        ),
        ("digest add at 09:00 reports sources,sources", DigestAdd("09:00", reports=(R,))),
        ("digest add at 09:00 links tag email", DigestAdd("09:00", links=DigestTag("email"))),
        ("digest add at 09:00 tag email", DigestAdd("09:00", links=DigestTag("email"))),
        (
            'digest add at 09:00 links group "Spring sale"',
            DigestAdd("09:00", links=DigestGroup(NameRef("Spring sale", quoted=True))),
        ),
        (
            "digest add weekly mon at 9am Europe/Rome to <#C123ABC|growth> "
            "reports countries,referrers links group 12",
            DigestAdd(
                "09:00", "weekly", 0, "Europe/Rome", GROWTH, (C, R), DigestGroup(NameRef("12"))
            ),
        ),
        ("digest list", DigestList()),
        ("digest remove 3", DigestRemove(3)),
        ("digest remove #3", DigestRemove(3)),
        ("digest preview 12", DigestPreview(12)),
        ("help digest", Help("digest")),
    ],
)
def test_valid(text: str, expected: Command) -> None:
    assert parse(text) == expected


def test_defaults() -> None:
    command = parse("digest add at 09:00")
    assert isinstance(command, DigestAdd)
    assert command.cadence == "daily"
    assert command.timezone is None  # the account's, looked up by the handler
    assert command.channel is None  # the channel the command was typed in
    assert command.reports == DEFAULT_DIGEST_REPORTS == (C, R)
    assert command.links is None


@pytest.mark.parametrize(
    ("text", "says", "suggestion"),
    [
        ("digest", "needs what to do", "digest list"),
        ("digest ad at 09:00", "isn't something", "digest add at 09:00"),
        ("digest ls", "isn't something", "digest list"),
        ("digest delete 3", "isn't something", "digest remove 3"),
        ("digest daily at 09:00", "isn't something", "digest add daily at 09:00"),
        ("digest add daily", "needs the time", "digest add at 09:00 daily"),
        ("digest add at noon", "`at` needs a time", None),
        ("digest add at 25:00", "`at` needs a time", None),
        ("digest add at 09:00 Europe/Rom", "isn't a time zone", "digest add at 09:00 Europe/Rome"),
        (
            "digest add at 09:00 America/New_Yrok",
            "isn't a time zone",
            "digest add at 09:00 America/New_York",
        ),
        ("digest add weekly at 09:00", "needs the day", None),
        ("digest add weekly mon tue at 09:00", "one day", None),
        (
            "digest add daily monday at 09:00",
            "goes with `weekly`",
            "digest add weekly monday at 09:00",
        ),
        ("digest add daily weekdays at 09:00", "one schedule", None),
        (
            "digest add at 09:00 reports contries",
            "isn't a report",
            "digest add at 09:00 reports countries",
        ),
        (
            "digest add at 09:00 reports countries,refferers",
            "isn't a report",
            "digest add at 09:00 reports countries,referrers",
        ),
        ("digest add at 09:00 reports", "needs report names", None),
        ("digest add at 09:00 links", "needs `tag <name>`", None),
        ("digest add at 09:00 tag a group b", "pick one", None),
        ("digest add at 09:00 to #general", "plain text", None),
        ("digest add at 09:00 <#C123ABC|growth>", "Put `to`", None),
        ("digest add at 09:00 dialy", "don't know what to do", "digest add at 09:00 daily"),
        ("digest remove", "needs the digest's id", None),
        ("digest remove x", "isn't an id", None),
        ("digest preview 3 4", "don't know what to do", None),
        ("digest list all", "don't know what to do", None),
    ],
)
def test_errors(text: str, says: str, suggestion: str | None) -> None:
    error = error_of(text)
    assert says in error.message
    assert "/clickmeter " in error.message
    if suggestion is not None:
        assert error.suggestion == suggestion
        parse(error.suggestion)


def test_the_suggestion_keeps_the_channel_link() -> None:
    error = error_of("digest add at 09:00 <#C123ABC|growth>")
    assert error.suggestion == "digest add at 09:00 to <#C123ABC|growth>"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("09:00", "09:00"),
        ("9:05", "09:05"),
        ("00:00", "00:00"),
        ("23:59", "23:59"),
        ("9am", "09:00"),
        ("12pm", "12:00"),
        ("12am", "00:00"),
        ("11:45PM", "23:45"),
        ("24:00", None),
        ("9:60", None),
        ("13pm", None),
        ("nine", None),
        ("", None),
    ],
)
def test_read_time(typed: str, expected: str | None) -> None:
    assert read_time(typed) == expected


def test_read_zone_is_case_blind_and_canonical() -> None:
    assert read_zone("EUROPE/ROME") == "Europe/Rome"
    assert read_zone("Europe/Rom") is None


def test_registry_and_examples() -> None:
    assert "digest" in SUBCOMMANDS
    assert set(DIGEST_ACTIONS) == {"add", "list", "remove", "preview"}
    parse(SUBCOMMANDS["digest"].example())
    for action in DIGEST_ACTIONS.values():
        parse(action.example())
        assert action.usage.startswith(action.name)


# --- any text -----------------------------------------------------------------------------------

DIGEST_SOUP = [
    "digest", "add", "list", "remove", "preview", "daily", "weekdays", "weekly", "monday", "on",
    "at", "09:00", "9am", "25:00", "Europe/Rome", "Europe/Rom", "UTC", "to", "<#C1|x>", "#x",
    "reports", "countries,referrers", "countries,", "contries", ",browsers", "links", "tag",
    "group", '"a b"', "3", "#3", "x", "",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DIGEST_SOUP), max_size=12))
def test_any_digest_text_parses_or_fails_politely(words: list[str]) -> None:
    text = " ".join(["digest", *words])
    try:
        command = parse(text)
    except CommandError as error:
        check_error(error)
    else:
        assert isinstance(command, get_args(Command))


def check_error(error: CommandError) -> None:
    """What every refusal must be: a way forward, and a suggestion that parses."""
    assert "`/clickmeter " in error.message
    if error.suggestion is not None:
        parse(error.suggestion)
