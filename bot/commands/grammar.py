"""The `/clickmeter` grammar: the text Slack sends -> a typed command, or a CommandError to show.

Pure functions, no I/O. `parse` never raises anything but CommandError. Keywords, report names and
timeframes are case-blind and may appear in any order after the subcommand; a quoted phrase is
always a literal name, never a keyword.

A new subcommand is one function decorated with `@subcommand(...)` that reads its clauses from an
`Arguments` and returns a new frozen dataclass (added to `Command`); existing ones are untouched.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias, TypeVar

from bot.commands.suggest import Fix, closest, code, escape, quote_name, run_together
from bot.commands.timeframes import (
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
from clickmeter import Timeframe, TopReport

#: Longest text accepted (after Slack's escaping is undone).
MAX_TEXT = 1000
DEFAULT_HITS = 10
MAX_HITS = 50

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

# ClickMeter's `/reports` refuses these (of the ones users can type); saying so here beats the
# client's generic refusal after the fact.
_NOT_FOR_TOP = frozenset({Timeframe.TODAY, Timeframe.CURRENT_YEAR})
# Words that start a clause; an unquoted one is never taken as a name.
_KEYWORDS = frozenset({"link", "group", "tag"})
# What people put between two days when they mean a range.
_JOINERS = frozenset({"..", "...", "…", "-", "–", "—", "to", "through", "until"})
_ASCII_INT = re.compile(r"[+-]?[0-9]{1,9}")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Slack clients turn quotes into smart ones, sometimes the wrong way round, so any quote of a
# family closes any other of it.
_DOUBLE, _SINGLE = '"“”„', "'‘’"


# --- tokens ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Word:
    """A bare word or a quoted phrase, with Slack's escaping undone."""

    text: str
    quoted: bool = False

    @property
    def key(self) -> str | None:
        """The text case-folded for matching keywords; None for a quoted phrase."""
        return None if self.quoted else self.text.casefold()

    def display(self) -> str:
        return f'"{self.text}"' if self.quoted else self.text


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel mention `<#C123|general>`; `name` is None when Slack left it out."""

    id: str
    name: str | None = None

    def display(self) -> str:
        return f"#{self.name or self.id}"


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user mention `<@U123>` or `<@U123|ana>`."""

    id: str
    name: str | None = None

    def display(self) -> str:
        return f"@{self.name or self.id}"


Token: TypeAlias = Word | ChannelRef | UserRef


def _unescape(text: str) -> str:
    # Slack escapes only these three; `&amp;` goes last so `&amp;lt;` stays a literal `&lt;`.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str) -> Token:
    target, _, label = inner.partition("|")
    if target.startswith("#") and len(target) > 1:
        return ChannelRef(target[1:], _unescape(label) or None)
    if target.startswith("@") and len(target) > 1:
        return UserRef(target[1:], _unescape(label) or None)
    if target.startswith("!") and len(target) > 1:  # <!here>, <!subteam^S1|@team>
        return Word(_unescape(label) or "@" + target[1:].split("^")[0])
    if target:  # a link Slack made of what the user typed: keep what they typed
        return Word(_unescape(label or target))
    return Word(_unescape(f"<{inner}>"))


def _closing_quote(text: str, start: int) -> int | None:
    family = _DOUBLE if text[start] in _DOUBLE else _SINGLE
    for end in range(start + 1, len(text)):
        # A quote followed by more letters is an apostrophe (mom's), not a closing quote.
        if text[end] in family and (end + 1 == len(text) or text[end + 1].isspace()):
            return end
    return None


def tokenize(text: str) -> list[Token]:
    """Slack's command text as tokens: mentions, quoted phrases, and whitespace-separated words.

    Any whitespace separates (tabs, newlines, non-breaking spaces); inside quotes it is collapsed
    to single spaces. An unbalanced quote is kept as a literal character. Never raises.
    """
    text = text.translate(_ZERO_WIDTH)
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] == "<" and (end := text.find(">", i)) != -1:
            tokens.append(_markup(text[i + 1 : end]))
            i = end + 1
            continue
        if text[i] in _DOUBLE + _SINGLE and (end_quote := _closing_quote(text, i)) is not None:
            tokens.append(Word(" ".join(_unescape(text[i + 1 : end_quote]).split()), quoted=True))
            i = end_quote + 1
            continue
        end = i
        while end < len(text) and not text[end].isspace():
            end += 1
        tokens.append(Word(_unescape(text[i:end])))
        i = end
    return tokens


