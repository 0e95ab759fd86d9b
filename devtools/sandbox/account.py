"""The live sandbox account: catalog + hit table + the sandbox clock and its traffic."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np

from clickmeter._timezones import zone_from_windows
from devtools.sandbox import traffic
from devtools.sandbox.catalog import Catalog, build_catalog
from devtools.sandbox.hitstore import Hits, HitStore
from devtools.sandbox.periods import EPOCH, to_us


@dataclass(slots=True)
class Faults:
    """What `/_sandbox/faults` switched on; the body faults are applied by `sandbox.faults`."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after_s: float = 0.0
    revoked: bool = False
    #: 200 answers cut off halfway through their JSON.
    truncated_json: bool = False
    #: 200 answers whose body is not JSON at all.
    garbage_body: bool = False
    #: Summary pages one row shorter than their `count` implies.
    short_page: bool = False
    #: Summaries claim this many rows in `count` (0: the true number).
    inflated_count: int = 0
    #: Bodies dribbled a few bytes at a time, this many milliseconds apart (0: sent at once).
    trickle_ms: float = 0.0


class Clock:
    """Sandbox time = real time + offset; frozen, it stays put until advanced or thawed."""

    def __init__(self, start: datetime | None) -> None:
        self._offset = 0.0 if start is None else start.timestamp() - time.time()
        self._frozen_at: float | None = None

    def now(self) -> datetime:
        t = self._frozen_at if self._frozen_at is not None else time.time() + self._offset
        return datetime.fromtimestamp(t, UTC)

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    def freeze(self, frozen: bool) -> None:
        if frozen and self._frozen_at is None:
            self._frozen_at = time.time() + self._offset
        elif not frozen and self._frozen_at is not None:
            self._offset = self._frozen_at - time.time()
            self._frozen_at = None

    def advance(self, seconds: float) -> None:
        if self._frozen_at is not None:
            self._frozen_at += seconds
        else:
            self._offset += seconds


class Account:
    def __init__(
        self,
        seed: int,
        datapoints: int,
        timezone: str,
        history_days: int,
        start: datetime | None,
        company: str = "Example Outdoor Ltd",
        max_datapoints: int = 5000,
    ) -> None:
        self.seed = seed
        #: The plan's datapoint quota (`/me/plan` maximumDatapoints): creating more is refused.
        self.max_datapoints = max_datapoints
        #: What `/me` calls the account.
        self.company = company
        self.timezone_name = timezone
        self.zone = zone_from_windows(timezone)
        self.clock = Clock(start)
        self.faults = Faults()
        now = self.clock.now()
        self.catalog: Catalog = build_catalog(seed, datapoints, self.zone, now)
        self.store = HitStore()
        self._spikes = 0
        #: (datapoint index, start us, end us): windows in which a datapoint gets no hits.
        self._pauses: list[tuple[int, int, int]] = []
        now_hour = to_us(now) // traffic.HOUR_US
        first = now_hour - history_days * 24
        history = traffic.generate_hours(
            self.catalog, first, history_days * 24, np.random.default_rng([seed, 2])
        )
        self.store.add(history)
        #: Epoch hour number of the first hour not generated yet.
        self._next_hour = now_hour
        self.history_start = EPOCH + timedelta(microseconds=first * traffic.HOUR_US)
        self.sync()

    def now(self) -> datetime:
        return self.clock.now()

    def now_us(self) -> int:
        return to_us(self.clock.now())

    def today(self) -> date:
        return self.clock.now().astimezone(self.zone).date()

    def sync(self) -> None:
        """Generate every hour up to and including the current one (hits beyond now stay
        invisible until the clock reaches them: queries stop at now)."""
        current = self.now_us() // traffic.HOUR_US
        batch = Hits.empty()
        while self._next_hour <= current:
            rng = np.random.default_rng([self.seed, 3, self._next_hour])
            hour = traffic.generate_hours(self.catalog, self._next_hour, 1, rng)
            # One merge for the whole catch-up: a big clock jump stays one sort.
            batch = Hits.concat(batch, hour)
            self._next_hour += 1
        self.store.add(batch)
        if len(batch):
            self._apply_pauses()

    def _apply_pauses(self) -> None:
        for dp, start, end in self._pauses:
            self.store.discard(dp, start, end)

    def pause(self, dp_index: int, minutes: float) -> int:
        """Stop one datapoint's traffic from now for `minutes` (spikes included); returns how
        many already generated hits of that window were dropped."""
        start = self.now_us()
        end = start + int(minutes * 60_000_000)
        self._pauses.append((dp_index, start, end))
        return self.store.discard(dp_index, start, end)

    def spike(self, dp_index: int, per_minute: float, minutes: float) -> int:
        """Add a spike from now; returns how many hits it will bring in total."""
        self._spikes += 1
        rng = np.random.default_rng([self.seed, 4, self._spikes])
        batch = traffic.generate_spike(
            self.catalog, dp_index, self.clock.now(), per_minute, minutes, rng
        )
        self.store.add(batch)
        self._apply_pauses()
        return len(batch)
