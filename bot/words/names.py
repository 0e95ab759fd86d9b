"""Which of the account's links and groups a run of plain words names.

Pure: the names come in a `NameBook` (read from ClickMeter by `bot.words.book`). A run matches a
name by, in order: the same letters once case and separators are ignored (`spring sale garden`
is `spring-sale-garden`), the start of exactly one name, every word inside exactly one name
(`newsletter` in `Weekly Newsletter`), then difflib's closest (typos). Ties are not guessed.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

Kind = Literal["link", "group"]

# Typos of a whole name: stricter than the grammar's 0.6, since a wrong name answers with
# another link's numbers rather than an error.
_FUZZY_CUTOFF = 0.82
# Only a suggestion, but `mate` must not suggest `xmas-team`.
_SUGGEST_CUTOFF = 0.7
#: A prefix must be this long to stand for a name (`sp` is not `spring-sale-garden`).
MIN_PREFIX = 4
_SEPARATORS = re.compile(r"[\s\-_./·–—]+")


def squash(text: str) -> str:
    """`text` case-folded with separators (spaces, dashes, dots, underscores) removed."""
    return _SEPARATORS.sub("", text.casefold())


def name_words(text: str) -> list[str]:
    """The words of a name (`Weekly Newsletter` -> weekly, newsletter)."""
    return [w for w in _SEPARATORS.split(text.casefold()) if w]


@dataclass(frozen=True, slots=True)
class Named:
    """A link or group of the account, as found: `name` is as ClickMeter spells it."""

    kind: Kind
    name: str


@dataclass(frozen=True)
class NameBook:
    """The account's link and group names. `complete` is False when there were more than were
    read: a word matching nothing may then still be a name (the grammar's resolver searches)."""

    links: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    complete: bool = True

    def entries(self, kinds: Iterable[Kind]) -> list[tuple[str, Named]]:
        """(squashed name, entry) of the names of `kinds`, in that order."""
        return [entry for kind in kinds for entry in self._index[kind]]

    @cached_property
    def _index(self) -> dict[Kind, list[tuple[str, Named]]]:
        # Squashed once per book: a message tries dozens of runs against every name.
        return {
            "link": [(squash(n), Named("link", n)) for n in self.links],
            "group": [(squash(n), Named("group", n)) for n in self.groups],
        }


def _unique(matches: Iterable[Named]) -> Named | None:
    distinct = list(dict.fromkeys(matches))
    return distinct[0] if len(distinct) == 1 else None


def exact(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> Named | None:
    """The one name spelled by `words` once case and separators are ignored, trying `kinds`
    in order (the first kind with exactly one such name wins)."""
    wanted = squash("".join(words))
    if not wanted:
        return None
    for kind in kinds:
        found = _unique(e for s, e in book.entries([kind]) if s == wanted)
        if found is not None:
            return found
    return None


def prefixed(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> list[Named]:
    """Every name `words` start (nothing for fewer than MIN_PREFIX letters)."""
    wanted = squash("".join(words))
    if len(wanted) < MIN_PREFIX:
        return []
    return list(dict.fromkeys(e for s, e in book.entries(kinds) if s.startswith(wanted)))


def loose(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> Named | None:
    """The one name `words` start, or hold every word of, or closely spell; None if none or
    several."""
    found = _unique(prefixed(words, book, kinds))
    if found is not None:
        return found
    typed = [w for word in words for w in name_words(word)]
    entries = book.entries(kinds)
    found = _unique(e for _, e in entries if typed and all(w in name_words(e.name) for w in typed))
    if found is not None:
        return found
    wanted = squash("".join(words))
    by_squash = {s: e for s, e in reversed(entries)}
    close = difflib.get_close_matches(wanted, list(by_squash), n=2, cutoff=_FUZZY_CUTOFF)
    if len(close) == 2 and _ratio(wanted, close[0]) == _ratio(wanted, close[1]):
        return None  # two names as close as each other: not ours to pick
    return by_squash[close[0]] if close else None


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b).ratio()


def closest_names(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> list[Named]:
    """Up to three names like `words`, for "did you mean" (looser than `loose`)."""
    wanted = squash("".join(words))
    by_squash = {s: e for s, e in reversed(book.entries(kinds))}
    close = difflib.get_close_matches(wanted, list(by_squash), n=3, cutoff=_SUGGEST_CUTOFF)
    return [by_squash[s] for s in close]
