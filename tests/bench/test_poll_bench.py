"""`bench/poll.py`, tiny: it runs end to end and prints the promised JSON, at the minimum of calls.

No timing is asserted: this machine is shared and the numbers are the bench's to report.
"""

from __future__ import annotations

import json
import math

import pytest

from bench import poll

KEYS = {
    "bench",
    "sandbox_start_s",
    "datapoints",
    "tracking_links",
    "rules",
    "latency_ms",
    "calls_per_cycle",
    "min_calls",
    "warm_up_calls",
    "wall_s",
    "throttle_floor_s",
    "wall_over_floor",
    "cpu_s_per_cycle",
    "peak_rss_mb",
    "http_429",
    "cycles",
    "targets_met",
}


def test_a_tiny_run_reads_every_page_once_and_reports(capsys: pytest.CaptureFixture[str]) -> None:
    poll.main(["--datapoints", "300", "--latency-ms", "0", "--cycles", "1", "--links", "20"])
    result = json.loads(capsys.readouterr().out)
    assert set(result) == KEYS
    assert result["min_calls"] == math.ceil(result["tracking_links"] / 100)
    assert result["calls_per_cycle"] == result["min_calls"]
    assert result["warm_up_calls"] == result["min_calls"] + 1  # + /me, once, for the zone
    assert result["http_429"] == 0
    assert result["rules"] == 24  # 20 links + the account + 3 tags
    assert [c["stepped"] for c in result["cycles"]] == [0, 24]
    assert set(result["targets_met"]) == {
        "calls_within_2_of_min",
        "wall_within_25pct_of_floor",
        "zero_429",
        "cpu_under_1s",
        "rss_under_150mb",
    }
