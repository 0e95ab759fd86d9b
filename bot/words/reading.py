"""The passes that read a plain-words message: each claims what earlier ones left.

The nouns that say what a name is first (link, group, tag), then the account's names spelled
out (`spring sale garden`, `Weekly Newsletter`), timeframes (a date range, what needs the
clock such as `in november` when the account's day is known (`dates`), then `yesterday`), the
vocabulary (reports, intents, changes), clear typos of it (`contries`), and last the names
again, loosely (a prefix, a word of a name, a typo). `Reading` then answers what the message
holds; `reader` turns that into a command.
"""

from __future__ import annotations

import difflib
from datetime import date

from bot.grammar import REPORT_WORDS
from bot.grammar.timeframes import looks_like_dates
from bot.words import vocabulary as v
from bot.words.dates import claim_dates
from bot.words.names import Kind, NameBook, Named, exact, loose, prefixed
from bot.words.pieces import Piece, claim_phrases, phrase, runs

#: What a message may ask for, most specific first: a phrase claimed by one is not read again.
_INTENTS: dict[str, frozenset[str]] = {
    "help": v.HELP_WORDS,
    "hits": v.HITS_WORDS,
    "alerts": v.ALERT_LIST_WORDS,
    "digests": v.DIGEST_LIST_WORDS,
    "links": v.LINKS_WORDS,
    "groups": v.GROUPS_WORDS,
    "top": v.TOP_WORDS,
    "stats": v.STATS_WORDS,
}
_TABLES: tuple[tuple[str, dict[str, str]], ...] = (
    ("report", v.REPORT_PHRASES),
    ("change", v.CHANGING_WORDS),
    *((intent, dict.fromkeys(words, intent)) for intent, words in _INTENTS.items()),
)
_NOUNS: dict[str, str] = {
    **dict.fromkeys(v.LINK_NOUNS, "link"),
    **dict.fromkeys(v.GROUP_NOUNS, "group"),
    **dict.fromkeys(v.TAG_NOUNS, "tag"),
}
#: Single words the tables know: a word that is one of them is never taken for a name.
_KNOWN = frozenset(
    word
    for table in (v.TIMEFRAME_PHRASES, _NOUNS, *(t for _, t in _TABLES))
    for key in table
    for word in key.split()
)
_VOCABULARY = sorted(w for w in _KNOWN | set(REPORT_WORDS) if len(w) >= 4)
# Only clear typos of the vocabulary (`contries`, `yesterdya`); 0.8 keeps `digest` from `digits`.
_TYPO_CUTOFF = 0.8
#: What people put between two days when they mean a range.
_RANGE = frozenset({"to", "through", "until", "and", "-", "–", "—"})
_LATEST = frozenset({"last", "latest", "recent", "newest"})
_CLICK_WORDS = frozenset({"clicks", "hits", "visits"})


