"""The account's names for the reader, read from the sandbox: live ones only, bounded, kept a
minute, one read for concurrent questions, and an error never kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.words import book as book_module
from bot.words.book import NameBooks, read_book
from clickmeter import ClickMeterClient
from tests.conftest import Sandbox


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ClickMeterClient]:
    async with ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, requests_per_second=None
    ) as instance:
        yield instance


def listed(sandbox: Sandbox, path: str) -> list[dict[str, Any]]:
    """Every entity the sandbox lists at `path`, all pages."""
    found: list[dict[str, Any]] = []
    while True:
        params: dict[str, str | int] = {"limit": 100, "offset": len(found), "_expand": "true"}
        page = sandbox.api.get(path, params=params).json()["entities"]
        found.extend(page)
        if len(page) < 100:
            return found


async def test_the_book_holds_the_live_names(sandbox: Sandbox, client: ClickMeterClient) -> None:
    book = await read_book(client)
    datapoints = listed(sandbox, "/datapoints")
    assert any(d.get("status") == 3 for d in datapoints)  # the seeded account has deleted ones
    assert book.links == tuple(d["name"] for d in datapoints if d.get("status") != 3)
    assert book.groups == tuple(
        g["name"] for g in listed(sandbox, "/groups") if not g.get("deleted")
    )
    assert book.complete


async def test_a_large_account_is_read_in_part(
    client: ClickMeterClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(book_module, "MAX_NAMES", 10)
    book = await read_book(client)
    assert len(book.links) == 10
    assert not book.complete  # so words naming none of them go to the resolver


async def test_books_are_kept_for_a_while_and_read_once_at_a_time(
    client: ClickMeterClient,
) -> None:
    now = [0.0]
    books = NameBooks(ttl=60, timer=lambda: now[0])
    together = await asyncio.gather(*(books.book_for("T1", client) for _ in range(5)))
    assert all(b is together[0] for b in together)  # one read for all five
    assert await books.book_for("T1", client) is together[0]
    now[0] = 61.0
    again = await books.book_for("T1", client)
    assert again is not together[0]
    assert again == together[0]


async def test_an_error_reads_as_an_incomplete_book_and_is_not_kept(sandbox: Sandbox) -> None:
    books = NameBooks()
    async with ClickMeterClient(
        "0" * 8 + "-0000-4000-8000-" + "0" * 12, base_url=sandbox.url, requests_per_second=None
    ) as refused:
        first = await books.book_for("T1", refused)
        second = await books.book_for("T1", refused)
    assert first.links == first.groups == ()
    assert not first.complete
    assert first is not second  # read again: the next question may find ClickMeter well
