"""Threshold: more than N clicks in the rule's window.

The count is the clicks seen in the last `window` nominal intervals of real time (window x
interval seconds, ending with the newest observation): an observation straddling the window's
start counts pro rata (a late poll that covered 10 minutes of a 5-minute window counts half), and
time nobody observed (a failed poll) counts nothing; nothing is extrapolated, so a 1-day window
right after a rule is created only counts what it has seen. It fires when the count is above N,
holds while it stays above 90% of N (so a count hovering at N doesn't flap), and resolves after
2 intervals below that. Sensitivity only sets how many consecutive intervals must be above N:
low 2, medium and high 1. `Decision.expected` is N.
"""

from __future__ import annotations

from alerts.detect.detector import Detector, Dispersion, Verdict
from alerts.detect.episodes import Policy
from alerts.detect.series import Recent

THRESHOLD_FIRE_AFTER = {"low": 2, "medium": 1, "high": 1}
HOLD_FRACTION = 0.9


class ThresholdDetector(Detector):
    """Fires while the window's count exceeds `threshold` (set it after construction or via
    `make_detector(..., threshold=N)`)."""

    kind = "threshold"
    uses_baseline = False
    threshold: float = 0.0

    reset_on_gap = False  # a missed poll must not empty a long (e.g. 1-day) window

    def _configure(self) -> None:
        self.policy = Policy(fire_after=THRESHOLD_FIRE_AFTER[self.sensitivity], resolve_after=2)
        self.keep = self.window + 1  # +1: the oldest may straddle the window's start

    def judge(self, recent: tuple[Recent, ...], ready: bool, k: Dispersion) -> Verdict:
        nominal = self.window * self.interval_seconds
        newest = recent[-1]
        end = newest.start.timestamp() + newest.seconds
        begin = end - nominal
        observed = 0.0
        for r in recent:
            start = r.start.timestamp()
            overlap = min(start + r.seconds, end) - max(start, begin)
            if overlap > 0:
                observed += r.count * min(1.0, overlap / r.seconds)
        n = self.threshold
        return Verdict(
            fire=observed > n,
            hold=observed > HOLD_FRACTION * n,
            observed=observed,
            expected=n,
            seconds=nominal,
            p_value=None,
            score=observed / n if n > 0 else 0.0,
            details={"threshold": n},
        )
