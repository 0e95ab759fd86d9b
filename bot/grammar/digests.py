"""`digest ...`: a morning summary of clicks, posted to a channel at a local time.

    digest add [daily|weekdays|weekly <day>] at <HH:MM> [<IANA timezone>] [to #channel]
               [reports countries,referrers,...] [links tag <name> | links group <id|name>]
    digest list | remove <id> | preview <id>

Clauses of `digest add` come in any order. Defaults: daily; the ClickMeter account's time zone
(`timezone` None: the handler looks it up); the channel the command was typed in (`channel`
None); the countries and referrers reports; the whole account. A zone is checked against the
IANA database (`zoneinfo`), case-blind, with the nearest names suggested for a typo. The
commands these parsers return are defined in `commands`.
"""

from __future__ import annotations

import re
from functools import cache
from zoneinfo import available_timezones

from bot.grammar.actions import Actions
from bot.grammar.alert_clauses import read_id
from bot.grammar.arguments import REPORT_WORDS, Arguments, NameRef
from bot.grammar.commands import (
    DEFAULT_DIGEST_REPORTS,
    Cadence,
    DigestAdd,
    DigestCommand,
    DigestGroup,
    DigestLinks,
    DigestList,
    DigestPreview,
    DigestRemove,
    DigestTag,
)
from bot.grammar.grammar import subcommand
from bot.grammar.suggest import closest, code
from bot.grammar.tokens import Word
from clickmeter import TopReport

#: At most this many TOP reports in one digest (each is a section of the message).
MAX_DIGEST_REPORTS = 6

#: Every way to name a day of the week -> Monday 0 .. Sunday 6.
WEEKDAYS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "mondays"),
            ("tue", "tues", "tuesday", "tuesdays"),
            ("wed", "wednesday", "wednesdays"),
            ("thu", "thur", "thurs", "thursday", "thursdays"),
            ("fri", "friday", "fridays"),
            ("sat", "saturday", "saturdays"),
            ("sun", "sunday", "sundays"),
        )
    )
    for name in names
}
CADENCES: dict[str, Cadence] = {
    "daily": "daily",
    "everyday": "daily",
    "weekdays": "weekdays",
    "workdays": "weekdays",
    "weekly": "weekly",
}

_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:.h]([0-5][0-9])")
_AM_PM = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5][0-9]))?(am|pm)")
_ADD_WORDS = ("at", "to", "reports", "links", "tag", "group", "on", *CADENCES)


def _means_add(word: str) -> bool:
    # `digest daily at 9:00`: `add` left out
    return word in CADENCES or word == "at" or word in WEEKDAYS


_DIGEST = Actions("digest", {"test": "preview", "send": "preview"}, _means_add)
#: `digest <action>` -> its usage, summary and example.
DIGEST_ACTIONS = _DIGEST.table


@subcommand(
    "digest",
    usage=(
        "digest add [daily|weekdays|weekly <day>] at <HH:MM> [timezone] [to #channel] "
        "[reports countries,referrers] [links tag <name>|group <name>] | list | "
        "remove|preview <id>"
    ),
    summary="a daily or weekly summary of clicks, posted to a channel at your time",
    example="digest add daily at 09:00 Europe/Rome",
)
def _digest(args: Arguments) -> DigestCommand:
    command = _DIGEST.dispatch(args, 1)
    assert isinstance(command, DigestCommand)  # the actions are ours
    return command


# --- digest add -----------------------------------------------------------------------------


def _after(args: Arguments, word: str) -> tuple[int, Word | None, int | None] | None:
    """(index of `word`, the token after it if a word, its index) for a lone `word`."""
    left = args.left()
    found = [p for p, (_, t) in enumerate(left) if isinstance(t, Word) and t.key == word]
    if not found:
        return None
    if len(found) > 1:
        raise args.error(f"`{args.sub.name}` takes `{word}` once.")
    pos = found[0]
    nxt = left[pos + 1] if pos + 1 < len(left) else None
    if nxt is not None and isinstance(nxt[1], Word) and nxt[0] == left[pos][0] + 1:
        return left[pos][0], nxt[1], nxt[0]
    return left[pos][0], None, None