# --- commands -------------------------------------------------------------------------------


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


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None  #: a key of HELP_TOPICS, or None for the overview


@dataclass(frozen=True, slots=True)
class Stats:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Top:
    """A TOP report for the account, or for one link or one group (never both)."""

    report: TopReport
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME
    link: NameRef | None = None
    group: NameRef | None = None


@dataclass(frozen=True, slots=True)
class Links:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME
    search: str = ""  #: free words joined by single spaces; "" for no filter
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    link: NameRef
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Group:
    group: NameRef
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Groups:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Hits:
    link: NameRef
    count: int = DEFAULT_HITS  #: 1..MAX_HITS


Command: TypeAlias = Help | Stats | Top | Links | Link | Group | Groups | Hits


class CommandError(ValueError):
    """Text that is not a command.

    `message` is Slack mrkdwn ready to send as is (user text in it is escaped and shortened):
    what was wrong and what to type instead, always with a `/clickmeter ...` example.
    `suggestion`, when set, is the corrected command text (without `/clickmeter`), escaped the
    way Slack sends text, so `parse(suggestion)` succeeds (e.g. for a "run this" button).
    """

    def __init__(self, message: str, suggestion: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.suggestion = suggestion


# --- the parser's toolkit -------------------------------------------------------------------


class _Problem(Exception):
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

    def __init__(self, sub: Subcommand, tokens: Sequence[Token], offset: int = 1) -> None:
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
        return _Problem(problem, hint, fix)

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
        if not isinstance(arg, ChannelRef):
            raise self.error(f"`{word}` needs a channel after it, like `{word} #marketing`.")
        del self._left[pos : pos + 2]
        return arg

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


# --- subcommands ----------------------------------------------------------------------------

ParseFn = Callable[[Arguments], Command]
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
SUBCOMMAND_SYNONYMS = {"report": "top", "reports": "top", "clicks": "hits", "total": "stats"}
HELP_TOPICS = ("timeframes", "reports", "names")


def subcommand(name: str, *, usage: str, summary: str, example: str) -> Callable[[_F], _F]:
    """Registers the decorated function as the parser of `name`."""

    def register(parse_fn: _F) -> _F:
        SUBCOMMANDS[name] = Subcommand(name, usage, summary, example, parse_fn)
        return parse_fn

    return register


@subcommand("help", usage="help [topic]", summary="what you can ask me", example="help top")
def _help(args: Arguments) -> Help:
    words = args.words()
    args.finish()
    if not words:
        return Help()
    topics = [*SUBCOMMANDS, *HELP_TOPICS]
    first = words[0].key or ""
    if len(words) == 1 and first in topics:
        return Help(first)
    guess = first if first in topics else closest(words[0].text, topics)
    raise args.error(
        f"There's no help on {code(' '.join(w.text for w in words))}; topics: {', '.join(topics)}.",
        (1, len(words), guess) if guess else None,  # only words are left: they are contiguous
    )


@subcommand(
    "stats",
    usage="stats [timeframe]",
    summary="account clicks vs the period before",
    example="stats {tf}",
)
def _stats(args: Arguments) -> Stats:
    timeframe = args.timeframe()
    args.finish()
    return Stats(timeframe)


@subcommand(
    "top",
    usage="top <report> [timeframe] [link <id|name> | group <id|name>]",
    summary="the top countries, referrers, browsers... of the account, a link or a group",
    example="top countries {tf}",
)
def _top(args: Arguments) -> Top:
    link = args.keyword("link", "a link id or name")
    group = args.keyword("group", "a group id or name")
    if link is not None and group is not None:
        raise args.error("`top` reads one link or one group, not both.")
    report = args.report()
    timeframe = args.timeframe()
    if timeframe.period.timeframe in _NOT_FOR_TOP:
        raise args.error(
            f"TOP reports can't cover {code(timeframe.typed or '')}: ClickMeter doesn't offer "
            f"them for it. Try `yesterday`, `7d`, `this-month` or a range of days."
        )
    args.finish()
    return Top(
        report,
        timeframe,
        link=NameRef(link.text, link.quoted) if link else None,
        group=NameRef(group.text, group.quoted) if group else None,
    )


@subcommand(
    "links",
    usage="links [timeframe] [search words] [tag <tag>]",
    summary="your busiest links, optionally matching words or a tag",
    example="links {tf} spring",
)
def _links(args: Arguments) -> Links:
    tag = args.keyword("tag", "a tag name")
    timeframe = args.timeframe()
    search = " ".join(w.text for w in args.words() if w.text)
    args.finish()
    return Links(timeframe, search, tag.text if tag else None)


@subcommand(
    "link",
    usage="link <id|name> [timeframe]",
    summary="one link's clicks",
    example="link spring-sale {tf}",
)
def _link(args: Arguments) -> Link:
    name = args.name("a link id or name")
    timeframe = args.timeframe()
    args.finish()
    return Link(name, timeframe)


@subcommand(
    "group",
    usage="group <id|name> [timeframe]",
    summary="one group's clicks",
    example="group newsletters {tf}",
)
def _group(args: Arguments) -> Group:
    name = args.name("a group id or name")
    timeframe = args.timeframe()
    args.finish()
    return Group(name, timeframe)


@subcommand("groups", usage="groups [timeframe]", summary="your groups", example="groups {tf}")
def _groups(args: Arguments) -> Groups:
    timeframe = args.timeframe()
    args.finish()
    return Groups(timeframe)


@subcommand(
    "hits",
    usage=f"hits <link> [1-{MAX_HITS}]",
    summary="a link's latest clicks",
    example="hits spring-sale 20",
)
def _hits(args: Arguments) -> Hits:
    name = args.name("a link id or name")
    count = args.count(1, MAX_HITS, DEFAULT_HITS)
    args.finish()
    return Hits(name, count)


# --- entry point ----------------------------------------------------------------------------


def _parse_tokens(tokens: Sequence[Token]) -> Command:
    if not tokens:
        return Help()
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
    raise _Problem(
        f"I don't know the command {code(head.display())}.",
        f"Commands: {', '.join(SUBCOMMANDS)}; for example {cmd('stats last7')}, "
        f"or {cmd('help')} for more.",
        (0, 1, guess) if guess else None,
    )


def _repair(tokens: Sequence[Token], problem: _Problem, depth: int = 0) -> str | None:
    # Apply the guessed fix and parse again, following further guesses a few times, so
    # `tpo contries` can become `top countries`; None unless the result parses as text too.
    if problem.fix is None or depth >= 4:
        return None
    index, span, replacement = problem.fix
    fixed = [*tokens[:index], *tokenize(replacement), *tokens[index + span :]]
    try:
        _parse_tokens(fixed)
    except _Problem as again:
        return _repair(fixed, again, depth + 1)
    text = " ".join(t.display() for t in fixed)
    try:
        _parse_tokens(tokenize(escape(text)))
    except _Problem:
        return None
    return text if len(text) <= 200 else None


def _error(tokens: Sequence[Token], problem: _Problem) -> CommandError:
    suggestion = _repair(tokens, problem)
    if suggestion is not None:
        message = f"{problem.problem} Did you mean {cmd(suggestion)}?"
        return CommandError(message, escape(suggestion))
    guess = f" Did you mean {code(problem.fix[2])}?" if problem.fix else ""
    return CommandError(f"{problem.problem}{guess} {problem.hint}")


def parse(text: str) -> Command:
    """The command in `text`, the text after `/clickmeter` exactly as Slack sends it.

    Empty text is Help(). Raises CommandError (and nothing else) for anything else that is not
    a valid command, including text over MAX_TEXT characters.
    """
    length = len(_unescape(text))
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
    except _Problem as problem:
        raise _error(tokens, problem) from None
