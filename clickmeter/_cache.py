"""An opt-in, short-lived cache of GET answers (validated models), with single flight.

ClickMeter allows 10 requests a second per key, and a busy Slack workspace asks the same few
questions (this week's stats, top countries) far more often than that. With a cache, identical
GETs (same path, same query parameters in any order) share one request while it is in flight
and share its answer for `ttl` seconds after it arrived:

- Only successes are kept. An error is given to the callers that were waiting on that one
  request (they asked at the same moment, so they get the same answer); the next caller
  makes a new request.
- A caller that is cancelled stops waiting, but the request goes on for the others and its
  answer is still kept.
- Answers are shared, not copied: the client keeps its frozen models here, validated once.
- `ttl=0` keeps nothing: only requests that overlap in time are merged.

Bound to the event loop of its first use, like the client's `httpx.AsyncClient`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import httpx

T = TypeVar("T")

#: How many answers are kept at most; the oldest go first.
DEFAULT_MAX_ENTRIES = 1024


def request_key(
    path: str, params: Mapping[str, str | int | float | bool] | None
) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What identifies a GET: the path and the query as sent on the wire, sorted by name."""
    items = httpx.QueryParams(params).multi_items() if params else []
    return path, tuple(sorted(items))


@dataclass(frozen=True, slots=True)
class _Entry(Generic[T]):
    value: T
    expires: float


class ResponseCache(Generic[T]):
    """Answers by key for `ttl` seconds, and one flight per key at a time."""

    def __init__(
        self,
        ttl: float,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl < 0:
            raise ValueError("cache ttl must not be negative")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.ttl = ttl
        self._max_entries = max_entries
        self._clock = clock
        self._entries: dict[Hashable, _Entry[T]] = {}
        self._flights: dict[Hashable, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, key: Hashable, fetch: Callable[[], Awaitable[T]]) -> T:
        """The kept answer for `key`, else the answer of the request in flight, else `fetch()`."""
        entry = self._entries.get(key)
        if entry is not None:
            if entry.expires > self._clock():
                return entry.value
            del self._entries[key]
        flight = self._flights.get(key)
        if flight is None:
            flight = asyncio.ensure_future(fetch())
            self._flights[key] = flight
            flight.add_done_callback(lambda done: self._landed(key, done))
        # Shielded: one waiter giving up must not cancel the request the others wait on.
        return await asyncio.shield(flight)

    def _landed(self, key: Hashable, flight: asyncio.Task[T]) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
        if flight.cancelled():
            return
        if flight.exception() is not None:  # also marks it retrieved if nobody waits any more
            return
        if self.ttl > 0:
            self._store(key, flight.result())

    def _store(self, key: Hashable, value: T) -> None:
        now = self._clock()
        self._entries.pop(key, None)
        if len(self._entries) >= self._max_entries:
            for old in [k for k, e in self._entries.items() if e.expires <= now]:
                del self._entries[old]
        while len(self._entries) >= self._max_entries:
            del self._entries[next(iter(self._entries))]
        self._entries[key] = _Entry(value, now + self.ttl)

    def forget(self) -> None:
        """Drop every kept answer (after a write changed what they say); requests in flight
        are left to land."""
        self._entries.clear()

    async def aclose(self) -> None:
        """Cancel the requests in flight and forget everything."""
        flights = list(self._flights.values())
        for flight in flights:
            flight.cancel()
        if flights:
            await asyncio.gather(*flights, return_exceptions=True)
        self._flights.clear()
        self._entries.clear()