def read_time(text: str) -> str | None:
    """'HH:MM' for `9:00`, `09:00`, `9.30`, `9h30`, `9am`, `5:30pm`; None if not a time."""
    folded = text.casefold()
    if match := _TIME.fullmatch(folded):
        return f"{int(match[1]):02d}:{match[2]}"
    if match := _AM_PM.fullmatch(folded):
        hour = int(match[1]) % 12 + (12 if match[3] == "pm" else 0)
        return f"{hour:02d}:{match[2] or '00'}"
    return None


def _time(args: Arguments) -> str:
    clause = _after(args, "at")
    if clause is not None:
        index, word, word_index = clause
        value = read_time(word.text) if word is not None else None
        if value is None or word_index is None:
            raise args.error("`at` needs a time after it, like `at 09:00` (24-hour, local time).")
        args.take({index, word_index})
        return value
    for index, token in args.left():  # `digest add daily 9:00`: `at` left out
        if isinstance(token, Word) and not token.quoted and (value := read_time(token.text)):
            args.take({index})
            return value
    raise args.error("`digest add` needs the time to send it, like `at 09:00`.", (2, 0, "at 09:00"))


def _cadence(args: Arguments) -> tuple[Cadence, int | None]:
    found: list[tuple[int, Cadence]] = [
        (i, CADENCES[t.key]) for i, t in args.left() if isinstance(t, Word) and t.key in CADENCES
    ]
    days = [
        (i, WEEKDAYS[t.key]) for i, t in args.left() if isinstance(t, Word) and t.key in WEEKDAYS
    ]
    if len(found) > 1:
        raise args.error("A digest has one schedule: `daily`, `weekdays` or `weekly <day>`.")
    cadence: Cadence = found[0][1] if found else ("weekly" if days else "daily")
    if found:
        args.take({found[0][0]})
    for index, token in args.left():
        if isinstance(token, Word) and token.key == "on" and days:
            args.take({index})  # `weekly on monday`
    if cadence != "weekly":
        if days:
            raise args.error(
                f"A day of the week goes with `weekly`, like `weekly {_day_name(days[0][1])}`.",
                (found[0][0], 1, "weekly") if found else None,
            )
        return cadence, None
    if len(days) != 1:
        problem = (
            "`weekly` needs the day to send it, like `weekly monday`."
            if not days
            else "A weekly digest goes out on one day; add one digest for each day."
        )
        raise args.error(problem)
    args.take({days[0][0]})
    return "weekly", days[0][1]


def _day_name(day: int) -> str:
    return ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")[day]


@cache
def _zones() -> dict[str, str]:
    """Every IANA zone name, case-folded -> as spelt in the database."""
    return {name.casefold(): name for name in available_timezones()}


def read_zone(text: str) -> str | None:
    """The canonical IANA name for `text` (any case), or None if there is no such zone."""
    return _zones().get(text.casefold())


def _looks_like_zone(text: str) -> bool:
    return "/" in text and not text.startswith(("/", "http")) and text[0].isalpha()


def _timezone(args: Arguments) -> str | None:
    for index, token in args.left():
        if not isinstance(token, Word) or token.quoted:
            continue
        zone = read_zone(token.text)
        if zone is not None and ("/" in zone or zone in ("UTC", "GMT")):
            args.take({index})
            return zone
        if _looks_like_zone(token.text):
            guess = closest(token.text, sorted(set(_zones().values())))
            fix = (index, 1, guess) if guess else None
            raise args.error(
                f"{code(token.text)} isn't a time zone I know; use an IANA name like "
                "`Europe/Rome` or `America/New_York`.",
                fix,
            )
    return None


