"""Near-miss suggestions ("did you mean `top countries`?") and safe echoing of user text.

Both are pure and cheap: candidates are the few dozen words of the grammar.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TypeAlias

#: Echoed user text is cut to this many characters, so one silly token cannot swamp a message.
MAX_ECHO = 40

#: A guessed correction: (index of the first token, how many tokens it replaces, the new text).
Fix: TypeAlias = tuple[int, int, str]

# The quote characters the tokenizer knows; stripped when quoting a name properly.
_QUOTES = "\"“”„'‘’"

# Below 0.6 difflib pairs unrelated short words (`foo` ~ `top`); at 0.6 `tpo` still finds `top`.
_CUTOFF = 0.6


def _squash(word: str) -> str:
    # Separators are the usual near miss (`last-7`, `this_month`, `os families`).
    return "".join(c for c in word.casefold() if c not in "-_ .–—")


def closest(
    word: str,
    candidates: Iterable[str],
    synonyms: Mapping[str, str] | None = None,
    *,
    fuzzy: bool = True,
) -> str | None:
    """The candidate `word` most likely meant, or None when nothing is close enough.

    Tries, in order: the same letters without separators or case (`Last-7` -> `last7`), then
    `synonyms` (keys compared the same way; values should be candidates), then, if `fuzzy`,
    difflib's closest match. Never returns `word` itself.
    """
    options = list(dict.fromkeys(candidates))
    if not options or not word:
        return None
    squashed = _squash(word)
    for option in options:
        if _squash(option) == squashed and option != word:
            return option
    for key, target in (synonyms or {}).items():
        if _squash(key) == squashed and target != word:
            return target
    if not fuzzy:
        return None
    folded = word.casefold()
    matches = difflib.get_close_matches(folded, options, n=1, cutoff=_CUTOFF)
    if matches and matches[0] != word:
        return matches[0]
    return None


def run_together(
    words: Sequence[tuple[int, str]], vocabulary: Collection[str], synonyms: Mapping[str, str]
) -> Fix | None:
    """1 to 3 adjacent words (by token index) that spell a vocabulary word once case, spaces
    and separators are ignored: `last 7` -> last7, `this month` -> this-month, `last 7 days` ->
    7d (through `synonyms`). Longest runs first; no fuzzy matching.
    """
    for span in (3, 2, 1):
        for start in range(len(words) - span + 1):
            run = words[start : start + span]
            if run[-1][0] - run[0][0] != span - 1:
                continue
            joined = "".join(text for _, text in run).casefold()
            if span > 1 and joined in vocabulary:
                return run[0][0], span, joined
            guess = closest(joined, vocabulary, synonyms, fuzzy=False)
            if guess is not None:
                return run[0][0], span, guess
    return None


def quote_name(names: Sequence[tuple[int, str]], words: Sequence[tuple[int, str]]) -> Fix | None:
    """A name typed with spaces but no quotes (`link spring sale`): a taken name (token index,
    text) followed directly by leftover `words`, quoted as one phrase. A number right after a
    name is more likely a count (`hits spring sale 20`), so numbers join only when nothing else
    would (`link summer sale 2026`).
    """
    with_numbers = dict(words)
    without = {i: t for i, t in words if not t.lstrip("+-").isdigit()}
    for loose, (index, name) in itertools.product((without, with_numbers), names):
        after = list(itertools.takewhile(loose.__contains__, itertools.count(index + 1)))
        if after:
            phrase = " ".join(t.strip(_QUOTES) for t in [name, *(loose[i] for i in after)])
            return index, len(after) + 1, f'"{phrase}"'
    return None


def escape(text: str) -> str:
    """`text` with Slack's three control characters escaped, so it renders literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str, limit: int | None = MAX_ECHO) -> str:
    """User text as an inline code span in Slack mrkdwn: escaped, backtick-free, cut to `limit`."""
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    text = text.replace("`", "'")
    return f"`{escape(text)}`" if text.strip() else '`""`'
