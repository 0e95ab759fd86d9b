"""The clauses of `alert ...` that are more than a keyword: a condition (`clicks > 100 per 1h`,
`spike high`, `drop`), an alert or webhook id (`12`, `#12`) and a mute duration (`2h`, `1 hour`).

Each reader takes what it reads from an `Arguments` and raises `args.error(...)` (with a
did-you-mean fix where a near miss is clear) for what it cannot read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, TypeAlias

from bot.grammar.arguments import Arguments, cmd
from bot.grammar.suggest import closest, code, escape
from bot.grammar.tokens import Word

Sensitivity: TypeAlias = Literal["low", "medium", "high"]
SENSITIVITIES: tuple[Sensitivity, ...] = ("low", "medium", "high")
#: The windows a threshold counts clicks over, in seconds -> how to write them.
WINDOWS = {900: "15m", 3600: "1h", 86400: "1d"}
MAX_THRESHOLD = 10_000_000
MAX_MUTE = timedelta(days=30)
#: Ids are database integers; a longer number is a typo.
MAX_ID = 2**31 - 1


# --- conditions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Threshold:
    """More than `clicks` clicks within `window_seconds` (a key of WINDOWS)."""

    clicks: int  #: 1..MAX_THRESHOLD
    window_seconds: int


@dataclass(frozen=True, slots=True)
class Spike:
    sensitivity: Sensitivity = "medium"


@dataclass(frozen=True, slots=True)
class Drop:
    sensitivity: Sensitivity = "medium"


Condition: TypeAlias = Threshold | Spike | Drop

#: The conditions, as Slack mrkdwn (escaped) for messages.
CONDITIONS = escape(
    "`clicks > N per 15m|1h|1d`, `spike [low|medium|high]` or `drop [low|medium|high]`"
)
_WINDOW_LIST = "`per 15m`, `per 1h` or `per 1d`"
_PIECE = re.compile(r"[0-9][0-9,]*|[^\W\d_]+|>=?|/|\S")
_NUMBER = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+")
_STARTS = ("clicks", "click", ">", "above", "over", "spike", "drop")
_COMPARATORS = (">", "above", "over")
_PER = ("per", "/", "every", "a", "an", "in")
# Singular only: `per 15mins` gets a did-you-mean (`per 15m`), durations take plurals.
_WINDOW_UNITS = {
    **dict.fromkeys(("m", "min", "minute"), 60),
    **dict.fromkeys(("h", "hr", "hour"), 3600),
    **dict.fromkeys(("d", "day"), 86400),
}


def clicks_problem(typed: str) -> str | None:
    """What is wrong with `typed` as a threshold's number of clicks (`100`, `10,000`), None
    when nothing: the typed grammar and the alert modal both check with it."""
    typed = typed.strip()
    if not _NUMBER.fullmatch(typed):
        return f"Write the number of clicks in full, like `100` or `10,000`, not {code(typed)}."
    if not 1 <= int(typed.replace(",", "")) <= MAX_THRESHOLD:
        return (
            f"The number of clicks goes from 1 to {MAX_THRESHOLD:,}; {code(typed)} is out of range."
        )
    return None


def pieces(text: str) -> list[str]:
    """`clicks>100/1h` -> clicks, >, 100, /, 1, h: numbers, letters and signs apart."""
    return _PIECE.findall(text.casefold())


def condition_start(key: str) -> bool:
    """Whether a word starts a condition (`clicks`, `>100`, `above`, `spike`, `drop`...)."""
    found = pieces(key)
    return bool(found) and found[0] in _STARTS


def read_condition(args: Arguments) -> Condition | None:
    """The condition in the first run of adjacent words that starts like one, taken; None if
    no word does."""
    return _Condition(args).read()


class _Condition:
    """Reads a condition from the run of words starting at the first condition word."""

    def __init__(self, args: Arguments) -> None:
        self.args = args
        self.pieces: list[tuple[int, str]] = []  # (token index, piece)
        self.at = 0
        for index, token in args.left():
            if not isinstance(token, Word) or token.key is None:
                if self.pieces:
                    break
                continue
            if not self.pieces and not condition_start(token.key):
                continue
            if self.pieces and index != self.pieces[-1][0] + 1:
                break
            self.pieces += [(index, piece) for piece in pieces(token.key)]

    def peek(self) -> str | None:
        return self.pieces[self.at][1] if self.at < len(self.pieces) else None

    def next(self) -> str | None:
        piece = self.peek()
        self.at += piece is not None
        return piece

    def fail(self, problem: str, replacement: str | None = None) -> Exception:
        first = self.pieces[0][0]
        last = self.pieces[max(self.at - 1, 0)][0]
        fix = (first, last - first + 1, replacement) if replacement else None
        return self.args.error(problem, fix)

    def read(self) -> Condition | None:
        if not self.pieces:
            return None
        first = self.peek()
        condition: Condition
        if first in ("spike", "drop"):
            self.next()
            level = self._sensitivity()
            condition = Spike(level) if first == "spike" else Drop(level)
        else:
            condition = self._threshold()
        # Only whole words are taken: `spike!` or `1h30` leave a piece behind.
        if self.at < len(self.pieces) and self.pieces[self.at - 1][0] == self.pieces[self.at][0]:
            raise self.fail(f"I can't read {code(self._typed())} as a condition; try {CONDITIONS}.")
        self.args.take({index for index, _ in self.pieces[: self.at]})
        return condition

    def _typed(self) -> str:
        indices = {index for index, _ in self.pieces[: max(self.at, 1)]}
        return " ".join(t.display() for i, t in self.args.left() if i in indices)

    def _sensitivity(self) -> Sensitivity:
        word = self.peek()
        for level in SENSITIVITIES:
            if word == level:
                self.next()
                return level
        guess = closest(word, SENSITIVITIES) if word and word.isalpha() else None
        if guess is not None:
            kind = self.pieces[0][1]
            self.next()
            raise self.fail("Sensitivity is `low`, `medium` or `high`.", f"{kind} {guess}")
        return "medium"

    def _threshold(self) -> Threshold:
        if self.peek() in ("clicks", "click"):
            self.next()
        if self.peek() in _COMPARATORS:
            self.next()
        elif self.peek() is None or not _NUMBER.fullmatch(self.peek() or ""):
            raise self.fail(
                f"Say how many clicks, like {cmd('alert add account clicks > 100 per 1h')}."
            )
        number = self.next()
        if number is None or not _NUMBER.fullmatch(number):
            raise self.fail("Say how many clicks, like `clicks &gt; 100 per 1h`.")
        glued = (
            self.peek() not in (None, "/")
            and self.pieces[self.at][0] == self.pieces[self.at - 1][0]
        )
        if glued:  # `1.5`, `10k`
            raise self.fail(
                f"I can't read {code(self._typed())} as a number of clicks; "
                "write it in full, like `100` or `10,000`."
            )
        if (problem := clicks_problem(number)) is not None:
            raise self.fail(problem)
        clicks = int(number.replace(",", ""))
        if self.peek() in ("clicks", "click"):
            self.next()
        if self.peek() not in _PER:
            raise self.fail(f"Say over how long to count the {clicks:,} clicks: {_WINDOW_LIST}.")
        self.next()
        count = 1
        if (piece := self.peek()) is not None and piece.isascii() and piece.isdigit():
            count = int(self.next() or "1")
        unit = self.next()
        seconds = _WINDOW_UNITS.get(unit or "")
        if seconds is None:
            guess = closest(unit or "", _WINDOW_UNITS) or closest(
                (unit or "").rstrip("s"), _WINDOW_UNITS
            )
            label = WINDOWS.get(count * _WINDOW_UNITS[guess]) if guess else None
            fix = f"clicks > {clicks} per {label}" if label else None
            raise self.fail(
                f"Alerts count clicks {_WINDOW_LIST}; I can't read {code(self._typed())}.", fix
            )
        if count * seconds not in WINDOWS:
            raise self.fail(f"Alerts count clicks {_WINDOW_LIST}, not {code(self._typed())}.")
        return Threshold(clicks, count * seconds)


# --- ids and durations ----------------------------------------------------------------------

_ID = re.compile(r"#?([0-9]+)")
_DURATION_UNITS = {
    **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "wk", "week", "weeks"), 7 * 86400),
}


def read_id(args: Arguments, what: str, listing: str) -> int:
    """The id the action acts on: the next token, `12` or `#12`."""
    left = args.left()
    if not left:
        raise args.error(f"`{args.sub.name}` needs the {what}'s id, as {cmd(listing)} shows it.")
    index, token = left[0]
    match = _ID.fullmatch(token.text) if isinstance(token, Word) else None
    if match is None:
        raise args.error(
            f"{code(token.display())} isn't an id: {what} ids are numbers like `12`, as "
            f"{cmd(listing)} shows them."
        )
    value = int(match[1]) if len(match[1]) <= 10 else 0
    if not 1 <= value <= MAX_ID:
        raise args.error(f"There's no {what} {code(token.display())}; see {cmd(listing)}.")
    args.take({index})
    return value


def read_duration(args: Arguments) -> timedelta:
    """`30m`, `2h`, `1d`, `90min`, `1 hour`, `2 days`, `1h30m`, `for 2h`: words after the id."""
    run: list[tuple[int, str]] = []  # (token index, piece) of the adjacent words
    for index, token in args.left():
        if not isinstance(token, Word) or token.key is None or (run and index != run[-1][0] + 1):
            break
        if not run and token.key == "for":
            args.take({index})
            continue
        run += [(index, piece) for piece in pieces(token.key)]
    example = "`30m`, `2h`, `1d` or `2 days`"
    if not run:
        raise args.error(f"`alert mute` needs how long to mute for: {example}.")
    seconds, canonical, exact, pos = 0, "", True, 0
    while pos < len(run):  # pairs of [number] unit
        count = 1
        if run[pos][1].isascii() and run[pos][1].isdigit():
            count, pos = int(run[pos][1][:7]), pos + 1
        unit = run[pos][1] if pos < len(run) else ""
        known = unit if unit in _DURATION_UNITS else closest(unit, _DURATION_UNITS)
        if known is None or not unit.isalpha():
            break
        exact = exact and known == unit
        seconds += count * _DURATION_UNITS[known]
        canonical += f"{count}{known[0]}"
        pos += 1
    last = run[max(pos - 1, 0)][0]
    typed = " ".join(t.display() for i, t in args.left() if run[0][0] <= i <= last)
    split_word = 0 < pos < len(run) and run[pos][0] == run[pos - 1][0]
    if not canonical or split_word:
        raise args.error(f"I can't read {code(typed)} as a time; try {example}.")
    span = (run[0][0], last - run[0][0] + 1)
    if not exact:
        raise args.error(
            f"I can't read {code(typed)} as a time; try {example}.", (*span, canonical)
        )
    duration = timedelta(seconds=seconds)
    if duration > MAX_MUTE:
        raise args.error(f"Alerts mute for up to 30 days; {code(typed)} is longer.", (*span, "30d"))
    if not duration:
        raise args.error(f"{code(typed)} is no time at all; try {example}.")
    args.take({index for index, _ in run[:pos]})
    return duration