class Reading:
    """One message being read: its pieces and what each was claimed as."""

    def __init__(self, found: list[Piece], book: NameBook, today: date | None = None) -> None:
        self.found = found
        self.book = book
        #: The account's local day: phrasings that need the clock are read only with it.
        self.today = today
        self.count = self._latest_count()
        self.noun = self._claim_nouns()
        self.tag = self._tag()
        self.wants_hits = self.count is not None or _mentions(found, v.HITS_WORDS)
        # Names spelled out before timeframes: "Weekly Newsletter" is a group, not a week.
        self.named = self._exact_name()
        self.timeframe = self._timeframe()
        for label, table in _TABLES:
            claim_phrases(found, table, label, v.LONGEST_PHRASE)
        self._correct_typos()
        if self.named is None:
            self.named = self._loose_name()

    # --- passes ---------------------------------------------------------------------------

    def _latest_count(self) -> int | None:
        """`last 20 clicks`: the latest clicks one by one, that many."""
        found = self.found
        for i in range(len(found) - 2):
            first, number, noun = found[i : i + 3]
            if (
                first.key in _LATEST
                and number.key.isascii()
                and number.key.isdigit()
                and noun.key in _CLICK_WORDS
            ):
                first.claim = number.claim = noun.claim = "hits:hits"
                return int(number.key)
        return None

    def _timeframe(self) -> str | None:
        found = self.found
        for i, piece in enumerate(found):
            if not piece.quoted and looks_like_dates(piece.text):
                piece.claim = "timeframe:" + piece.text
                # `2026-11-01 to 2026-11-15`: one range
                after = found[i + 1 : i + 3]
                if len(after) == 2 and after[0].key in _RANGE and looks_like_dates(after[1].text):
                    after[0].claim = after[1].claim = piece.claim
                    return f"{piece.text}..{after[1].text}"
                return piece.text
        dated = claim_dates(found, self.today) if self.today is not None else None
        if dated is not None:
            return dated
        claim_phrases(found, v.TIMEFRAME_PHRASES, "timeframe", v.LONGEST_PHRASE)
        return self.value("timeframe")

    def _claim_nouns(self) -> str | None:
        claim_phrases(self.found, _NOUNS, "noun", 2)
        return self.value("noun")

    def kinds(self) -> list[Kind]:
        """What a name in this message may be: what its noun says, a link for a link's
        latest clicks, else a link or (second) a group."""
        if self.noun == "group":
            return ["group"]
        if self.noun == "link" or self.wants_hits:
            return ["link"]
        return ["link", "group"]

    def _exact_name(self) -> Named | None:
        for piece in self.found:
            if piece.quoted and piece.free:
                piece.claim = "name"
                kind: Kind = "group" if self.noun == "group" else "link"
                return exact([piece.text], self.book, self.kinds()) or Named(kind, piece.text)
        for start, length in runs(self.found, 6):
            span = self.found[start : start + length]
            if all(p.key in _KNOWN or p.key in v.FILLER for p in span):
                continue  # a link named "clicks" is asked for as "link clicks"
            named = exact([p.text for p in span], self.book, self.kinds())
            if named is not None:
                for piece in span:
                    piece.claim = "name"
                return named
        return None

    def _tag(self) -> str | None:
        for i, piece in enumerate(self.found):
            if piece.claim == "noun:tag":
                after = next((p for p in self.found[i + 1 :] if p.free), None)
                if after is not None:
                    after.claim = "tag"
                    return after.text
        return None

    def _correct_typos(self) -> None:
        for piece in self.found:
            if piece.free and not piece.quoted and piece.key not in v.FILLER:
                if piece.key.isdigit() or len(piece.key) < 4:
                    continue
                close = difflib.get_close_matches(piece.key, _VOCABULARY, 1, _TYPO_CUTOFF)
                if close and not loose([piece.text], self.book, self.kinds()):
                    for label, table in _TABLES:
                        if close[0] in table:
                            piece.claim = f"{label}:{table[close[0]]}"
                            break
                    if close[0] in v.TIMEFRAME_PHRASES and self.timeframe is None:
                        self.timeframe = v.TIMEFRAME_PHRASES[close[0]]
                        piece.claim = "timeframe:" + self.timeframe

    def _loose_name(self) -> Named | None:
        for start, length in runs(self.found, 6):
            span = self.found[start : start + length]
            if span[0].key in v.FILLER or span[-1].key in v.FILLER or span[0].key.isdigit():
                continue
            words = [p.text for p in span]
            named = loose(words, self.book, self.kinds())
            several = prefixed(words, self.book, self.kinds())
            if named is None and len(several) > 1:
                # Starts several names: the resolver lists them, with their ids to pick from.
                named = Named(several[0].kind, phrase(self.found, start, length))
            if named is not None:
                for piece in span:
                    piece.claim = "name"
                return named
        return None

    # --- what the pieces add up to ----------------------------------------------------------

    def has(self, label: str) -> bool:
        return any(_is(p, label) for p in self.found)

    def value(self, label: str) -> str | None:
        """What the first piece claimed as `label` was read as (`report:countries`)."""
        return next((self.value_of(p) for p in self.found if _is(p, label)), None)

    @staticmethod
    def value_of(piece: Piece) -> str:
        return (piece.claim or "").partition(":")[2]

    def unknown(self) -> list[Piece]:
        return [p for p in self.found if p.free and p.key not in v.FILLER]

    def number(self) -> int | None:
        for piece in self.unknown():
            if piece.key.isascii() and piece.key.isdigit() and len(piece.key) <= 6:
                piece.claim = "number"
                return int(piece.key)
        return None

    def name_text(self) -> tuple[str | None, Kind | None]:
        """The name asked about and its kind: from the book, or (with a noun, or when the book
        is not complete) the words left over, for the resolver to look up."""
        if self.named is not None:
            return self.named.name, self.named.kind
        left = [p for p in self.unknown() if not p.key.isdigit()]
        noun_kind: Kind | None = (
            "group" if self.noun == "group" else "link" if self.noun == "link" else None
        )
        if left and (noun_kind is not None or not self.book.complete):
            for piece in left:
                piece.claim = "name"
            return " ".join(p.text for p in left), noun_kind or "link"
        return None, None

    def with_timeframe(self, command: str) -> str:
        return f"{command} {self.timeframe}" if self.timeframe else command

    def claim_words(self, key: str, claim: str) -> None:
        for piece in self.unknown():
            if piece.key == key:
                piece.claim = claim


def _mentions(found: list[Piece], words: frozenset[str]) -> bool:
    """Whether the message holds one of the phrases `words` (before anything is claimed)."""
    keys = f" {' '.join(p.key for p in found if not p.quoted)} "
    return any(f" {w} " in keys for w in words)


def _is(piece: Piece, label: str) -> bool:
    return piece.claim is not None and piece.claim.split(":", 1)[0] == label
