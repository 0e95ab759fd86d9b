"""`bench/unseen.py` on one held-out file: it replays the shipped detectors, scores them the NAB
way and prints the published detectors' scores on the same file, as JSON.

No score is asserted to be good: the numbers are the bench's to report, not a test's to tune to.
"""

from __future__ import annotations

import json

import pytest

from bench import unseen
from bench.detect import nab_series
from bench.nab import score_file, summarise

FILE = "realAWSCloudwatch/elb_request_count_8c0756.csv"


def test_one_file_is_scored_at_every_level_next_to_the_published(
    capsys: pytest.CaptureFixture[str],
) -> None:
    unseen.main(["--files", "elb_request_count_8c0756.csv"])
    result = json.loads(capsys.readouterr().out)
    assert result["files"] == [FILE]
    assert result["points"] == 4032
    for level in ("low", "medium", "high"):
        row = result["spike+drop"][level]
        assert row["files"][FILE] == row["overall"]  # one file: its score is the total
        assert row["overall"]["windows"] == 2
        assert -100.0 <= row["overall"]["nab_score"] <= 100.0
    published = result["published"]
    assert set(published) == set(unseen.PUBLISHED.values())
    assert published["ARTime"]["threshold"] == pytest.approx(0.317486)
    assert published["ARTime"]["overall"]["windows"] == 2


def test_published_counts_score_the_way_bench_nab_does() -> None:
    """The committed counts are what `score_file` gives: a perfect detection at each window's
    first point scores 100 on this file's windows, and the stored null is -1 per window."""
    raw = json.loads((unseen.DEFAULT_UNSEEN / unseen.PUBLISHED_FILE).read_text(encoding="utf-8"))
    stored = unseen.file_score(raw["detectors"]["ARTime"]["files"][FILE])
    series = next(s for s in nab_series(unseen.DEFAULT_UNSEEN, None) if s.name == FILE)
    perfect = score_file([a for a, _ in series.windows], series.windows, len(series.observations))
    assert summarise([perfect])["nab_score"] == 100.0
    assert stored.null == perfect.null == -2.0
    assert stored.perfect == pytest.approx(perfect.perfect)
