"""`bench/unfurl.py` end to end, tiny: it unfurls every link and prints the promised JSON.

No timing is asserted: this machine is shared and the numbers are the bench's to report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.unfurl import most_in_window, percentile

ROOT = Path(__file__).resolve().parents[2]


def test_percentiles_and_windows() -> None:
    assert percentile([], 95) == 0.0
    assert percentile([5.0], 95) == 5.0
    assert percentile([float(v) for v in range(1, 101)], 95) == 95.0
    assert percentile([float(v) for v in range(1, 21)], 50) == 10.0
    assert most_in_window([]) == 0
    assert most_in_window([0.0, 30.0, 59.9, 60.0, 119.0]) == 3
    assert most_in_window([0.0, 61.0, 122.0]) == 1


def test_a_short_run_unfurls_every_link_within_the_limits() -> None:
    command = [sys.executable, "-m", "bench.unfurl", "--links", "3", "--seconds", "2"]
    command += ["--latency-ms", "50", "--timeout", "20"]
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["links"] == 3
    assert result["unfurled"] == 3
    assert result["missing"] == 0
    for key in ("cold_ms", "p50_ms", "p95_ms", "max_ms"):
        assert isinstance(result[key], float | int), key
    assert result["slack"]["chat_unfurl_calls"] == 3
    assert result["slack"]["refused_429"] == 0
    assert result["clickmeter"]["refused_429"] == 0
    assert result["clickmeter"]["requests"] > 3  # the numbers came from the API
    assert "[bench.unfurl" in done.stderr  # progress goes to stderr, only JSON to stdout
