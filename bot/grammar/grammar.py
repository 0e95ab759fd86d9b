"""The core of the `/clickmeter` grammar: the text Slack sends -> a typed command, or a
CommandError to show.

Pure functions, no I/O. `parse` never raises anything but CommandError. Keywords, report names and
timeframes are case-blind and may appear in any order after the subcommand; a quoted phrase is
always a literal name, never a keyword.

A new subcommand is one function decorated with `@subcommand(...)` that reads its clauses from an
`Arguments` (`arguments.py`) and returns a new frozen dataclass (added to `commands.py` and its
`Command`); existing ones are untouched. The subcommands live in `reading.py` (stats, top,
links...), `digests.py` and `alerts.py`; importing `bot.grammar` registers them all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from bot.grammar.arguments import REPORT_WORDS, Arguments, Problem, cmd
from bot.grammar.commands import Command
from bot.grammar.suggest import closest, code
from bot.grammar.timeframes import is_timeframe_word, looks_like_dates
from bot.grammar.tokens import Token, Word, slack_text, tokenize, unescape

#: Longest text accepted (after Slack's escaping is undone).
MAX_TEXT = 1000

# --- errors ---------------------------------------------------------------------------------


class CommandError(ValueError):
    """Text that is not a command.

    `message` is Slack mrkdwn ready to send as is (user text in it is escaped and shortened):
    what was wrong and what to type instead, always with a `/clickmeter ...` example.
    `suggestion`, when set, is the corrected command text (without `/clickmeter`), escaped the
    way Slack sends text (channel mentions as `<#C123|name>`), so `parse(suggestion)` succeeds
    (e.g. for a "run this" button).
    """

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


# --- subcommands ----------------------------------------------------------------------------

ParseFn: TypeAlias = Callable[[Arguments], Command]
_F = TypeVar("_F", bound=ParseFn)


@dataclass(frozen=True, slots=True)
class Subcommand:
    """One subcommand: its help texts and the function that parses its arguments."""

    name: str
    usage: str
    summary: str
    template: str  #: an example; `{tf}` marks where a timeframe goes
    parse: ParseFn

    def example(self, timeframe: str = "last30") -> str:
        return self.template.format(tf=timeframe)


#: Subcommand name -> its definition, in the order help lists them.
SUBCOMMANDS: dict[str, Subcommand] = {}
#: Words that are not subcommands but clearly mean one (for "did you mean").
SUBCOMMAND_SYNONYMS = {
    "report": "top",
    "reports": "top",
    "clicks": "hits",
    "total": "stats",
    "short": "shorten",
    "shortlink": "shorten",
    "shorturl": "shorten",
    "pause": "link pause",
    "resume": "link resume",
    "unpause": "link resume",
}


def subcommand(name: str, *, usage: str, summary: str, example: str) -> Callable[[_F], _F]:
    """Registers the decorated function as the parser of `name`."""

    def register(parse_fn: _F) -> _F:
        SUBCOMMANDS[name] = Subcommand(name, usage, summary, example, parse_fn)
        return parse_fn

    return register


# --- entry point ----------------------------------------------------------------------------


def _parse_tokens(tokens: Sequence[Token]) -> Command:
    if not tokens:
        return SUBCOMMANDS["help"].parse(Arguments(SUBCOMMANDS["help"], ()))  # Help()
    head = tokens[0]
    key = head.key if isinstance(head, Word) else None
    if key is not None and key in SUBCOMMANDS:
        sub = SUBCOMMANDS[key]
        return sub.parse(Arguments(sub, tokens[1:]))
    guess = None
    if key is not None:
        # A report or timeframe on its own is a subcommand left out.
        if key in REPORT_WORDS:
            guess = f"top {head.display()}"
        elif is_timeframe_word(key) or looks_like_dates(key):
            guess = f"stats {head.display()}"
        else:
            guess = closest(key, SUBCOMMANDS, SUBCOMMAND_SYNONYMS)
    raise Problem(
        f"I don't know the command {code(head.display())}.",
        f"Commands: {', '.join(SUBCOMMANDS)}; for example {cmd('stats last7')}, "
        f"or {cmd('help')} for more.",
        (0, 1, guess) if guess else None,
    )


def _repair(tokens: Sequence[Token], problem: Problem, depth: int = 0) -> tuple[str, str] | None:
    # Apply the guessed fix and parse again, following further guesses a few times, so
    # `tpo contries` can become `top countries`; None unless the result parses as text too.
    # (the text to show, the text as Slack would send it: mentions and links as markup)
    if problem.fix is None or depth >= 4:
        return None
    index, span, replacement = problem.fix
    fixed = [*tokens[:index], *tokenize(replacement), *tokens[index + span :]]
    try:
        _parse_tokens(fixed)
    except Problem as again:
        return _repair(fixed, again, depth + 1)
    text, wire = " ".join(t.display() for t in fixed), slack_text(fixed)
    try:
        _parse_tokens(tokenize(wire))
    except Problem:
        return None
    return (text, wire) if len(text) <= 200 else None


def _error(tokens: Sequence[Token], problem: Problem) -> CommandError:
    repaired = _repair(tokens, problem)
    if repaired is not None:
        message = f"{problem.problem} Did you mean {cmd(repaired[0])}?"
        return CommandError(message, repaired[1])
    guess = f" Did you mean {code(problem.fix[2])}?" if problem.fix else ""
    return CommandError(f"{problem.problem}{guess} {problem.hint}")


def parse(text: str) -> Command:
    """The command in `text`, the text after `/clickmeter` exactly as Slack sends it.

    Empty text is Help(). Raises CommandError (and nothing else) for anything else that is not
    a valid command, including text over MAX_TEXT characters.
    """
    length = len(unescape(text))
    if length > MAX_TEXT and (text.split(maxsplit=1) or [""])[0].casefold() == "shorten":
        # The text is long because of the URL: say so, not just that the command is.
        raise CommandError(
            f"That's {length:,} characters; I read commands of up to {MAX_TEXT:,}, so a URL "
            "this long can't be shortened from Slack. Drop the parameters it doesn't need, "
            "or make the link in ClickMeter."
        )
    if length > MAX_TEXT:
        raise CommandError(
            f"That's {length:,} characters; I read commands of up to {MAX_TEXT:,}. "
            f"Ask for less at once, e.g. {cmd('links spring')}."
        )
    tokens = tokenize(text)
    if tokens and isinstance(tokens[0], Word) and tokens[0].key == "/clickmeter":
        tokens = tokens[1:]  # pasted with the command itself
    try:
        return _parse_tokens(tokens)
    except Problem as problem:
        raise _error(tokens, problem) from None
