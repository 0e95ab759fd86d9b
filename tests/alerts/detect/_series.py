"""Series builders shared by the detector tests: seeded Poisson counts with a daily profile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from alerts.detect import Decision, Detector, Episode, Observation, episodes_of

START = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday
STEP = 300.0


def daily_shape(hour: float) -> float:
    """A click-like day: quiet nights, a broad daytime hump; mean about 1."""
    return 0.3 + 1.4 * max(0.0, float(np.sin((hour - 6.0) / 16.0 * np.pi)))


DAY_MEAN = float(np.mean([daily_shape(i / 12.0) for i in range(288)]))


def poisson_counts(mean: float, n: int, seed: int, *, daily: bool = True) -> list[float]:
    rng = np.random.default_rng(seed)
    hours = (np.arange(n) * STEP / 3600.0) % 24
    shape = np.array([daily_shape(h) for h in hours]) if daily else np.ones(n)
    return [float(c) for c in rng.poisson(mean * shape)]


def observations(counts: Sequence[float], start: datetime = START) -> list[Observation]:
    return [Observation(start + timedelta(seconds=STEP * i), c, STEP) for i, c in enumerate(counts)]


def run(
    detector: Detector, obs: Sequence[Observation], state: dict[str, object] | None = None
) -> tuple[dict[str, object], list[Decision], list[Episode]]:
    new_state, decisions = detector.run(state if state is not None else detector.new_state(), obs)
    return new_state, decisions, episodes_of(decisions)


def hourly_history(mean: float, days: int, seed: int, end: datetime = START) -> list[Observation]:
    """`days` of hourly counts ending at `end`, same daily shape as `poisson_counts`."""
    rng = np.random.default_rng(seed)
    first = end - timedelta(days=days)
    out = []
    for i in range(days * 24):
        at = first + timedelta(hours=i)
        expected = mean * 12 * daily_shape(at.hour + 0.5)
        out.append(Observation(at, float(rng.poisson(expected)), 3600.0))
    return out


def daily_history(mean: float, days: int, seed: int, end: datetime = START) -> list[Observation]:
    """`days` of daily totals ending at `end`, matching `poisson_counts(mean, ...)`."""
    rng = np.random.default_rng(seed)
    first = end - timedelta(days=days)
    return [
        Observation(first + timedelta(days=i), float(rng.poisson(mean * 288 * DAY_MEAN)), 86400.0)
        for i in range(days)
    ]
