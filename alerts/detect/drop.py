"""Drop: traffic that normally flows has fallen far below normal, or stopped.

Scored by the robust model (`alerts.detect.robust`), like a spike with the sign turned: the
latest interval, or a short run of them, sits at least `threshold` times further below normal
than this subject's clicks usually stray, and at least `min_count` clicks were expected over
that span (zero clicks where ~2 were expected is not news). A poller outage is never read as
silence: a missed cycle is simply not stepped.
"""

from __future__ import annotations

from alerts.detect.scored import ScoredDetector, ScoredLevel

#: Per sensitivity; the thresholds are what bench/detect.py's fit picks on all eleven series.
DROP_LEVELS: dict[str, ScoredLevel] = {
    "low": ScoredLevel(threshold=1.1),
    "medium": ScoredLevel(threshold=1.0),
    "high": ScoredLevel(threshold=0.9),
}


class DropDetector(ScoredDetector):
    """Fires when a busy subject goes (nearly) silent; see the module docstring."""

    kind = "drop"
    side = -1.0
    LEVELS = DROP_LEVELS
    default_window = 16
