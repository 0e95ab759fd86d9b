"""Spike: clicks far above what is normal for this subject at this time.

Scored by the robust model (`alerts.detect.robust`): the latest interval, or a short run of
them, is at least `threshold` times further above normal than this subject's clicks usually
stray (its 99.9% quantile, measured on log1p(clicks)), and the span saw at least `min_count`
clicks. The thresholds are fit by `python -m bench.detect` (leave-one-file-out over NAB's
eleven real count series); `low` fires less, `high` earlier.
"""

from __future__ import annotations

from alerts.detect.scored import ScoredDetector, ScoredLevel

#: Per sensitivity; the thresholds are what bench/detect.py's fit picks on all eleven series.
SPIKE_LEVELS: dict[str, ScoredLevel] = {
    "low": ScoredLevel(threshold=1.1),
    "medium": ScoredLevel(threshold=1.0),
    "high": ScoredLevel(threshold=0.9),
}


class SpikeDetector(ScoredDetector):
    """Fires on clicks far above normal; see the module docstring."""

    kind = "spike"
    side = 1.0
    LEVELS = SPIKE_LEVELS
    default_window = 16
