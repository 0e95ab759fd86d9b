"""Slack's command text -> tokens: mentions, quoted phrases and whitespace-separated words.

Pure and total: `tokenize` never raises. `slack_text` writes tokens back the way Slack sends them,
so a corrected command (a "did you mean") keeps its channel mentions and links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from bot.grammar.suggest import escape

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Slack clients turn quotes into smart ones, sometimes the wrong way round, so any quote of a
# family closes any other of it.
_DOUBLE, _SINGLE = '"“”„', "'‘’"


@dataclass(frozen=True, slots=True)
class Word:
    """A bare word or a quoted phrase, with Slack's escaping undone.

    `target` is the URL when Slack turned the word into a link (`<https://x.io/a|x.io/a>` is
    Word("x.io/a", target="https://x.io/a")); it takes no part in equality.
    """

    text: str
    quoted: bool = False
    target: str | None = field(default=None, compare=False)

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


def unescape(text: str) -> str:
    """Slack's escaping undone."""
    # Slack escapes only these three; `&amp;` goes last so `&amp;lt;` stays a literal `&lt;`.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _markup(inner: str) -> Token:
    target, _, label = inner.partition("|")
    if target.startswith("#") and len(target) > 1:
        return ChannelRef(target[1:], unescape(label) or None)
    if target.startswith("@") and len(target) > 1:
        return UserRef(target[1:], unescape(label) or None)
    if target.startswith("!subteam^") and len(target) > 9:  # <!subteam^S1|@team>: keep the id
        return Word(unescape(label) or "@" + target[9:], target=target)
    if target.startswith("!") and len(target) > 1:  # <!here>
        return Word(unescape(label) or "@" + target[1:].split("^")[0])
    if target:  # a link Slack made of what the user typed: keep what they typed
        return Word(unescape(label or target), target=unescape(target))
    return Word(unescape(f"<{inner}>"))


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
            tokens.append(Word(" ".join(unescape(text[i + 1 : end_quote]).split()), quoted=True))
            i = end_quote + 1
            continue
        end = i
        while end < len(text) and not text[end].isspace():
            end += 1
        tokens.append(Word(unescape(text[i:end])))
        i = end
    return tokens


def slack_text(tokens: Iterable[Token]) -> str:
    """The tokens as Slack would send them: typed text escaped, mentions and links as markup.

    Mentions and links come back as the same tokens when the text is tokenized again.
    """
    parts: list[str] = []
    for token in tokens:
        if isinstance(token, ChannelRef):
            parts.append(f"<#{token.id}|{escape(token.name)}>" if token.name else f"<#{token.id}>")
        elif isinstance(token, UserRef):
            parts.append(f"<@{token.id}|{escape(token.name)}>" if token.name else f"<@{token.id}>")
        elif token.target is not None and "|" not in token.target + token.text:
            label = "" if token.text == token.target else f"|{escape(token.text)}"
            parts.append(f"<{escape(token.target)}{label}>")
        else:
            parts.append(escape(token.display()))
    return " ".join(parts)
