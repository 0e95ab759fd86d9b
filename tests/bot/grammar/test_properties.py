"""Properties: any text parses or fails politely; commands built from valid parts parse back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.grammar import (
    REPORT_WORDS,
    SENSITIVITIES,
    SUBCOMMANDS,
    AccountScope,
    AlertAdd,
    ChannelRef,
    Command,
    CommandError,
    Condition,
    Drop,
    Group,
    Groups,
    GroupScope,
    Hits,
    Link,
    Links,
    LinkScope,
    NameRef,
    Scope,
    Spike,
    Stats,
    TagScope,
    Threshold,
    Top,
    parse,
)
from bot.grammar.timeframes import (
    DEFAULT_TIMEFRAME,
    MAX_RANGE_DAYS,
    TIMEFRAME_WORDS,
    UserTimeframe,
    looks_like_dates,
    parse_timeframe,
)
from clickmeter import Timeframe

# Pieces that steer random text into every branch of the parser.
VOCABULARY = [
    *SUBCOMMANDS,
    *REPORT_WORDS,
    *TIMEFRAME_WORDS,
    "link",
    "group",
    "tag",
    "2026-11-01..2026-11-15",
    "2026-02-30..2026-03-01",
    "2026-11-15..2026-11-01",
    "2026-11-01..",
    "0000-00-00",
    "9999-12-31..9999-12-31",
    "<#C123|general>",
    "<@U1>",
    "<!here>",
    "<https://x.io|x.io>",
    "<",
    ">",
    "&amp;",
    "&lt;",
    '"',
    "“",
    "’",
    '"spring sale"',
    "0",
    "-1",
    "51",
    "999999999999",
    "stat",
    "contries",
    "last-7",
    "`",
    "\u200b",
]
# ... and into every branch of `alert`.
ALERT_VOCABULARY = [
    *(["alert"] * 4),
    "alrt",
    "add",
    "ad",
    "list",
    "remove",
    "mute",
    "unmute",
    "test",
    "webhook",
    "webhooks",
    "account",
    "acount",
    "link",
    "group",
    "tag",
    "to",
    "spike",
    "spkie",
    "drop",
    "low",
    "medium",
    "high",
    "hgh",
    "clicks",
    "clicks&gt;100",
    "&gt;",
    ">",
    ">=",
    "&gt;100/1h",
    "above",
    "100",
    "10,000",
    "0",
    "10000001",
    "1.5",
    "10k",
    "per",
    "/",
    "15m",
    "15min",
    "15mins",
    "1h",
    "hour",
    "1d",
    "day",
    "days",
    "2h",
    "90min",
    "31d",
    "0m",
    "for",
    "12",
    "#12",
    "#0",
    "<#C123|general>",
    "<#C9>",
    "#general",
    "<@U1|ana>",
    "<https://x.example/h>",
    "<http://x.example/h|x.example/h>",
    "<https://x.example/h|label>",
    "<mailto:a@x.example|a@x.example>",
    "https://2130706433/",
    "https://10.0.0.1/",
    "http://127.0.0.1:8080/",
    "https://user@x.example/",
    '"spike"',
]
SEPARATORS = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", ""])


@st.composite
def grammar_soup(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(st.sampled_from(VOCABULARY), st.text(max_size=8)), max_size=8))
    return "".join(part + draw(SEPARATORS) for part in parts)


@st.composite
def alert_soup(draw: st.DrawFn) -> str:
    words = st.one_of(st.sampled_from(ALERT_VOCABULARY), st.text(max_size=6))
    parts = ["alert", *draw(st.lists(words, max_size=9))]
    return "".join(part + draw(SEPARATORS.filter(bool)) for part in parts)


def check_error(error: CommandError) -> None:
    assert error.message
    assert len(error.message) <= 3000
    assert "Traceback" not in error.message
    assert "`/clickmeter " in error.message
    if error.suggestion is not None:
        parse(error.suggestion)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=200), grammar_soup()))
def test_any_text_parses_or_fails_politely(text: str) -> None:
    try:
        command = parse(text)
    except CommandError as error:
        check_error(error)
    else:
        assert isinstance(command, get_args(Command))


@settings(max_examples=400, deadline=None)
@given(alert_soup())
def test_any_alert_text_parses_or_fails_politely(text: str) -> None:
    try:
        command = parse(text)
    except CommandError as error:
        check_error(error)
    else:
        assert isinstance(command, get_args(Command))


@settings(max_examples=15, deadline=None)
@given(st.text(min_size=1001, max_size=1500))
def test_long_text_fails_politely(text: str) -> None:
    try:
        parse(text)
    except CommandError as error:
        check_error(error)


# --- round trip -----------------------------------------------------------------------------

RESERVED = {"link", "group", "tag", *TIMEFRAME_WORDS}
BARE_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.#-]{0,15}", fullmatch=True).filter(
    lambda w: w.casefold() not in RESERVED and not looks_like_dates(w)
)
PHRASES = st.lists(st.from_regex(r"[A-Za-z0-9&<>#.-]{1,8}", fullmatch=True), min_size=1, max_size=4)
QUOTES = st.sampled_from([('"', '"'), ("“", "”"), ("‘", "’"), ("”", "”")])


@dataclass(frozen=True)
class Typed:
    """A part as the user types it (Slack-escaped) and what the parser must read from it."""

    text: str
    value: NameRef


def slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def names(draw: st.DrawFn) -> Typed:
    if draw(st.booleans()):
        word = draw(BARE_NAMES)
        return Typed(slack_escape(word), NameRef(word))
    phrase = " ".join(draw(PHRASES))
    opening, closing = draw(QUOTES)
    return Typed(f"{opening}{slack_escape(phrase)}{closing}", NameRef(phrase, quoted=True))


@st.composite
def timeframes(draw: st.DrawFn) -> tuple[str, UserTimeframe] | None:
    choice = draw(st.integers(0, 2))
    if choice == 0:
        return None
    if choice == 1:
        word = draw(st.sampled_from(sorted(TIMEFRAME_WORDS)))
        typed = draw(st.sampled_from([word, word.upper(), word.title()]))
    else:
        first = draw(st.dates(date(2000, 1, 1), date(2099, 12, 31)))
        last = first + timedelta(days=draw(st.integers(0, MAX_RANGE_DAYS - 1)))
        typed = f"{first.isoformat()}..{last.isoformat()}"
    parsed = parse_timeframe(typed)
    assert parsed is not None
    return typed, parsed


def casing(word: str) -> st.SearchStrategy[str]:
    return st.sampled_from([word, word.upper(), word.capitalize()])


@st.composite
def commands(draw: st.DrawFn) -> tuple[list[str], Command]:
    timeframe = draw(timeframes())
    tf_parts = [timeframe[0]] if timeframe else []
    tf_value = timeframe[1] if timeframe else DEFAULT_TIMEFRAME
    kind = draw(st.sampled_from(["stats", "top", "links", "link", "group", "groups", "hits"]))
    head = [draw(casing(kind))]
    if kind == "stats":
        return head + tf_parts, Stats(tf_value)
    if kind == "groups":
        return head + tf_parts, Groups(tf_value)
    if kind in ("link", "group"):
        name = draw(names())
        rest = draw(st.permutations([name.text, *tf_parts]))
        made: Command = (
            Link(name.value, tf_value) if kind == "link" else Group(name.value, tf_value)
        )
        return head + rest, made
    if kind == "hits":
        name = draw(names())
        count = draw(st.none() | st.integers(1, 50))
        command = Hits(name.value) if count is None else Hits(name.value, count)
        return [*head, name.text, *([str(count)] if count is not None else [])], command
    if kind == "top":
        if tf_value.period.timeframe in (Timeframe.TODAY, Timeframe.CURRENT_YEAR):
            tf_parts, tf_value = [], DEFAULT_TIMEFRAME  # ClickMeter has no TOP reports for them
        alias = draw(st.sampled_from(sorted(REPORT_WORDS)))
        clauses: list[str] = [draw(casing(alias)), *tf_parts]
        scope = draw(st.sampled_from([None, "link", "group"]))
        name = draw(names())
        if scope is not None:
            clauses.append(f"{draw(casing(scope))} {name.text}")
        top = Top(
            REPORT_WORDS[alias],
            tf_value,
            link=name.value if scope == "link" else None,
            group=name.value if scope == "group" else None,
        )
        return head + draw(st.permutations(clauses)), top
    words = draw(st.lists(BARE_NAMES, max_size=3))
    tag = draw(st.none() | names())
    parts = [*tf_parts, *([f"tag {tag.text}"] if tag else [])]
    ordered = draw(st.permutations(parts))
    return [*head, *[slack_escape(w) for w in words], *ordered], Links(
        tf_value, " ".join(words), tag.value.text if tag else None
    )


@settings(max_examples=150, deadline=None)
@given(commands(), st.lists(SEPARATORS.filter(bool), min_size=12, max_size=12))
def test_commands_built_from_valid_parts_parse_back(
    built: tuple[list[str], Command], gaps: list[str]
) -> None:
    parts, expected = built
    text = "".join(part + gap for part, gap in zip(parts, gaps, strict=False))
    command = parse(text)
    assert command == expected
    timeframe = getattr(command, "timeframe", None)
    if isinstance(timeframe, UserTimeframe):
        assert timeframe.label == getattr(expected, "timeframe").label  # noqa: B009


# --- alert add from valid parts -------------------------------------------------------------

WINDOW_WORDS = {
    900: ["15m", "15min", "15 min", "15 minute"],
    3600: ["1h", "hour", "1 hour", "60m", "1hr"],
    86400: ["1d", "day", "1 day", "24h"],
}


@st.composite
def conditions(draw: st.DrawFn) -> tuple[str, Condition]:
    kind = draw(st.sampled_from(["threshold", "spike", "drop"]))
    if kind != "threshold":
        level = draw(st.none() | st.sampled_from(SENSITIVITIES))
        typed = draw(casing(kind)) + (f" {draw(casing(level))}" if level else "")
        return typed, Spike(level or "medium") if kind == "spike" else Drop(level or "medium")
    clicks = draw(st.integers(1, 10_000_000))
    seconds = draw(st.sampled_from(sorted(WINDOW_WORDS)))
    window = draw(st.sampled_from(WINDOW_WORDS[seconds]))
    number = draw(st.sampled_from([str(clicks), f"{clicks:,}"]))
    shape = draw(
        st.sampled_from(
            [
                "clicks &gt; {n} per {w}",
                "clicks&gt;{n} per {w}",
                "&gt; {n} per {w}",
                "above {n} per {w}",
                "clicks over {n} per {w}",
                "clicks &gt; {n} clicks per {w}",
                "clicks {n} per {w}",
            ]
        )
    )
    if " " not in window:
        shape = draw(st.sampled_from([shape, "clicks&gt;{n}/{w}", "&gt;{n}/{w}"]))
    return shape.format(n=number, w=window), Threshold(clicks, seconds)


@st.composite
def scopes(draw: st.DrawFn) -> tuple[str, Scope]:
    kind = draw(st.sampled_from(["account", "link", "group", "tag"]))
    if kind == "account":
        return draw(casing("account")), AccountScope()
    name = draw(names())
    made: Scope = (
        LinkScope(name.value)
        if kind == "link"
        else GroupScope(name.value)
        if kind == "group"
        else TagScope(name.value.text)
    )
    return f"{draw(casing(kind))} {name.text}", made


@st.composite
def alert_adds(draw: st.DrawFn) -> tuple[str, AlertAdd]:
    scope, made_scope = draw(scopes())
    condition, made_condition = draw(conditions())
    channel = draw(st.sampled_from([None, ChannelRef("C123ABC", "growth"), ChannelRef("G9")]))
    clauses = [scope, condition]
    if channel is not None:
        mention = f"<#{channel.id}|{channel.name}>" if channel.name else f"<#{channel.id}>"
        clauses.append(f"{draw(casing('to'))} {mention}")
    text = " ".join([draw(casing("alert")), draw(casing("add")), *draw(st.permutations(clauses))])
    return text, AlertAdd(made_scope, made_condition, channel)


@settings(max_examples=200, deadline=None)
@given(alert_adds())
def test_alert_add_built_from_valid_parts_parses_back(built: tuple[str, AlertAdd]) -> None:
    text, expected = built
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    ["alert mute 12 ² h", "alert mute 12 ٣ days", "alert remove ²"],
)
def test_digits_that_int_cannot_read_fail_politely(text: str) -> None:
    # str.isdigit() is True for "²", which int() refuses: such words must be a polite error.
    with pytest.raises(CommandError):
        parse(text)
