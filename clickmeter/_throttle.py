"""Client-side pacing under ClickMeter's published limit (10 requests/second per key).

The seam is `Pacer`: one awaitable `wait()` before each request. `BucketPacer` implements it on
any `pyrate_limiter` bucket, so a limiter shared by several processes is a different bucket,
not different client code. `pacer_for` hands out one in-memory pacer per API key and rate for
the whole process, so every client and task sharing a key shares its budget; `SharedPacers`
hands out pacers whose GCRA state lives in a `StateStore` every process reaches (pyrate-
limiter's `RedisStateStore`: `redis_pacers`; or PostgreSQL's, `storage.pacing`), so the
budget holds across web replicas and workers. A shared state is named by a hash of the key
(`key_fingerprint`), never by the key.

The rule is GCRA (pyrate-limiter's `GCRA` on a `StateBucket`) with a burst of one: request
starts at least `1 / requests_per_second` apart. A slot is taken when a caller is let through,
not booked ahead, so a caller that wakes late (a busy loop, a GC pause) cannot bunch up with
the punctual ones after it into a burst the server would refuse.

Loops and threads: the in-memory state sits behind pyrate-limiter's threading locks, held only
while a slot is taken, never across an await; so clients on different event loops or threads
share one pacer safely. Within one loop, callers are let through in the order they asked. A
shared pacer talks to Redis or PostgreSQL over connections of the event loop that first used
them: one loop per process, as every clickbot process runs.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from pyrate_limiter import (
    GCRA,
    AbstractBucket,
    Duration,
    Limiter,
    Rate,
    RedisStateStore,
    SingleBucketFactory,
    StateBucket,
)
from pyrate_limiter.abstracts.store import StateStore

if TYPE_CHECKING:
    from redis.asyncio import Redis


class Pacer(Protocol):
    """Waits until one more request to ClickMeter may start."""

    async def wait(self) -> None: ...


def pacing_rate(requests_per_second: float) -> Rate:
    """At most `requests_per_second` request starts, evenly spaced (a burst of one), for a
    GCRA bucket (`StateBucket`, in memory or on Redis's `RedisStateStore`). Not for a log
    bucket (`PostgresBucket`, `InMemoryBucket`): those ignore `burst` and would allow the
    whole 1,000 s budget at once; give them `Rate(9, Duration.SECOND)`."""
    if requests_per_second <= 0:
        raise ValueError("requests_per_second must be positive")
    # pyrate-limiter's rates are integers per integer milliseconds: counting per 1,000 s keeps
    # 9.0 or 0.5 requests a second exact (GCRA spaces them interval / limit apart).
    limit = round(requests_per_second * 1000)
    if limit < 1:
        raise ValueError("requests_per_second must be at least 0.001")
    return Rate(limit, Duration.SECOND * 1000, burst=1)


class BucketPacer:
    """A `Pacer` over one pyrate-limiter bucket (in memory, or shared through Redis or
    PostgreSQL), taking one unit named `name` per request."""

    def __init__(self, bucket: AbstractBucket, *, name: str = "clickmeter") -> None:
        self.bucket = bucket
        self._name = name
        # No leak scheduling: a state bucket has nothing to leak, and the leaker would be a
        # thread per bucket. buffer_ms=0: the GCRA wait is exact, and pyrate-limiter's default
        # 50 ms on top of each wait would cut 9 requests a second to about 6.
        self._limiter = Limiter(SingleBucketFactory(bucket, schedule_leak=False), buffer_ms=0)

    async def wait(self) -> None:
        if not await self._limiter.try_acquire_async(self._name):
            # Only when a unit can never fit the rate (a burst below one): a bug, not load.
            raise RuntimeError(f"pacing rate {self.bucket.rates} can never admit a request")


def in_memory_pacer(requests_per_second: float) -> BucketPacer:
    """A pacer for this process alone."""
    return BucketPacer(StateBucket([pacing_rate(requests_per_second)], algorithm=GCRA()))


_registry: dict[tuple[str, float], BucketPacer] = {}
_registry_lock = threading.Lock()


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible name for a key (safe to keep in memory and logs)."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:16]


def pacer_for(api_key: str, requests_per_second: float) -> BucketPacer:
    """The process-wide pacer for this key and rate."""
    registry_key = (key_fingerprint(api_key), requests_per_second)
    with _registry_lock:
        pacer = _registry.get(registry_key)
        if pacer is None:
            pacer = _registry[registry_key] = in_memory_pacer(requests_per_second)
        return pacer


#: Gives the pacer every client of this process uses for an API key at a rate (requests/s).
PacerSource = Callable[[str, float], Pacer]


class SharedPacers:
    """Pacers on state shared by every process: one per (API key, rate), its state in the
    store `store_for` gives for a name made of `prefix`, the key's fingerprint and the rate.
    Callable as a `PacerSource`."""

    def __init__(
        self, store_for: Callable[[str], StateStore], *, prefix: str = "clickbot:pacing"
    ) -> None:
        self._store_for = store_for
        self._prefix = prefix
        self._pacers: dict[str, BucketPacer] = {}
        self._lock = threading.Lock()

    def name(self, api_key: str, requests_per_second: float) -> str:
        """Where the key's state is kept at that rate: no trace of the key itself."""
        return f"{self._prefix}:{key_fingerprint(api_key)}:{pacing_rate(requests_per_second).limit}"

    def __call__(self, api_key: str, requests_per_second: float) -> BucketPacer:
        name = self.name(api_key, requests_per_second)
        with self._lock:
            pacer = self._pacers.get(name)
            if pacer is None:
                rates = [pacing_rate(requests_per_second)]
                bucket = StateBucket(rates, algorithm=GCRA(), store=self._store_for(name))
                pacer = self._pacers[name] = BucketPacer(bucket)
            return pacer


def redis_pacers(redis: Redis) -> SharedPacers:
    """Pacers shared through Redis (pyrate-limiter's `RedisStateStore`: GCRA in a Lua script,
    atomic across clients, one small hash per key that expires when idle). The processes'
    clocks must agree (NTP), as the script is given each caller's wall-clock time."""
    return SharedPacers(lambda name: RedisStateStore(redis, name))
