"""Runs of words -> a link or group of the account: exact letters, a prefix, a word, a typo."""

from __future__ import annotations

import pytest

from bot.words.names import Kind, NameBook, Named, closest_names, exact, loose, prefixed

BOOK = NameBook(
    links=("spring-sale-garden", "spring-sale-mobile", "newsletter-q1", "Blog", "abc-1", "abd-1"),
    groups=("Spring Sale", "Weekly Newsletter", "Blog"),
)
ANY: list[Kind] = ["link", "group"]


@pytest.mark.parametrize(
    ("words", "kinds", "found"),
    [
        (["spring", "sale", "garden"], ANY, Named("link", "spring-sale-garden")),
        (["SPRING_SALE.GARDEN"], ANY, Named("link", "spring-sale-garden")),
        (["spring-sale"], ANY, Named("group", "Spring Sale")),
        (["blog"], ANY, Named("link", "Blog")),  # the first kind asked wins a tie of letters
        (["blog"], ["group"], Named("group", "Blog")),
        (["garden"], ANY, None),  # not the whole name
    ],
)
def test_exact(words: list[str], kinds: list[Kind], found: Named | None) -> None:
    assert exact(words, BOOK, kinds) == found


@pytest.mark.parametrize(
    ("words", "kinds", "found"),
    [
        (["spring-sale-gar"], ANY, Named("link", "spring-sale-garden")),  # a unique prefix
        (["spring-sale"], ["link"], None),  # starts two links
        (["newsletter"], ["group"], Named("group", "Weekly Newsletter")),  # a word of it
        (["newsletter"], ANY, Named("link", "newsletter-q1")),  # a prefix before a word
        (["mobile", "spring"], ANY, Named("link", "spring-sale-mobile")),  # words, any order
        (["sprng-sale-gardn"], ANY, Named("link", "spring-sale-garden")),  # typos
        (["abe-1"], ANY, None),  # as close to abc-1 as to abd-1: no guess
        (["zebra"], ANY, None),
        (["spr"], ANY, None),  # too short to be a prefix
    ],
)
def test_loose(words: list[str], kinds: list[Kind], found: Named | None) -> None:
    assert loose(words, BOOK, kinds) == found


def test_prefixed_lists_every_name_in_the_books_order() -> None:
    assert prefixed(["spring"], BOOK, ANY) == [
        Named("link", "spring-sale-garden"),
        Named("link", "spring-sale-mobile"),
        Named("group", "Spring Sale"),
    ]


def test_closest_names_suggest_looser_than_loose_matches() -> None:
    assert closest_names(["sprang-sail-grdn"], BOOK, ["link"])[0] == Named(
        "link", "spring-sale-garden"
    )
    assert closest_names(["mate"], BOOK, ANY) == []


def test_a_large_book_finds_the_same() -> None:
    links = (*(f"campaign-{n:04d}" for n in range(3000)), "spring-sale-garden")
    book = NameBook(links, ("Spring Sale",))
    assert loose(["sprng-sale-gardn"], book, ANY) == Named("link", "spring-sale-garden")
    assert exact(["campaign", "0042"], book, ANY) == Named("link", "campaign-0042")
    assert len(prefixed(["campaign-00"], book, ["link"])) == 100
