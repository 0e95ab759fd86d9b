"""Client-side pacing under ClickMeter's published limit (10 requests/second per IP).

One pacer per API key (and rate) for the whole process, so every client and task sharing a key
shares its budget. Two rules, both checked under a threading lock that is held for
microseconds and never across an await, so nothing is bound to an event loop and clients on
different loops or threads share one pacer safely:

- GCRA ("virtual scheduling") spaces request starts `1 / requests_per_second` apart: each
  caller reserves the next free slot, then sleeps until it.
- A sliding window over the times requests were actually let through keeps at most
  `floor(requests_per_second)` in any second. Without it, a caller that wakes late (a busy
  loop, a GC pause) bunches up with the punctual ones after it, and the server sees a burst
  the schedule never planned.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW = 1.0


class Pacer:
    """Spaces request starts at least `1 / requests_per_second` apart (no burst)."""

    def __init__(
        self, requests_per_second: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        self.interval = 1.0 / requests_per_second
        self._clock = clock
        self._next_slot = 0.0
        self._sent: deque[float] = deque(maxlen=max(1, math.floor(requests_per_second)))
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Claim the next scheduled slot; returns how many seconds to wait before using it."""
        with self._lock:
            now = self._clock()
            slot = max(self._next_slot, now)
            self._next_slot = slot + self.interval
            return slot - now

    def admit(self) -> float:
        """Let a request through now (0.0), or say how long to wait before asking again."""
        with self._lock:
            now = self._clock()
            if len(self._sent) == self._sent.maxlen and now - self._sent[0] < WINDOW:
                return self._sent[0] + WINDOW - now
            self._sent.append(now)
            return 0.0

    async def wait(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)
        while True:
            delay = self.admit()
            if delay <= 0:
                return
            await asyncio.sleep(delay)


_registry: dict[tuple[str, float], Pacer] = {}
_registry_lock = threading.Lock()


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key (safe to keep in memory and logs)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def pacer_for(api_key: str, requests_per_second: float) -> Pacer:
    """The process-wide pacer for this key and rate."""
    registry_key = (key_fingerprint(api_key), requests_per_second)
    with _registry_lock:
        pacer = _registry.get(registry_key)
        if pacer is None:
            pacer = _registry[registry_key] = Pacer(requests_per_second)
        return pacer
