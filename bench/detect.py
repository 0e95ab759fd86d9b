"""How well the alert detectors find labelled anomalies, next to a naive fixed threshold.

    .venv/bin/python -m bench.detect [--nab DIR] [--max-points N] [--jobs 2] [--no-synthetic]
                                     [--lofo-only]
    .venv/bin/python bench/detect.py ...        (same)

The number to quote is `lofo`: leave-one-file-out over the eleven real series (`bench.lofo`):
each sensitivity's threshold (the detector's `TUNING_GRID`) is fit on ten files, low and
medium only among thresholds silent on `nab_no_anomaly`, and the eleventh is scored; per fold,
mean and worst per level, what ships (the fit on all eleven) and its false alerts on the
series without anomalies. `cost`: CPU microseconds per step (the median of five runs) and the
largest stored state in bytes, stepping one observation at a time through a JSON round trip of
the state (`bench.cost`, which can also count instructions per step under callgrind).

Every file is replayed at its own spacing (nyc_taxi's 30 minutes), as `clickbot replay` does.
Besides, it replays labelled count series through every detector and sensitivity
(`alerts.detect.replay`, the same code path as `clickbot replay`) and reports per corpus, per
detector and sensitivity, the share of labelled windows caught, false alerts per 1,000
points, median delay in points from a window's start to its first alert, and NAB's
standard-profile score (`bench.nab`). A detection is an alert episode firing; the first 15%
of each series (at most 750 points) is probationary, as in NAB.

Corpora:
- `nab_real`: the eleven NAB real count series, realTweets, nyc_taxi and the realAWSCloudwatch
  volumes (`data/nab`, see its README);
- `nab_artificial`: NAB's artificial series with one labelled anomaly each;
- `nab_no_anomaly`: NAB's artificial series without anomalies (false alerts only);
- `synthetic_spikes` / `synthetic_drops`: seeded over-dispersed Poisson click series with a
  daily and weekly profile at four volumes, with injected bursts / outages as the windows.

Rows: `spike`, `drop`, `spike+drop` (either detector's alerts) per sensitivity, and `naive`:
a fixed threshold at the probationary mean + 3 standard deviations (what a user would set by
hand), run through the threshold detector so episodes are counted the same way.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

if __package__ in (None, ""):  # run as `python bench/detect.py`: make the repo importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from alerts.detect import SENSITIVITIES, TUNING_GRID, make_detector, read_series, replay
from alerts.detect.series import Observation
from bench.cost import cost as step_cost
from bench.lofo import Labelled, cross_validate
from bench.nab import (
    FileScore,
    load_windows,
    probation,
    score_file,
    summarise,
    window_indices,
)

DEFAULT_NAB = Path(__file__).resolve().parents[1] / "data" / "nab"
CORPORA = {
    "nab_real": ("realTweets/", "realKnownCause/", "realAWSCloudwatch/"),
    "nab_artificial": ("artificialWithAnomaly/",),
    "nab_no_anomaly": ("artificialNoAnomaly/",),
}
VOLUMES = (0.3, 3.0, 30.0, 300.0)  # mean clicks per 5-minute interval
SEEDS = (1, 2, 3)


@dataclass(frozen=True)
class Series:
    corpus: str
    name: str
    observations: list[Observation]
    windows: list[tuple[int, int]]
    #: The nominal interval in seconds: the file's own spacing, as `clickbot replay` uses it.
    interval: float = 300.0


def nab_series(root: Path, max_points: int | None) -> list[Series]:
    windows = load_windows(root / "windows.json")
    out = []
    for name in sorted(windows):
        corpus = next(c for c, prefixes in CORPORA.items() if name.startswith(prefixes))
        observations, interval = read_series(root / "data" / name)
        observations = observations[:max_points]
        times = [o.start for o in observations]
        found = window_indices(times, windows[name])
        out.append(Series(corpus, name, observations, found, interval))
    return out


def synthetic_series(kind: str, volume: float, seed: int, days: int = 14) -> Series:
    """Clicks per 5 min: daily curve, quieter weekends, a gamma day factor (cv 0.15) and a
    gamma interval factor (cv 0.2) over Poisson; then bursts or outages injected after the
    probationary period, each labelled with a window a little wider than itself."""
    rng = np.random.default_rng(seed * 1000 + int(volume * 10) + (0 if kind == "spike" else 7))
    n = days * 288
    start = datetime(2026, 3, 2, tzinfo=UTC)
    minutes = np.arange(n) * 5
    hour = (minutes / 60) % 24
    weekday = (minutes // 1440) % 7
    daily = 0.25 + 1.5 * np.clip(np.sin((hour - 6) / 16 * np.pi), 0, None)
    weekly = np.where(weekday >= 5, 0.6, 1.0)
    day_factor = np.repeat(rng.gamma(1 / 0.15**2, 0.15**2, days), 288)
    rate = volume * daily * weekly * day_factor * rng.gamma(25.0, 1 / 25.0, n)
    counts = rng.poisson(rate).astype(float)
    windows: list[tuple[int, int]] = []
    first = probation(n) + 288
    for slot in np.linspace(first, n - 300, 5 if kind == "spike" else 3).astype(int):
        at = int(slot + rng.integers(0, 100))
        if kind == "spike":
            length = int(rng.integers(1, 4))
            burst = max(15.0, 3.0 * volume * 3.0 / length)  # a share of a few intervals' clicks
            counts[at : at + length] += rng.poisson(burst, length)
            windows.append((at, at + length + 5))
        else:
            at = at - (at % 288) + 144  # noon: traffic normally flows
            counts[at : at + 24] = 0.0  # a two-hour outage
            windows.append((at, at + 24))
    observations = [
        Observation(start + timedelta(minutes=5 * i), float(c), 300.0) for i, c in enumerate(counts)
    ]
    return Series(f"synthetic_{kind}s", f"{kind}_{volume:g}_{seed}", observations, windows)


def detections(
    series: Series, detector: str, sensitivity: str, tuning: Tuning | None = None
) -> list[int]:
    """Indices at which alert episodes fired (`tuning` overrides the level's tuned settings)."""
    if detector == "naive":
        head = [o.count for o in series.observations[: probation(len(series.observations))]]
        limit = statistics.fmean(head) + 3 * statistics.pstdev(head)
        built = make_detector(
            "threshold", "medium", threshold=limit, interval_seconds=series.interval
        )
    else:
        built = make_detector(
            detector,
            sensitivity,  # type: ignore[arg-type]
            interval_seconds=series.interval,
        )
        if tuning:
            built.tune(tuning)
    result = replay(built, series.observations)
    return [e.fired_index for e in result.episodes]


Tuning = dict[str, float]


def _task(args: tuple[Series, str, str]) -> tuple[str, str, str, str, list[int]]:
    series, detector, sensitivity = args
    return (
        series.corpus,
        series.name,
        detector,
        sensitivity,
        detections(series, detector, sensitivity),
    )


def run(all_series: Sequence[Series], jobs: int) -> dict[str, Any]:
    tasks: list[tuple[Series, str, str]] = [
        (s, d, v) for s in all_series for d in ("spike", "drop") for v in SENSITIVITIES
    ]
    tasks += [(s, "naive", "-") for s in all_series]
    found: dict[tuple[str, str, str], list[int]] = {}
    if jobs <= 1:
        results = [_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_task, tasks, chunksize=1))
    for _, name, detector, sensitivity, hits in results:
        found[(name, detector, sensitivity)] = hits
    report: dict[str, Any] = {}
    for corpus in sorted({s.corpus for s in all_series}):
        members = [s for s in all_series if s.corpus == corpus]
        rows: dict[str, object] = {
            "files": len(members),
            "points": sum(len(s.observations) for s in members),
        }
        for detector in ("spike", "drop", "spike+drop"):
            per_level = {}
            for level in SENSITIVITIES:
                scores: list[FileScore] = []
                for s in members:
                    hits = [i for part in detector.split("+") for i in found[(s.name, part, level)]]
                    scores.append(score_file(hits, s.windows, len(s.observations)))
                per_level[level] = summarise(scores)
            rows[detector] = per_level
        rows["naive"] = summarise(
            [
                score_file(found[(s.name, "naive", "-")], s.windows, len(s.observations))
                for s in members
            ]
        )
        report[corpus] = rows
    return report


