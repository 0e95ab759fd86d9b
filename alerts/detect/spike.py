"""Spike: the count is far above what is normal for this subject at this hour.

The test: the observed count over the last interval, and over the last `window` intervals (so a
surge spread over 15 minutes is caught as well as a one-interval burst), against the baseline's
expected count for the same span under a negative binomial with the learnt over-dispersion
(Poisson when there is none). A scale fires only when all of these hold:

- its tail p-value (times the number of scales tested, a Bonferroni guard) is below `alpha`;
- the count is at least `ratio` times the expectation (a tiny but significant excess on a busy
  link is not news);
- the count is at least `min_count` clicks (a handful of clicks on a quiet link is not a spike).

An open episode is held while some scale stays above `1 + (ratio - 1) / 2` times normal with
p < `alpha_hold`, and resolves after `resolve_after` intervals that are not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alerts.detect.detector import Detector, Dispersion, Verdict, p_and_score, window_sums
from alerts.detect.episodes import Policy
from alerts.detect.series import Recent
from alerts.detect.tails import log_sf


@dataclass(frozen=True)
class SpikeLevel:
    alpha: float
    ratio: float
    min_count: float
    resolve_after: int
    alpha_hold: float = 1e-2


#: The per-sensitivity settings; with 288 five-minute intervals a day, `alpha` bounds the
#: Poisson false-alarm rate at roughly 1 per 1e4 days (low), 10 years (medium), 35 days (high).
SPIKE_LEVELS: dict[str, SpikeLevel] = {
    "low": SpikeLevel(alpha=1e-8, ratio=3.0, min_count=20.0, resolve_after=3),
    "medium": SpikeLevel(alpha=1e-6, ratio=2.0, min_count=10.0, resolve_after=2),
    "high": SpikeLevel(alpha=1e-4, ratio=1.5, min_count=5.0, resolve_after=2),
}


class SpikeDetector(Detector):
    """Fires on counts far above the seasonal baseline; see the module docstring."""

    kind = "spike"

    default_window = 3

    def _configure(self) -> None:
        self.level = SPIKE_LEVELS[self.sensitivity]
        self.policy = Policy(fire_after=1, resolve_after=self.level.resolve_after)

    def judge(self, recent: tuple[Recent, ...], ready: bool, k: Dispersion) -> Verdict:
        level = self.level
        scales = sorted({1, min(self.window, len(recent))})
        best: Verdict | None = None
        fire = hold = False
        hold_ratio = 1 + (level.ratio - 1) / 2
        for size in scales:
            observed, expected, seconds = window_sums(recent, size)
            k_size = k.interval if size == 1 else k.window
            # Both conditions need the count above the holding ratio; below it the (costly)
            # tail probability can't change the verdict, so it is not computed.
            tested = ready and observed >= hold_ratio * expected and observed >= level.min_count / 2
            log_p = log_sf(observed, expected, k_size) if tested else 0.0
            log_p = min(0.0, log_p + math.log(len(scales)))
            p_value, score = p_and_score(log_p)
            scale_fires = (
                tested
                and log_p < math.log(level.alpha)
                and observed >= level.ratio * expected
                and observed >= level.min_count
            )
            scale_holds = tested and log_p < math.log(level.alpha_hold)
            verdict = Verdict(
                scale_fires,
                scale_holds,
                observed,
                expected,
                seconds,
                p_value if tested else None,
                score,
                {"k": k_size, "intervals": float(size)},
            )
            # Report the firing scale if any, else the most significant one.
            if (
                best is None
                or (scale_fires and not best.fire)
                or (scale_fires == best.fire and score > best.score)
            ):
                best = verdict
            fire = fire or scale_fires
            hold = hold or scale_holds
        assert best is not None
        return Verdict(
            fire,
            hold or fire,
            best.observed,
            best.expected,
            best.seconds,
            best.p_value,
            best.score,
            best.details,
        )
