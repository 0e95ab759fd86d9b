"""The account's link and group names, read from ClickMeter for the plain-words reader.

A `NameBooks` keeps each account's `NameBook` for BOOK_TTL_S, so a burst of questions reads the
names once; concurrent questions for one account share that one read. At most MAX_NAMES of each
kind are read (the book is then not `complete`, and words naming none of them are left to the
grammar's resolver, which searches ClickMeter). A ClickMeter error reads as an empty, incomplete
book: the answer to the command then says what went wrong.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from cachetools import TTLCache

from bot.words.names import NameBook
from clickmeter import ClickMeterClient, ClickMeterError, Datapoint, DatapointStatus, Group

log = logging.getLogger(__name__)

#: Names read per kind; ClickMeter lists 100 a page, so at most 10 pages each.
MAX_NAMES = 1000
#: How long an account's names are kept: a link made a minute ago is found by its prefix or
#: by the resolver's search meanwhile.
BOOK_TTL_S = 60.0
#: Accounts whose names are kept at once (distribution mode: one per workspace).
MAX_BOOKS = 512

E = TypeVar("E", Datapoint, Group)


async def _names(items: AsyncIterator[E], live: Callable[[E], bool]) -> tuple[list[str], bool]:
    names: list[str] = []
    async for item in items:
        if len(names) >= MAX_NAMES:
            return names, False
        if live(item) and item.name:
            names.append(item.name)
    return names, True


async def read_book(client: ClickMeterClient) -> NameBook:
    """The account's live link and group names (deleted ones are never meant)."""
    try:
        links, all_links = await _names(
            client.iter_datapoints(expand=True), lambda d: d.status is not DatapointStatus.DELETED
        )
        groups, all_groups = await _names(client.iter_groups(expand=True), lambda g: not g.deleted)
    except ClickMeterError as exc:
        log.warning("could not read the account's names for a question: %s", type(exc).__name__)
        return NameBook(complete=False)
    return NameBook(tuple(links), tuple(groups), complete=all_links and all_groups)


class NameBooks:
    """Each account's `NameBook`, read at most once per `ttl` seconds."""

    def __init__(
        self, ttl: float = BOOK_TTL_S, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._books: TTLCache[str, NameBook] = TTLCache(MAX_BOOKS, ttl, timer)
        self._reading: dict[str, asyncio.Task[NameBook]] = {}

    async def book_for(self, key: str, client: ClickMeterClient) -> NameBook:
        """The names of the account `client` reads (`key`: its workspace, or "" for the one
        account of a single-workspace install)."""
        book = self._books.get(key)
        if book is not None:
            return book
        task = self._reading.get(key)
        if task is None:
            task = asyncio.create_task(read_book(client))
            self._reading[key] = task
            task.add_done_callback(lambda _: self._reading.pop(key, None))
        book = await asyncio.shield(task)
        if book.complete or book.links or book.groups:
            self._books[key] = book  # an error is not kept: the next question reads again
        return book