def _candidate_task(args: tuple[Series, str, str, Tuning]) -> list[int]:
    series, kind, sensitivity, tuning = args
    return detections(series, kind, sensitivity, tuning)


def lofo(real: Sequence[Series], quiet: Sequence[Series], jobs: int) -> dict[str, Any]:
    """Leave-one-file-out over `real` (spike and drop episodes together, as a rule fires on
    either), and false alerts per 1,000 points on `quiet` at each level's shipped settings.

    With a `TUNING_GRID` each level's settings are fit on the other files (`bench.lofo`); with
    none the detector has nothing to fit and each level is scored as it is."""
    candidates: list[tuple[str, Tuning]] = [("medium", dict(t)) for t in TUNING_GRID]
    fixed: dict[str, int] | None = None
    if not TUNING_GRID:
        candidates = [(level, {}) for level in SENSITIVITIES]
        fixed = {level: i for i, level in enumerate(SENSITIVITIES)}
    everything = [*real, *quiet]
    tasks = [
        (s, kind, level, tuning)
        for s in everything
        for level, tuning in candidates
        for kind in ("spike", "drop")
    ]
    if jobs <= 1:
        results = [_candidate_task(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(_candidate_task, tasks, chunksize=1))
    found: dict[tuple[str, int], list[int]] = {}
    for (s, _, level, tuning), hits in zip(tasks, results, strict=True):
        key = (s.name, candidates.index((level, tuning)))
        found[key] = sorted({*found.get(key, []), *hits})
    labels = [
        ",".join(f"{k}={v:g}" for k, v in tuning.items()) or level for level, tuning in candidates
    ]
    files = [Labelled(s.name, s.windows, len(s.observations)) for s in real]

    def quiet_summary(c: int) -> dict[str, float | int | None]:
        return summarise([score_file(found[(s.name, c)], [], len(s.observations)) for s in quiet])

    silent = [c for c in range(len(candidates)) if quiet_summary(c)["false_alerts"] == 0]
    report: dict[str, Any] = {}
    for variant, eligible in (("lofo", silent), ("lofo_unconstrained", None)):
        if variant == "lofo_unconstrained" and fixed is not None:
            continue
        found_hits = cross_validate(
            files, lambda name, c: found[(name, c)], labels, fixed, eligible
        )
        for level in SENSITIVITIES:
            shipped = labels.index(found_hits[level]["shipped"])
            found_hits[level]["no_anomaly"] = quiet_summary(shipped)
        report[variant] = found_hits
    report["silent_on_no_anomaly"] = [labels[c] for c in silent]
    return report


def cost(all_series: Sequence[Series], repeat: int = 5) -> dict[str, Any]:
    """CPU microseconds per step (the median of `repeat` runs) and stored state bytes per
    subject, stepping one observation at a time through a JSON round trip of the state
    (what a poll cycle does); see `bench.cost`."""
    return step_cost([s.observations for s in all_series], repeat)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--nab", type=Path, default=DEFAULT_NAB, help="NAB subset folder")
    parser.add_argument("--max-points", type=int, default=None, help="truncate each NAB file")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--lofo-only", action="store_true", help="only cross-validation and cost")
    args = parser.parse_args(argv)
    began = time.monotonic()
    all_series = nab_series(args.nab.resolve(), args.max_points) if args.nab.exists() else []
    real = [s for s in all_series if s.corpus == "nab_real"]
    quiet = [s for s in all_series if s.corpus == "nab_no_anomaly"]
    cross = lofo(real, quiet, args.jobs) if real else {}
    costs = cost([s for s in real if "AAPL" in s.name or "1ef3de" in s.name])
    if args.lofo_only:
        json.dump({"lofo": cross, "cost": costs}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return 0
    if not args.no_synthetic:
        all_series += [
            synthetic_series(kind, volume, seed)
            for kind in ("spike", "drop")
            for volume in VOLUMES
            for seed in SEEDS
        ]
    report = run(all_series, args.jobs)
    report["lofo"] = cross
    report["cost"] = costs
    report["seconds"] = round(time.monotonic() - began, 1)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