def _reports(args: Arguments) -> tuple[TopReport, ...]:
    """`reports countries,referrers`, also `reports countries, referrers` or `reports countries
    referrers`: the adjacent words after `reports` made only of report names."""
    clause = _after(args, "reports")
    if clause is None:
        return DEFAULT_DIGEST_REPORTS
    index = clause[0]
    taken, chosen = {index}, []
    expected, open_list = index + 1, True  # right after `reports`, or after a trailing comma
    for token_index, token in args.left():
        if token_index < expected:
            continue
        if token_index != expected or not isinstance(token, Word) or token.key is None:
            break
        pieces = [p for p in token.key.split(",") if p]
        unknown = next((p for p in pieces if p not in REPORT_WORDS), None)
        if unknown is not None or not pieces:
            if not open_list:
                break  # the list ended: this word is another clause's
            guess = closest(unknown, REPORT_WORDS) if unknown else None
            fixed = ",".join(guess if p == unknown else p for p in pieces) if guess else None
            raise args.error(
                f"{code(unknown or token.text)} isn't a report I know; try `countries`, "
                "`referrers`, `destinations`, `browsers`, `platforms`...",
                (token_index, 1, fixed) if fixed else None,
            )
        chosen += [REPORT_WORDS[p] for p in pieces]
        taken.add(token_index)
        expected, open_list = token_index + 1, token.key.endswith(",")
    if not chosen:
        raise args.error(
            "`reports` needs report names after it, like `reports countries,referrers`."
        )
    unique = tuple(dict.fromkeys(chosen))
    if len(unique) > MAX_DIGEST_REPORTS:
        raise args.error(f"A digest shows up to {MAX_DIGEST_REPORTS} TOP reports.")
    args.take(taken)
    return unique


def _links(args: Arguments) -> DigestLinks | None:
    given = args.flag("links")
    tag = args.keyword("tag", "a tag name")
    group = args.keyword("group", "a group id or name")
    if tag is not None and group is not None:
        raise args.error("A digest covers the account, one tag or one group; pick one.")
    if tag is not None:
        return DigestTag(tag.text)
    if group is not None:
        return DigestGroup(NameRef(group.text, group.quoted))
    if given:
        raise args.error("`links` needs `tag <name>` or `group <id|name>` after it.")
    return None


@_DIGEST.action(
    "add",
    "digest add [daily|weekdays|weekly <day>] at <HH:MM> [timezone] [to #channel] "
    "[reports countries,referrers] [links tag <name>|group <name>]",
    "a new digest",
    "digest add weekdays at 09:00 Europe/Rome reports countries,referrers",
)
def _add(args: Arguments) -> DigestAdd:
    channel = args.channel("to")
    links = _links(args)
    reports = _reports(args)
    at = _time(args)
    cadence, weekday = _cadence(args)
    timezone = _timezone(args)
    if channel is None:
        args.no_stray_channel("the digest")
    args.expect((*_ADD_WORDS, *WEEKDAYS))
    args.finish()
    return DigestAdd(at, cadence, weekday, timezone, channel, reports, links)


# --- the other actions ----------------------------------------------------------------------

_LIST = "digest list"


@_DIGEST.action("list", "digest list", "this workspace's digests", "digest list")
def _list(args: Arguments) -> DigestList:
    args.finish()
    return DigestList()


@_DIGEST.action("remove", "digest remove <id>", "stop a digest", "digest remove 3")
def _remove(args: Arguments) -> DigestRemove:
    digest_id = read_id(args, "digest", _LIST)
    args.finish()
    return DigestRemove(digest_id)


@_DIGEST.action("preview", "digest preview <id>", "send a digest to you now", "digest preview 3")
def _preview(args: Arguments) -> DigestPreview:
    digest_id = read_id(args, "digest", _LIST)
    args.finish()
    return DigestPreview(digest_id)
