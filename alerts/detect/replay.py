"""Offline replay: a `timestamp,value` CSV of counts per interval through a detector.

Shared by `clickbot replay` and `bench/detect.py`. Each row's timestamp labels the start of its
interval; its length is the time to the next row (the median spacing for the last row, or when
the next row is more than 1.5 spacings away: the missing rows are a gap, not a long interval).
Timestamps may carry UTC offsets (DST changes are then just irregular local labels over regular
real time); naive ones are read as UTC. Empty or non-numeric values are gaps. Rows are replayed in
time order; a repeated timestamp keeps its first row.
"""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alerts.detect.detector import Detector
from alerts.detect.episodes import Episode
from alerts.detect.series import Decision, Observation, as_utc


def _parse_time(text: str) -> datetime:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return as_utc(datetime.fromisoformat(text))


def _parse_value(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_series(
    path: Path | str, interval_seconds: float | None = None
) -> tuple[list[Observation], float]:
    """The observations in the CSV at `path` and the nominal interval in seconds (given, or
    the median spacing of the rows). Raises ValueError on a missing column or bad timestamp."""
    rows: dict[datetime, float | None] = {}
    with Path(path).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "timestamp" not in fields or "value" not in fields:
            raise ValueError(f"{path}: expected a 'timestamp,value' header, got {fields}")
        for raw in reader:
            row = {k.strip().lower(): v for k, v in raw.items() if k is not None}
            stamp = row.get("timestamp")
            if not stamp:
                continue
            try:
                moment = _parse_time(stamp)
            except ValueError as exc:
                raise ValueError(f"{path}: bad timestamp {stamp!r}") from exc
            rows.setdefault(moment, _parse_value(row.get("value")))
    times = sorted(rows)
    return observations_from(times, [rows[t] for t in times], interval_seconds)


def observations_from(
    times: Sequence[datetime], values: Sequence[float | None], interval_seconds: float | None
) -> tuple[list[Observation], float]:
    """Observations from increasing interval-start `times` and counts (None = gap)."""
    diffs = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    positive = [d for d in diffs if d > 0]
    nominal = interval_seconds or (statistics.median(positive) if positive else 300.0)
    out: list[Observation] = []
    for i, (moment, value) in enumerate(zip(times, values, strict=True)):
        if value is None:
            continue
        seconds = diffs[i] if i < len(diffs) and 0 < diffs[i] <= 1.5 * nominal else nominal
        out.append(Observation(moment, max(value, 0.0), seconds))
    return out, nominal


@dataclass(frozen=True)
class ReplayResult:
    decisions: list[Decision]
    episodes: list[Episode]
    state: dict[str, Any]


def episodes_of(decisions: Sequence[Decision]) -> list[Episode]:
    """Episodes from a run of decisions (indices are positions in `decisions`)."""
    episodes: list[Episode] = []
    current: tuple[int, Decision] | None = None
    for i, decision in enumerate(decisions):
        if decision.event == "fired":
            current = (i, decision)
        elif decision.event == "resolved" and current is not None:
            j, fired = current
            episodes.append(
                Episode(fired.kind, fired.at, decision.at, fired.observed, fired.expected, j, i)
            )
            current = None
    if current is not None:
        j, fired = current
        episodes.append(Episode(fired.kind, fired.at, None, fired.observed, fired.expected, j))
    return episodes


def replay(
    detector: Detector,
    observations: Iterable[Observation],
    *,
    history: Iterable[Observation] = (),
) -> ReplayResult:
    """Step `detector` through `observations` (after seeding it with `history`); the same
    decisions as stepping one observation at a time through JSON states."""
    state, decisions = detector.run(detector.seed(history), observations)
    return ReplayResult(decisions, episodes_of(decisions), state)


def replay_csv(path: Path | str, detector: Detector) -> ReplayResult:
    """`replay` over the CSV at `path`, with the detector's nominal interval."""
    observations, _ = read_series(path, detector.interval_seconds)
    return replay(detector, observations)
