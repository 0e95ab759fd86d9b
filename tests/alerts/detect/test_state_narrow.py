"""`Live.push` tracks which recent columns are all float32s so the dump need not check them:
the stored bytes must be what checking every column whole gives, whatever the values."""

from __future__ import annotations

import math

from alerts.detect.state import Live, dump, fresh, load


def _checked_whole(live: Live) -> Live:
    """A copy of `live` that knows nothing of its columns (the dump checks each whole)."""
    return Live(live.model, list(live.recent), live.end, live.episode, live.quiet, 0)


def test_tracked_columns_store_the_bytes_a_whole_check_stores() -> None:
    # Whole and fractional, beyond float32's range and its integers, NaN and infinity; a
    # one-off value leaves the column once 4 more intervals push it out.
    seconds = [300.0, 300.0, 300.1, 300.0, 300.0, 300.0, 300.0, 1e39, 300.0, 300.0, 300.0]
    counts = [3.0, 0.5, 7.0, 2.0**24 + 1, 9.0, math.nan, 4.0, 5.0, math.inf, 1.0, 2.0]
    live = fresh()
    widths = set()
    for step in range(3 * len(seconds)):
        i = step % len(seconds)
        if step == len(seconds):
            live.clear()  # a gap: the columns start over
        live.push(seconds[i], counts[i], 1.25, keep=4)
        stored = dump(live, "spike")
        assert stored == dump(_checked_whole(live), "spike")
        reloaded = load(stored)
        assert reloaded is not None
        assert dump(reloaded, "spike") == stored
        widths.add(len(stored["packed"]))
    assert len(widths) > 2  # columns of float32s and of float64s both came up
