"""What the first page of a summary promises, and whether every later page keeps it.

A summary answers `count` (the rows over all pages) and up to `limit` rows from `offset`. Read
naively, a wrong answer turns into wrong numbers: an inflated `count` asks a thousand pages and
a service that ignores `offset` sends the same rows every time (summed once per page); a short
page drops links, whose clicks then come back all at once on the next read (a false spike). So
each page is checked against what the first one implies, and a page that breaks it fails the
whole read with BadResponseError, which the poller counts as it does any failed read.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

from clickmeter._exceptions import BadResponseError

#: More summary rows than this is an answer to refuse, not to page through: at 100 rows a page
#: and the client's pace of 9 requests/second it would take minutes, longer than a poll cycle.
MAX_ROWS = 100_000
R = TypeVar("R")


class PageCheck:
    """The expectations of one paged read of `path`, set by its first page.

    `check` refuses a page that is longer than asked, shorter than the total implies, or whose
    `count` differs from the first one; `fresh` drops rows already read (by id) and refuses a
    page that brings nothing new.
    """

    def __init__(self, path: str, count: int, limit: int, *, max_rows: int = MAX_ROWS) -> None:
        self.path = path
        self.count = count
        self.limit = limit
        self._seen: set[Hashable] = set()
        if count > max_rows:
            raise self._bad(
                f"says it has {count} rows, more than the {max_rows} a read may page through"
            )

    def offsets(self) -> range:
        """The offsets of the pages after the first."""
        return range(self.limit, self.count, self.limit)

    def check(self, offset: int, count: int, rows: int) -> None:
        """Refuse the page at `offset` whose `count` and number of rows break the promise."""
        if count != self.count:
            raise self._bad(f"changed its count from {self.count} to {count} at offset {offset}")
        expected = max(0, min(self.limit, self.count - offset))
        if rows > self.limit:
            raise self._bad(f"sent {rows} rows at offset {offset}, more than {self.limit} asked")
        if rows != expected:
            raise self._bad(
                f"sent {rows} rows at offset {offset} where its count of {count} implies {expected}"
            )

    def fresh(self, rows: Sequence[R], ids: Sequence[Hashable | None]) -> list[R]:
        """`rows` without those whose id was already read (rows without an id are all kept)."""
        kept: list[R] = []
        for row, key in zip(rows, ids, strict=True):
            if key is not None:
                if key in self._seen:
                    continue
                self._seen.add(key)
            kept.append(row)
        if rows and not kept:
            raise self._bad("sent a page of rows it had already sent: it may be ignoring offset")
        return kept

    def _bad(self, what: str) -> BadResponseError:
        return BadResponseError(
            f"ClickMeter GET {self.path} {what}; the read was dropped", endpoint=self.path
        )
