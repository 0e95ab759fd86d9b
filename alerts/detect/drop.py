"""Drop: traffic that normally flows has stopped or fallen far below the baseline.

The test sums the last `window` intervals (a full window with no gap, so an outage of the poller
is never read as silence) and asks how unlikely so few clicks are under the baseline's negative
binomial. It fires only when all of these hold:

- the lower-tail p-value is below `alpha` (zero clicks where ~2 were expected is not news);
- the window saw at most `max_ratio` times its expected count;
- at least `min_expected` clicks were expected (the traffic "normally flows");
- the latest interval itself is low too (so recovery stops new firing at once).

An open episode is held while the window stays below `(1 + max_ratio) / 2` of normal and resolves
after `resolve_after` intervals above it. Because it needs a full window, a drop is seen
`window` intervals after it starts at the latest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from alerts.detect.detector import Detector, Dispersion, Verdict, p_and_score, window_sums
from alerts.detect.episodes import Policy
from alerts.detect.series import Recent
from alerts.detect.tails import log_cdf


@dataclass(frozen=True)
class DropLevel:
    alpha: float
    max_ratio: float
    window: int
    min_expected: float
    resolve_after: int


DROP_LEVELS: dict[str, DropLevel] = {
    "low": DropLevel(alpha=1e-8, max_ratio=0.1, window=12, min_expected=20.0, resolve_after=3),
    "medium": DropLevel(alpha=1e-6, max_ratio=0.3, window=6, min_expected=10.0, resolve_after=2),
    "high": DropLevel(alpha=1e-4, max_ratio=0.5, window=3, min_expected=5.0, resolve_after=2),
}


class DropDetector(Detector):
    """Fires when a busy subject goes (nearly) silent; see the module docstring."""

    kind = "drop"
    default_window = 0  # 0: the sensitivity's own window

    def _configure(self) -> None:
        self.level = DROP_LEVELS[self.sensitivity]
        if self.window <= 1:
            self.window = self.level.window
        self.keep = self.window
        self.policy = Policy(fire_after=1, resolve_after=self.level.resolve_after)

    def judge(self, recent: tuple[Recent, ...], ready: bool, k: Dispersion) -> Verdict:
        level = self.level
        observed, expected, seconds = window_sums(recent, self.window)
        full = len(recent) >= self.window
        last = recent[-1]
        hold = ready and full and observed <= (1 + level.max_ratio) / 2 * expected
        candidate = (
            hold
            and expected >= level.min_expected
            and observed <= level.max_ratio * expected
            and last.count <= (1 + level.max_ratio) / 2 * last.expected
        )
        log_p = log_cdf(observed, expected, k.window) if candidate else 0.0
        p_value, score = p_and_score(log_p)
        return Verdict(
            fire=candidate and log_p < math.log(level.alpha),
            hold=hold,
            observed=observed,
            expected=expected,
            seconds=seconds,
            p_value=p_value if candidate else None,
            score=score,
            details={"k": k.window, "intervals": float(min(len(recent), self.window))},
        )
