"""A question in plain words -> the `/clickmeter` command that answers it.

Pure and deterministic: `understand(text, book, today)` reads the message against the account's
names (`NameBook`) on its day `today` and returns an `Answer` (a read-only command to run), a
`UseSlash` (a change: the slash command to type, never run from words) or a `NotUnderstood`
(with the closest command).
Every command it returns is one `bot.grammar.parse` reads, so the answer is the slash command's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias, get_args

from bot.grammar import (
    HELP_TOPICS,
    MAX_HITS,
    REPORT_WORDS,
    SUBCOMMANDS,
    AlertList,
    CommandError,
    DigestList,
    ReadingCommand,
    parse,
)
from bot.grammar.timeframes import TIMEFRAME_WORDS
from bot.words import vocabulary as v
from bot.words.names import Kind, NameBook, closest_names
from bot.words.pieces import pieces
from bot.words.reading import Reading


@dataclass(frozen=True, slots=True)
class Answer:
    """A question with a read-only answer: `command` is the text after `/clickmeter`."""

    command: str


@dataclass(frozen=True, slots=True)
class UseSlash:
    """A change (an alert, a digest, a webhook, connecting): the slash command to type."""

    command: str


@dataclass(frozen=True, slots=True)
class NotUnderstood:
    """Words that were not understood, and the command closest to what was."""

    unknown: tuple[str, ...]
    suggestion: str


Understanding: TypeAlias = Answer | UseSlash | NotUnderstood

#: Commands answered from words: the reading ones, and the lists of alerts and digests.
READ_ONLY = (*get_args(ReadingCommand), AlertList, DigestList)

_BARE_NAME = re.compile(r"[A-Za-z][\w\-.]*")
# A name written bare must not be read back as a keyword, a timeframe or a report.
_RESERVED = frozenset({"link", "group", "tag", *TIMEFRAME_WORDS, *REPORT_WORDS})
#: Words the grammar does not know but questions use: with one, a message is read as words.
_NOT_GRAMMAR = (
    (v.FILLER | v.TAG_NOUNS | {word for key in v.TIMEFRAME_PHRASES for word in key.split()})
    - _RESERVED
    - frozenset(SUBCOMMANDS)
)
# The most specific thing a change names wins: "add a webhook" is about webhooks, not alerts.
_CHANGE_TOPICS = (
    "webhook",
    "digest",
    "admins",
    "disconnect",
    "connect",
    "shorten",
    "pause",
    "resume",
    "alert",
)
# A web address as a message has it (Slack keeps only the text of a link it made).
_WEB_ADDRESS = re.compile(r"(https?://\S+|[\w-]+(\.[\w-]+)*\.[a-z]{2,}(/\S*)?)", re.IGNORECASE)


def understand(text: str, book: NameBook, today: date | None = None) -> Understanding:
    """What to do about `text` (a mention or DM, Slack markup and all) for an account with the
    names in `book`. `today` is the account's local day: with it, phrasings that need the clock
    (`in november`, `last 14 days`, `since monday`, `last week` as a calendar week) are read as
    ranges of days (`bot.words.dates`); without it, only those that do not."""
    direct = _as_command(text)
    if direct is not None:
        return direct
    found = pieces(text)
    if not found:
        return Answer("help")
    return _decide(Reading(found, book, today))


def name_arg(name: str) -> str:
    """A name as the grammar reads it back: bare when it can be, else quoted; escaped."""
    bare = _BARE_NAME.fullmatch(name) and name.casefold() not in _RESERVED
    text = name if bare else f'"{" ".join(name.replace(chr(34), "").split())}"'
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _as_command(text: str) -> Understanding | None:
    """The message as the slash grammar reads it, if it is a command typed as one (`top
    countries 30d`, `alert add link x spike`)."""
    words = [p.key for p in pieces(text)]
    if words[:1] == ["/clickmeter"]:
        words = words[1:]  # the slash command pasted with it
    if not words or words[0] not in SUBCOMMANDS:
        return None
    plain = " ".join(text.split())
    found = re.search(rf"(?<![\w/]){re.escape(words[0])}", plain, re.IGNORECASE)
    if found is None:
        return None
    # A question mark or full stop ends the sentence, not the link's name.
    command = (words[0] + plain[found.end() :]).rstrip("?!.… ")
    try:
        parsed = parse(command)
    except CommandError:
        return None
    if not isinstance(parsed, READ_ONLY):
        return UseSlash(command)
    # `links tagged promo` parses (as a search for "tagged promo") but is meant as words.
    return None if set(words) & _NOT_GRAMMAR else Answer(command)


def _decide(r: Reading) -> Understanding:
    if r.has("change"):
        return UseSlash(_change(r))
    name, kind = r.name_text()
    command = _command(r, name, kind)
    unknown = tuple(p.text for p in r.unknown())
    if command is None or unknown:
        shown = unknown or tuple(p.text for p in r.found)
        return NotUnderstood(shown, _suggest(r, command))
    return Answer(command)


def _command(r: Reading, name: str | None, kind: Kind | None) -> str | None:
    if r.has("help"):
        # `help with top`: "top" was claimed as asking for a report, but here it is a topic.
        topics = (*SUBCOMMANDS, *HELP_TOPICS)
        topic = next((p.key for p in r.found if p.key in topics and p.key != "help"), None)
        if topic is not None:
            r.claim_words(topic, "topic")
        return f"help {topic}" if topic else "help"
    if r.has("hits") and (name is not None or not (r.has("stats") or r.timeframe)):
        # Without a link, "how many hits today" asks for counts, not a link's latest clicks.
        if name is None or kind != "link":
            return None
        count = r.count if r.count is not None else r.number()
        fits = count is not None and 1 <= count <= MAX_HITS
        return f"hits {name_arg(name)} {count}" if fits else f"hits {name_arg(name)}"
    if name is None and r.has("alerts"):
        return "alert list"
    if name is None and r.has("digests"):
        return "digest list"
    if name is None and r.has("top") and not r.has("report") and r.noun in ("link", "group"):
        return r.with_timeframe(f"{r.noun}s")  # "the best link": the busiest links
    if r.has("report") or (r.has("top") and not r.has("links")):
        report = r.value("report") or "countries"
        r.number()  # `top 5 countries`: a TOP report always shows its first 10
        scope = f" {kind} {name_arg(name)}" if name and kind else ""
        return r.with_timeframe(f"top {report}") + scope
    if name is not None and kind is not None:
        return r.with_timeframe(f"{kind} {name_arg(name)}")
    if r.has("links"):
        # What is left of a question about links is what to look for in their names.
        search = r.unknown()
        for piece in search:
            piece.claim = "search"
        words = "".join(f" {p.text}" for p in search)
        tag = f" tag {name_arg(r.tag)}" if r.tag else ""
        return r.with_timeframe("links") + words + tag
    if r.has("groups"):
        return r.with_timeframe("groups")
    if r.has("stats") or r.timeframe or r.has("top"):
        return r.with_timeframe("stats")
    return None


def _change(r: Reading) -> str:
    """The slash command that makes the change asked for (an example to edit where the
    message does not say enough)."""
    changes = {r.value_of(p) for p in r.found if p.claim and p.claim.startswith("change:")}
    what = next(topic for topic in _CHANGE_TOPICS if topic in changes or topic == "alert")
    verbs = {p.key for p in r.found if p.claim and p.claim.startswith("change:")}
    number = r.number()
    ident = number if number is not None else 1
    if what == "alert":
        if verbs & {"remove", "delete"}:
            return f"alert remove {ident}"
        if verbs & {"mute", "snooze", "silence"}:
            return f"alert mute {ident} 2h"
        if "unmute" in verbs:
            return f"alert unmute {ident}"
        scope = f"{r.named.kind} {name_arg(r.named.name)}" if r.named is not None else "account"
        return f"alert add {scope} spike"
    if what in ("pause", "resume"):
        if any(p.key in ("alert", "alerts") for p in r.found):
            return f"alert mute {ident} 2h" if what == "pause" else f"alert unmute {ident}"
        named = r.named
        if named is not None and named.kind == "link":
            return f"link {what} {name_arg(named.name)}"
        return "help link"
    if what == "shorten":
        url = next((p.text for p in r.found if _WEB_ADDRESS.fullmatch(p.text)), None)
        return f"shorten {url}" if url and _parses(f"shorten {url}") else "help shorten"
    if what == "webhook":
        return "help alert" if verbs & {"add", "create", "set", "setup"} else "alert webhook list"
    if what == "digest":
        return "digest add daily at 09:00"
    return what  # admins, connect, disconnect


def _parses(command: str) -> bool:
    try:
        parse(command)
    except CommandError:
        return False
    return True


def _suggest(r: Reading, command: str | None) -> str:
    """The closest command to what was understood, for "did you mean"."""
    left = [p for p in r.unknown() if not p.key.isdigit()]
    close = closest_names([p.text for p in left], r.book, r.kinds()) if left else []
    if close:
        for piece in left:
            piece.claim = "name"
        command = _command(r, close[0].name, close[0].kind)
    elif command is None and r.has("hits") and r.book.links:
        command = f"hits {name_arg(r.book.links[0])}"
    return command or (r.with_timeframe("stats") if r.timeframe else "help")
