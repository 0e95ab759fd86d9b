"""The clause readers of the `/clickmeter` grammar: `Arguments`, the tokens after a subcommand.

A subcommand's parse function asks its `Arguments` for each clause it takes (`keyword`,
`channel`, `timeframe`, `name`, `report`, ...), anywhere in the text, then calls `finish`. Every
problem is raised as a `Problem` with a hint and, when one is guessable, a fix; `grammar.parse`
turns it into the `CommandError` the user sees.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.grammar.suggest import Fix, closest, code, escape, quote_name, run_together
from bot.grammar.timeframes import (
    DEFAULT_TIMEFRAME,
    RANGE_EXAMPLE,
    TIMEFRAME_SYNONYMS,
    TIMEFRAME_WORDS,
    TimeframeError,
    UserTimeframe,
    is_timeframe_word,
    join_days,
    looks_like_dates,
    parse_timeframe,
)
from bot.grammar.tokens import ChannelRef, Token, Word, slack_text
from clickmeter import TopReport

#: Every word users may type for a report (lower case) -> the report.
REPORT_WORDS: dict[str, TopReport] = {
    **dict.fromkeys(("countries", "country"), TopReport.COUNTRIES),
    **dict.fromkeys(("referrers", "referrer", "sources"), TopReport.REFERRERS),
    **dict.fromkeys(("browsers", "browser"), TopReport.BROWSERS),
    **dict.fromkeys(
        ("browser-families", "browserfamilies", "browsersfamilies"), TopReport.BROWSERS_FAMILIES
    ),
    **dict.fromkeys(("platforms", "platform", "devices"), TopReport.PLATFORMS),
    **dict.fromkeys(("cities", "city"), TopReport.CITIES),
    **dict.fromkeys(("isps", "isp"), TopReport.ISPS),
    **dict.fromkeys(("ips", "ip"), TopReport.IPS),
    **dict.fromkeys(("oss", "os", "operating-systems"), TopReport.OSS),
    **dict.fromkeys(("os-families", "osfamilies", "ossfamilies"), TopReport.OSS_FAMILIES),
    **dict.fromkeys(("keywords", "keyword"), TopReport.KEYWORDS),
    **dict.fromkeys(("destinations", "destination", "urls"), TopReport.DESTINATIONS),
    **dict.fromkeys(("languages", "language"), TopReport.LANGUAGES),
    **dict.fromkeys(("params", "parameters"), TopReport.PARAMS),
}

# The order users see them in: the everyday reports first.
_REPORT_LIST = (
    "countries, referrers, destinations, browsers, platforms, oss, cities, languages, keywords, "
    "params, isps, ips, browser-families, os-families"
)

# Words that start a clause; an unquoted one is never taken as a name.
_KEYWORDS = frozenset({"link", "group", "tag"})
# What people put between two days when they mean a range.
_JOINERS = frozenset({"..", "...", "…", "-", "–", "—", "to", "through", "until"})
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,9}")


@dataclass(frozen=True, slots=True)
class NameRef:
    """A link or group as the user named it; the resolver matches id, exact name, then prefix."""

    text: str
    quoted: bool = False

    @property
    def id(self) -> int | None:
        """The number when the user typed a bare number (a quoted "123" is a name)."""
        return (
            int(self.text)
            if not self.quoted and self.text.isascii() and self.text.isdigit()
            else None
        )


class Usage(Protocol):
    """What an error message shows of the subcommand being read (a `Subcommand` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def usage(self) -> str: ...
    def example(self, timeframe: str = "last30") -> str: ...


class Problem(Exception):
    """A clause that is not what its subcommand takes: what is wrong, the usage to show, and
    the guessed correction (`fix`) when there is one."""

    def __init__(self, problem: str, hint: str, fix: Fix | None = None) -> None:
        super().__init__(problem)
        self.problem, self.hint, self.fix = problem, hint, fix


def cmd(text: str) -> str:
    """`/clickmeter <text>` as inline code in Slack mrkdwn."""
    return code(f"/clickmeter {text}", limit=None)


def _is_reserved(token: Word) -> bool:
    return not token.quoted and (
        token.text.casefold() in _KEYWORDS
        or is_timeframe_word(token.text)
        or looks_like_dates(token.text)
    )


class Arguments:
    """The tokens after a subcommand. Each clause method takes what it reads, anywhere in the
    text; `finish` reports what nobody took, suggesting the closest word the subcommand knows."""

    def __init__(self, sub: Usage, tokens: Sequence[Token], offset: int = 1) -> None:
        self.sub = sub
        self._left: list[tuple[int, Token]] = list(enumerate(tokens, start=offset))
        self._vocabulary: list[str] = []
        self._names: list[tuple[int, str]] = []  # (token index, text) of names taken

    def error(self, problem: str, fix: Fix | None = None, timeframe: str = "last30") -> Exception:
        """The exception to raise for a user-facing `problem` (usage and example get appended).

        `fix` is a guessed correction, offered when re-parsing with it succeeds; `timeframe` is
        the one shown in the example.
        """
        example = cmd(self.sub.example(timeframe))
        hint = f"Usage: `/clickmeter {escape(self.sub.usage)}`, e.g. {example}."
        return Problem(problem, hint, fix)

    def _clause(self, word: str) -> tuple[int, Token | None] | None:
        # (position of `word`, the token after it) for the one `word` given, None if absent.
        self._vocabulary.append(word)
        found = [
            pos for pos, (_, t) in enumerate(self._left) if isinstance(t, Word) and t.key == word
        ]
        if not found:
            return None
        if len(found) > 1:
            raise self.error(f"`{self.sub.name}` takes `{word}` once.")
        pos = found[0]
        return pos, self._left[pos + 1][1] if pos + 1 < len(self._left) else None

    def keyword(self, word: str, what: str) -> Word | None:
        """The argument of `word <argument>` (e.g. `link spring-sale`), or None if absent."""
        clause = self._clause(word)
        if clause is None:
            return None
        pos, arg = clause
        if not isinstance(arg, Word) or _is_reserved(arg) or not arg.text:
            raise self.error(f"`{word}` needs {what} after it, like `{word} spring-sale`.")
        self._names.append((self._left[pos + 1][0], arg.text))
        del self._left[pos : pos + 2]
        return arg

    def channel(self, word: str = "to") -> ChannelRef | None:
        """The channel of `to #channel` (a Slack channel mention), or None if absent."""
        clause = self._clause(word)
        if clause is None:
            return None
        pos, arg = clause
        if isinstance(arg, Word) and arg.text.startswith("#") and len(arg.text) > 1:
            raise self.error(
                f"`{word}` needs a channel, and {code(arg.text)} reached me as plain text, not as "
                f"a channel link. Type `#` and pick the channel from Slack's list so it turns "
                f"into a link."
            )
        if not isinstance(arg, ChannelRef):
            raise self.error(f"`{word}` needs a channel after it, like `{word} #marketing`.")
        del self._left[pos : pos + 2]
        return arg

    def no_stray_channel(self, what: str) -> None:
        """Fails on a channel mention no clause took, suggesting `to` before it (`what` is what
        would be sent there, e.g. "the alert")."""
        strays = [(i, t) for i, t in self._left if isinstance(t, ChannelRef)]
        if strays:
            index, stray = strays[0]
            raise self.error(
                f"Put `to` before {code(stray.display())} to send {what} there.",
                (index, 1, "to " + slack_text([stray])),
            )

    def flag(self, word: str) -> bool:
        """Whether the lone keyword `word` was given (taking it)."""
        clause = self._clause(word)
        if clause is None:
            return False
        del self._left[clause[0]]
        return True

    def narrow(self, sub: Usage) -> None:
        """From here on, errors show `sub`'s usage and example (for a subcommand's own actions,
        like `alert add`)."""
        self.sub = sub

    def expect(self, words: Collection[str]) -> None:
        """Adds `words` to what `finish` suggests for a near miss."""
        self._vocabulary.extend(words)

    def left(self) -> list[tuple[int, Token]]:
        """What nobody took yet, as (token index, token) in order: for positional clauses."""
        return list(self._left)

    def take(self, indices: Collection[int]) -> None:
        """Takes the tokens at these token indices (as `left` numbers them)."""
        self._left = [(i, t) for i, t in self._left if i not in indices]

    def timeframe(self) -> UserTimeframe:
        """The one timeframe given anywhere, or DEFAULT_TIMEFRAME."""
        self._vocabulary.extend(TIMEFRAME_WORDS)
        found: list[tuple[int, UserTimeframe]] = []
        for pos, (index, token) in enumerate(self._left):
            if not isinstance(token, Word) or token.quoted:
                continue
            try:
                parsed = parse_timeframe(token.text)
            except TimeframeError as error:
                fix = (index, 1, error.replacement) if error.replacement else None
                raise self.error(error.problem, fix, RANGE_EXAMPLE) from None
            if parsed is not None:
                found.append((pos, parsed))
        if len(found) > 1:
            typed = " and ".join(code(tf.typed or "") for _, tf in found)
            problem = f"`{self.sub.name}` takes one timeframe; you gave {typed}."
            raise self.error(problem, self._days_as_range(found), RANGE_EXAMPLE)
        if not found:
            return DEFAULT_TIMEFRAME
        del self._left[found[0][0]]
        return found[0][1]

    def _days_as_range(self, found: list[tuple[int, UserTimeframe]]) -> Fix | None:
        # `2026-11-01 2026-11-15` or `2026-11-01 .. 2026-11-15`: two days meant as a range.
        (first_pos, first), (last_pos, last) = found[0], found[-1]
        between = [t for _, t in self._left[first_pos + 1 : last_pos]]
        joined = join_days(first, last) if len(found) == 2 else None
        if joined is None or not (
            not between or (isinstance(between[0], Word) and between[0].key in _JOINERS)
        ):
            return None
        return self._left[first_pos][0], last_pos - first_pos + 1, joined

    def name(self, what: str) -> NameRef:
        """The first word that is not a keyword or timeframe: a link or group id or name."""
        for pos, (_, token) in enumerate(self._left):
            if isinstance(token, Word) and not _is_reserved(token):
                if not token.text:
                    raise self.error(f'`{self.sub.name}` needs {what}, and `""` is empty.')
                self._names.append((self._left[pos][0], token.text))
                del self._left[pos]
                return NameRef(token.text, token.quoted)
        tip = ""
        reserved = [t for _, t in self._left if isinstance(t, Word)]
        if reserved:
            quoted = f'{self.sub.name} "{reserved[0].text}"'
            tip = f" If it is called {code(reserved[0].text)}, put it in quotes: {cmd(quoted)}."
        raise self.error(f"`{self.sub.name}` needs {what}.{tip}")

    def report(self) -> TopReport:
        """The first report word given anywhere."""
        words = [(pos, i, t) for pos, (i, t) in enumerate(self._left) if isinstance(t, Word)]
        for pos, _, token in words:
            if token.key in REPORT_WORDS:
                del self._left[pos]
                return REPORT_WORDS[token.key]
        for _, index, token in words:
            if token.key is not None and not _is_reserved(token):
                guess = closest(token.text, REPORT_WORDS)
                if guess is not None:
                    raise self.error(
                        f"{code(token.text)} isn't a report I know.", (index, 1, guess)
                    )
        raise self.error(f"`{self.sub.name}` needs a report: {_REPORT_LIST}.")

    def count(self, low: int, high: int, default: int) -> int:
        """A bare number right after what was taken so far, within low..high, else `default`."""
        if not self._left:
            return default
        index, token = self._left[0]
        if not isinstance(token, Word) or token.quoted or not _ASCII_INT.fullmatch(token.text):
            return default
        value = int(token.text)
        if not low <= value <= high:
            fixed = str(min(max(value, low), high))
            raise self.error(
                f"`{self.sub.name}` shows {low} to {high}; {code(token.text)} is out of range.",
                (index, 1, fixed),
            )
        del self._left[0]
        return value

    def words(self) -> list[Word]:
        """Every word still left, in order (for free text such as a search)."""
        taken = [t for _, t in self._left if isinstance(t, Word)]
        self._left = [(i, t) for i, t in self._left if not isinstance(t, Word)]
        return taken

    def finish(self) -> None:
        """Fails naming the tokens nobody took, with a near-miss suggestion when there is one."""
        if not self._left:
            return
        extra = " ".join(t.display() for _, t in self._left)
        problem = f"I don't know what to do with {code(extra)} in `{self.sub.name}`."
        words = [(i, t.text) for i, t in self._left if isinstance(t, Word) and t.key is not None]
        fix = run_together(words, self._vocabulary, TIMEFRAME_SYNONYMS)
        if fix is None and (fix := quote_name(self._names, words)) is not None:
            problem += " Names with spaces go in quotes."
        for index, text in words if fix is None else ():
            if (guess := closest(text, self._vocabulary, TIMEFRAME_SYNONYMS)) is not None:
                fix = (index, 1, guess)
                break
        raise self.error(problem, fix)
