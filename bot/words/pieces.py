"""A plain-words message -> the pieces the reader claims one by one.

Pure. Slack's markup is read by the grammar's own tokenizer (mentions, links, quoted phrases);
each word loses the punctuation around it (`yesterday?`, `(spring-sale)`, `spring-sale's`) and
is compared case-blind. Mentions and channel links carry no meaning in a question and are
dropped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.grammar import Word, tokenize

# Around a word, not inside it: `spring-sale` and `2026-11-01..2026-11-15` keep theirs.
_AROUND = "?!.,;:()[]{}*_~\"'“”„‘’«»¿¡…"
_POSSESSIVE = ("'s", "’s")


@dataclass(slots=True)
class Piece:
    """One word or quoted phrase of the message; `claim` is what the reader read it as."""

    text: str  #: as typed, without the punctuation around it
    quoted: bool = False
    claim: str | None = None

    @property
    def key(self) -> str:
        return self.text.casefold()

    @property
    def free(self) -> bool:
        return self.claim is None


def pieces(text: str) -> list[Piece]:
    """The words and quoted phrases of `text` (Slack's message text, markup and all)."""
    found: list[Piece] = []
    for token in tokenize(text):
        if not isinstance(token, Word):
            continue  # <@U…>, <#C…>: who or where, never what to answer
        if token.quoted:
            if token.text:
                found.append(Piece(token.text, quoted=True))
            continue
        word = token.text
        if token.target is not None and token.target.startswith("!"):
            continue  # <!here>, <!subteam^…>
        for part in word.replace(",", " ").split():
            stripped = part.strip(_AROUND)
            for ending in _POSSESSIVE:
                stripped = stripped.removesuffix(ending)
            stripped = stripped.strip(_AROUND)
            if stripped:
                found.append(Piece(stripped))
    return found


def runs(found: list[Piece], longest: int) -> Iterator[tuple[int, int]]:
    """(start, length) of every run of free, unquoted pieces, longest runs first."""
    for length in range(min(longest, len(found)), 0, -1):
        for start in range(len(found) - length + 1):
            span = found[start : start + length]
            if all(p.free and not p.quoted for p in span):
                yield start, length


def claim_phrases(found: list[Piece], table: Mapping[str, str], label: str, longest: int) -> None:
    """Claim every run whose words are a key of `table` as `label:value`, longest first."""
    for start, length in runs(found, longest):
        span = found[start : start + length]
        if not all(p.free for p in span):
            continue  # claimed by a longer run of this same pass
        value = table.get(" ".join(p.key for p in span))
        if value is not None:
            for piece in span:
                piece.claim = f"{label}:{value}"


def phrase(found: list[Piece], start: int, length: int) -> str:
    return " ".join(p.text for p in found[start : start + length])
