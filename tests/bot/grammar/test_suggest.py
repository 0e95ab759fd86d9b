"""Near-miss matching and the safe echo of user text."""

from __future__ import annotations

import pytest

from bot.grammar.suggest import MAX_ECHO, closest, code, escape, quote_name, run_together

WORDS = ["stats", "top", "links", "link", "group", "groups", "hits", "help"]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("stat", "stats"),
        ("tpo", "top"),
        ("lnks", "links"),
        ("STATS", "stats"),
        ("hit", "hits"),
        ("grups", "groups"),
        ("xyzzy", None),
        ("", None),
        ("stats", None),  # never the word itself
    ],
)
def test_closest_subcommand(word: str, expected: str | None) -> None:
    assert closest(word, WORDS) == expected


def test_separators_and_case_are_ignored_first() -> None:
    assert closest("Last-7", ["last7", "last30"]) == "last7"
    assert closest("this_month", ["this-month", "last-month"]) == "this-month"
    assert closest("os families", ["os-families", "oss"]) == "os-families"


def test_synonyms_and_fuzzy_switch() -> None:
    synonyms = {"lastweek": "7d"}
    assert closest("last-week", ["7d", "30d"], synonyms) == "7d"
    assert closest("lastwek", ["7d", "30d"], synonyms, fuzzy=False) is None
    assert closest("anything", []) is None


def test_escape_slack_control_characters() -> None:
    assert escape("a & <b> c") == "a &amp; &lt;b&gt; c"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("spring", "`spring`"),
        ("<!channel>", "`&lt;!channel&gt;`"),
        ("a`b", "`a'b`"),
        ("", '`""`'),
        ("   ", '`""`'),
    ],
)
def test_code(text: str, expected: str) -> None:
    assert code(text) == expected


def test_code_shortens_long_text() -> None:
    shown = code("x" * 500)
    assert len(shown) == MAX_ECHO + 2
    assert shown.endswith("…`")
    assert code("x" * 500, limit=None) == f"`{'x' * 500}`"


VOCABULARY = ["last7", "last30", "this-month", "last-month", "7d", "link"]
SYNONYMS = {"last7days": "7d", "lastweek": "7d"}


@pytest.mark.parametrize(
    ("words", "fix"),
    [
        ([(2, "last"), (3, "7")], (2, 2, "last7")),
        ([(2, "Last"), (3, "7"), (4, "days")], (2, 3, "7d")),
        ([(1, "this"), (2, "month")], (1, 2, "this-month")),
        ([(1, "last-7")], (1, 1, "last7")),
        ([(1, "last"), (3, "week")], None),  # not adjacent
        ([(1, "spring"), (2, "sale")], None),
        ([], None),
    ],
)
def test_run_together(words: list[tuple[int, str]], fix: tuple[int, int, str] | None) -> None:
    assert run_together(words, VOCABULARY, SYNONYMS) == fix


@pytest.mark.parametrize(
    ("names", "words", "fix"),
    [
        ([(1, "spring")], [(2, "sale")], (1, 2, '"spring sale"')),
        ([(1, '"spring')], [(2, 'sale"')], (1, 2, '"spring sale"')),
        ([(1, "spring")], [(2, "sale"), (3, "20")], (1, 2, '"spring sale"')),
        ([(1, "summer")], [(2, "2026")], (1, 2, '"summer 2026"')),
        ([(1, "spring")], [(3, "sale")], None),
        ([], [(2, "sale")], None),
    ],
)
def test_quote_name(
    names: list[tuple[int, str]], words: list[tuple[int, str]], fix: tuple[int, int, str] | None
) -> None:
    assert quote_name(names, words) == fix
