"""NAB-style scoring of detections against labelled anomaly windows.

Conventions (the Numenta Anomaly Benchmark's, see `data/nab/README.md`):

- the first 15% of a file (at most 750 points) is probationary: detections there are not scored;
- a window is caught when a detection falls inside it (inclusive), its delay is the points from
  the window's first index to the first such detection; later detections in it are free;
- a detection outside every window is a false alert;
- the standard profile (`nab_score`): caught windows earn 2·sigmoid(-5p) - 1 at their earliest
  detection, p = -(right - i + 1) / width; missed windows cost 1; false alerts cost 0.11 times
  the same sigmoid of their distance past the previous window (or 0.11 before any window).
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alerts.detect.series import as_utc

FP_WEIGHT = 0.11
FN_WEIGHT = 1.0
TP_WEIGHT = 1.0


@dataclass(frozen=True)
class Profile:
    """NAB's application profiles: weights of a caught window, a false alert and a miss."""

    tp: float = TP_WEIGHT
    fp: float = FP_WEIGHT
    fn: float = FN_WEIGHT


STANDARD = Profile()
#: NAB's reward_low_FP_rate and reward_low_FN_rate profiles (what `low` and `high` are fit to).
LOW_FP = Profile(fp=0.22)
LOW_FN = Profile(fn=2.0)


def probation(length: int) -> int:
    """Number of leading points NAB leaves unscored."""
    return min(math.floor(0.15 * length), 750)


def load_windows(path: Path) -> dict[str, list[tuple[datetime, datetime]]]:
    """windows.json: {"category/file.csv": [[start, end], ...]} with timestamps as datetimes."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {name: [(_ts(a), _ts(b)) for a, b in windows] for name, windows in raw.items()}


def _ts(text: str) -> datetime:
    return as_utc(datetime.fromisoformat(text))


def window_indices(
    times: Sequence[datetime], windows: Sequence[tuple[datetime, datetime]]
) -> list[tuple[int, int]]:
    """Windows as inclusive [first, last] indices into the sorted `times`."""
    out = []
    for start, end in windows:
        first = bisect.bisect_left(times, start)
        last = bisect.bisect_right(times, end) - 1
        if first <= last:
            out.append((first, last))
    return out


@dataclass(frozen=True)
class FileScore:
    """Counts for one file; sums of these make a corpus score."""

    windows: int
    caught: int
    false_alerts: int
    scored_points: int
    delays: tuple[int, ...]
    raw: float
    null: float
    perfect: float


def _scaled_sigmoid(position: float) -> float:
    if position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


def _raw_score(
    detections: Sequence[int],
    windows: Sequence[tuple[int, int]],
    start: int,
    profile: Profile = STANDARD,
) -> float:
    score = 0.0
    best: dict[int, float] = {}
    for i in sorted(set(detections)):
        if i < start:
            continue
        inside = [w for w, (a, b) in enumerate(windows) if a <= i <= b]
        if inside:
            a, b = windows[inside[0]]
            value = profile.tp * _scaled_sigmoid(-(b - i + 1) / (b - a + 1))
            best[inside[0]] = max(best.get(inside[0], -math.inf), value)
            continue
        previous = [(a, b) for a, b in windows if b < i]
        if previous:
            a, b = previous[-1]
            score += profile.fp * _scaled_sigmoid(abs(b - i) / max(b - a, 1))
        else:
            score -= profile.fp
    score += sum(best.values())
    score -= profile.fn * (len(windows) - len(best))
    return score


def score_file(
    detections: Sequence[int],
    windows: Sequence[tuple[int, int]],
    length: int,
    profile: Profile = STANDARD,
) -> FileScore:
    """Score detection indices on a file of `length` points with windows as index pairs."""
    start = probation(length)
    scored = [i for i in detections if i >= start]
    caught = 0
    delays: list[int] = []
    for a, b in windows:
        hits = [i for i in scored if a <= i <= b]
        if hits:
            caught += 1
            delays.append(min(hits) - a)
    false_alerts = sum(1 for i in scored if not any(a <= i <= b for a, b in windows))
    return FileScore(
        windows=len(windows),
        caught=caught,
        false_alerts=false_alerts,
        scored_points=max(length - start, 0),
        delays=tuple(delays),
        raw=_raw_score(detections, windows, start, profile),
        null=_raw_score([], windows, start, profile),
        perfect=_raw_score([a for a, _ in windows if a >= start], windows, start, profile),
    )


def summarise(scores: Sequence[FileScore]) -> dict[str, float | int | None]:
    """Corpus summary: caught share, false alerts per 1,000 points, median delay, NAB score."""
    windows = sum(s.windows for s in scores)
    points = sum(s.scored_points for s in scores)
    delays = sorted(d for s in scores for d in s.delays)
    raw, null, perfect = (sum(getattr(s, f) for s in scores) for f in ("raw", "null", "perfect"))
    return {
        "windows": windows,
        "caught": sum(s.caught for s in scores),
        "caught_share": round(sum(s.caught for s in scores) / windows, 3) if windows else None,
        "false_alerts": sum(s.false_alerts for s in scores),
        "false_per_1000": round(1000 * sum(s.false_alerts for s in scores) / points, 3)
        if points
        else None,
        "median_delay": _median(delays),
        "nab_score": round(100 * (raw - null) / (perfect - null), 1) if perfect > null else None,
    }


def nab_score(scores: Sequence[FileScore]) -> float | None:
    """NAB's normalised score of a corpus: 100 x (raw - null) / (perfect - null), unrounded."""
    raw, null, perfect = (sum(getattr(s, f) for s in scores) for f in ("raw", "null", "perfect"))
    return 100 * (raw - null) / (perfect - null) if perfect > null else None


def _median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    mid = len(values) // 2
    return float(values[mid]) if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
