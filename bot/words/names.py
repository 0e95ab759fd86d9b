"""Which of the account's links and groups a run of plain words names.

Pure: the names come in a `NameBook` (read from ClickMeter by `bot.words.book`). A run matches a
name by, in order: the same letters once case and separators are ignored (`spring sale garden`
is `spring-sale-garden`), the start of exactly one name, every word inside exactly one name
(`newsletter` in `Weekly Newsletter`), then difflib's closest (typos). Ties are not guessed.

A book indexes its names once (by letters, by words, by three-letter pieces), so a message's
dozens of runs cost little even against thousands of names: bench/words.py measures it.
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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


def _grams(squashed: str) -> set[str]:
    return {squashed[i : i + 3] for i in range(len(squashed) - 2)} or {squashed}


@dataclass(frozen=True, slots=True)
class Named:
    """A link or group of the account, as found: `name` is as ClickMeter spells it."""

    kind: Kind
    name: str


@dataclass
class _Index:
    """The names of one kind, or of several in order (the first kind wins a tie of letters)."""

    named: list[Named]
    squashed: list[str] = field(init=False)
    by_squash: dict[str, list[Named]] = field(init=False, default_factory=dict)
    by_word: dict[str, set[Named]] = field(init=False, default_factory=dict)
    by_gram: dict[str, list[int]] = field(init=False, default_factory=dict)
    sorted_squashed: list[tuple[str, int]] = field(init=False)

    def __post_init__(self) -> None:
        self.squashed = [squash(n.name) for n in self.named]
        for i, (named, squashed) in enumerate(zip(self.named, self.squashed, strict=True)):
            self.by_squash.setdefault(squashed, []).append(named)
            for word in name_words(named.name):
                self.by_word.setdefault(word, set()).add(named)
            for gram in _grams(squashed):
                self.by_gram.setdefault(gram, []).append(i)
        self.sorted_squashed = sorted((s, i) for i, s in enumerate(self.squashed))

    def starting(self, wanted: str) -> list[Named]:
        """The names starting with `wanted` (squashed), in the book's order."""
        found: list[int] = []
        at = bisect.bisect_left(self.sorted_squashed, (wanted, -1))
        for squashed, i in itertools.islice(self.sorted_squashed, at, None):
            if not squashed.startswith(wanted):
                break
            found.append(i)
        return list(dict.fromkeys(self.named[i] for i in sorted(found)))

    def closest(self, wanted: str, cutoff: float, n: int) -> list[Named]:
        """Up to `n` names at least `cutoff` like `wanted` (squashed), closest first."""
        # Names this close share most of their three-letter pieces: only those are compared.
        grams = _grams(wanted)
        shared = Counter(i for g in grams for i in self.by_gram.get(g, ()))
        need = max(1, len(grams) // 5)
        candidates = {
            self.squashed[i]: self.named[i] for i, c in sorted(shared.items()) if c >= need
        }
        close = difflib.get_close_matches(wanted, list(candidates), n=n, cutoff=cutoff)
        return [candidates[s] for s in close]


@dataclass(frozen=True)
class NameBook:
    """The account's link and group names. `complete` is False when there were more than were
    read: a word matching nothing may then still be a name (the grammar's resolver searches)."""

    links: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    complete: bool = True

    def index(self, kinds: Sequence[Kind]) -> _Index:
        key = tuple(kinds)
        if key not in self._indexes:
            names = {"link": self.links, "group": self.groups}
            self._indexes[key] = _Index([Named(k, n) for k in kinds for n in names[k]])
        return self._indexes[key]

    @cached_property
    def _indexes(self) -> dict[tuple[Kind, ...], _Index]:
        return {}


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
        found = _unique(book.index([kind]).by_squash.get(wanted, ()))
        if found is not None:
            return found
    return None


def prefixed(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> list[Named]:
    """Every name `words` start (nothing for fewer than MIN_PREFIX letters)."""
    wanted = squash("".join(words))
    return book.index(kinds).starting(wanted) if len(wanted) >= MIN_PREFIX else []


def loose(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> Named | None:
    """The one name `words` start, or hold every word of, or closely spell; None if none or
    several."""
    found = _unique(prefixed(words, book, kinds))
    if found is not None:
        return found
    index = book.index(kinds)
    typed = [w for word in words for w in name_words(word)]
    if typed:
        holding = set.intersection(*(index.by_word.get(w, set()) for w in typed))
        found = _unique(holding)
        if found is not None:
            return found
    wanted = squash("".join(words))
    close = index.closest(wanted, _FUZZY_CUTOFF, 2)
    if len(close) == 2 and _ratio(wanted, close[0]) == _ratio(wanted, close[1]):
        return None  # two names as close as each other: not ours to pick
    return close[0] if close else None


def _ratio(wanted: str, named: Named) -> float:
    return difflib.SequenceMatcher(None, wanted, squash(named.name)).ratio()


def closest_names(words: Sequence[str], book: NameBook, kinds: Sequence[Kind]) -> list[Named]:
    """Up to three names like `words`, for "did you mean" (looser than `loose`)."""
    return book.index(kinds).closest(squash("".join(words)), _SUGGEST_CUTOFF, 3)
