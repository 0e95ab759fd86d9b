"""Alert detectors: pure functions over a series of click counts.

Typical live use (one detector state per watched subject, stored as JSON between cycles):

    detector = make_detector("spike", "medium")
    state = detector.seed(history)                  # e.g. 90 daily totals + recent hourly counts
    state, decision = detector.step(state, Observation.ending(now, clicks, elapsed_seconds))
    if decision.event == "fired": ...               # decision.observed / decision.expected

A missed cycle is simply not stepped; the next observation covers the real elapsed time.
Offline: `replay_csv(path, ...)` turns a `timestamp,value` CSV into `Episode`s.
"""

from __future__ import annotations

from alerts.detect.baseline import Baseline, Expectation
from alerts.detect.detector import SENSITIVITIES, Detector, Sensitivity, Verdict, state_size
from alerts.detect.drop import DROP_LEVELS, DropDetector
from alerts.detect.episodes import Episode, EpisodeState, Policy
from alerts.detect.replay import ReplayResult, episodes_of, read_series, replay, replay_csv
from alerts.detect.series import Decision, Observation
from alerts.detect.spike import SPIKE_LEVELS, SpikeDetector
from alerts.detect.threshold import ThresholdDetector

KINDS = ("spike", "drop", "threshold")
#: Settings `bench/detect.py` fits per sensitivity by cross-validation (least sensitive first);
#: empty: the levels are fixed by hand and nothing is fitted.
TUNING_GRID: tuple[dict[str, float], ...] = tuple(
    {"threshold": t} for t in (2.0, 1.5, 1.25, 1.1, 1.0, 0.9, 0.8)
)


def make_detector(
    kind: str,
    sensitivity: Sensitivity = "medium",
    *,
    threshold: float | None = None,
    interval_seconds: float = 300.0,
    tz: str = "UTC",
    window: int | None = None,
    warmup_hours: float = 1.0,
) -> Detector:
    """A configured detector of `kind` ("spike", "drop" or "threshold"; the last needs
    `threshold`). Raises ValueError on an unknown kind/sensitivity or a missing threshold."""
    classes: dict[str, type[Detector]] = {
        "spike": SpikeDetector,
        "drop": DropDetector,
        "threshold": ThresholdDetector,
    }
    if kind not in classes:
        raise ValueError(f"unknown detector {kind!r}; expected one of {KINDS}")
    if kind == "threshold" and (threshold is None or not threshold >= 0):
        raise ValueError("the threshold detector needs a non-negative threshold")
    detector = classes[kind](
        sensitivity,
        interval_seconds=interval_seconds,
        tz=tz,
        warmup_hours=warmup_hours,
        window=window,
    )
    if isinstance(detector, ThresholdDetector) and threshold is not None:
        detector.threshold = float(threshold)
    return detector


__all__ = [
    "DROP_LEVELS",
    "KINDS",
    "SENSITIVITIES",
    "SPIKE_LEVELS",
    "TUNING_GRID",
    "Baseline",
    "Decision",
    "Detector",
    "DropDetector",
    "Episode",
    "EpisodeState",
    "Expectation",
    "Observation",
    "Policy",
    "ReplayResult",
    "Sensitivity",
    "SpikeDetector",
    "ThresholdDetector",
    "Verdict",
    "episodes_of",
    "make_detector",
    "read_series",
    "replay",
    "replay_csv",
    "state_size",
]
