"""The values detectors consume and produce: observations (counts per real elapsed interval) and
per-interval decisions, plus the short rolling window of recent intervals a detector keeps.

Callers can rely on: an `Observation` is immutable, its `start` is timezone-aware (naive input is
taken as UTC) and its `seconds` is positive; a `Decision` always carries `observed` and
`expected` as counts for the same span of time, so a message can say "412 clicks in 15 min,
normally ~40".
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

#: What happened to the alert episode on this interval.
Event = Literal["fired", "resolved"] | None


@functools.lru_cache(maxsize=64)
def spans(seconds: float) -> tuple[timedelta, timedelta, int]:
    """`timedelta(seconds=seconds / 2)` and `timedelta(seconds=seconds)`: an observation's
    middle and end from its start, and the latter in whole microseconds. Cached, as nearly
    every observation lasts the nominal interval and building a timedelta (its keywords
    parsed even when none are passed) cost more than the lookup; the timedeltas are
    immutable, so sharing them changes nothing."""
    length = timedelta(0, seconds)
    return timedelta(0, seconds / 2), length, length // timedelta(microseconds=1)


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware UTC datetime; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Observation:
    """`count` clicks seen during the `seconds` of real time starting at `start`.

    The poller builds one per cycle from the clicks since its last successful read and the real
    elapsed time, so a late or doubled-up cycle is just a longer observation; detectors scale
    their expectation by `seconds` instead of assuming the nominal interval.
    """

    start: datetime
    count: float
    seconds: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", as_utc(self.start))
        count = float(self.count)
        if not math.isfinite(count) or count < 0.0:
            count = 0.0  # a negative or NaN count is a data error, never evidence of a spike
        object.__setattr__(self, "count", count)
        if not (math.isfinite(self.seconds) and self.seconds > 0.0):
            raise ValueError(f"an observation needs a positive duration, got {self.seconds!r}")

    @classmethod
    def ending(cls, end: datetime, count: float, seconds: float) -> Observation:
        """The observation of `count` clicks in the `seconds` before `end` (the poller's view)."""
        return cls(as_utc(end) - timedelta(seconds=seconds), count, seconds)

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)

    @property
    def hours(self) -> float:
        return self.seconds / 3600.0


@dataclass(frozen=True)
class Decision:
    """A detector's verdict on one observation.

    `observed`/`expected` are counts over the span the detector tested (one interval, or the
    last few for windowed tests), `seconds` is that span; `anomalous` says whether the firing
    condition held on this interval; `episode_open` whether an alert episode is open after it;
    `event` is "fired" or "resolved" exactly on the interval where the episode changed.
    `p_value` is the model's tail probability (Bonferroni-adjusted over the spans tested); it is
    None for the threshold rule, while the baseline warms up, and when the count is not even
    on the anomalous side of normal enough to matter (then it was not computed). `score` is
    -log10(p_value) (0 when None), or observed/threshold for the threshold rule.
    """

    at: datetime
    kind: str
    observed: float
    expected: float
    seconds: float
    anomalous: bool
    episode_open: bool
    event: Event = None
    p_value: float | None = None
    score: float = 0.0
    ready: bool = True
    details: dict[str, float] = field(default_factory=dict)

    @classmethod
    def made(
        cls,
        at: datetime,
        kind: str,
        observed: float,
        expected: float,
        seconds: float,
        anomalous: bool,
        episode_open: bool,
        event: Event,
        p_value: float | None,
        score: float,
        ready: bool,
        details: dict[str, float],
    ) -> Decision:
        """The `Decision` `cls(...)` builds, field for field, for a detector's hot path: the
        frozen dataclass's `__init__` sets each of the 12 fields through `object.__setattr__`,
        which cost a tenth of a spike step; this sets the instance's dict in one."""
        decision = object.__new__(cls)
        object.__setattr__(
            decision,
            "__dict__",
            {
                "at": at,
                "kind": kind,
                "observed": observed,
                "expected": expected,
                "seconds": seconds,
                "anomalous": anomalous,
                "episode_open": episode_open,
                "event": event,
                "p_value": p_value,
                "score": score,
                "ready": ready,
                "details": details,
            },
        )
        return decision


@dataclass(frozen=True)
class Recent:
    """One remembered interval: its start, length, count and the baseline's expected count."""

    start: datetime
    seconds: float
    count: float
    expected: float

    def to_json(self) -> list[object]:
        return [self.start.isoformat(), _r(self.seconds), _r(self.count), _r(self.expected)]

    @classmethod
    def from_json(cls, raw: Sequence[object]) -> Recent:
        start, seconds, count, expected = raw
        return cls(
            as_utc(datetime.fromisoformat(str(start))),
            float(str(seconds)),
            float(str(count)),
            float(str(expected)),
        )


def push_recent(
    recent: Sequence[Recent], item: Recent, keep: int, max_gap_seconds: float
) -> tuple[Recent, ...]:
    """`recent` plus `item`, at most `keep` long; forgets everything before a gap longer than
    `max_gap_seconds` so a window never spans an outage (a gap can't make a window look empty).
    """
    kept = list(recent)
    if kept:
        gap = (item.start - kept[-1].start).total_seconds() - kept[-1].seconds
        if gap > max_gap_seconds or item.start < kept[-1].start:
            kept = []
    kept.append(item)
    return tuple(kept[-keep:])


def _r(value: float) -> float:
    """A plain float for the stored state, unrounded.

    JSON round-trips floats exactly, so a detector stepped through storage decides exactly as
    an in-memory run. (Rounding to save bytes moved values across thresholds such as the
    warm-up, which the property tests caught.)
    """
    return float(value)


round_state = _r
