"""`bench/ack.py` end to end, tiny: its pieces work together and it prints the promised JSON.

No timing is asserted: this machine is shared and the numbers are the bench's to report.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bench.ack import lua_string, thread_count

ROOT = Path(__file__).resolve().parents[2]


def test_thread_count_divides_the_users() -> None:
    assert thread_count(50, 2) == 2
    assert thread_count(3, 2) == 1
    assert thread_count(1, 2) == 1
    assert thread_count(9, 4) == 3


def test_lua_strings_are_quoted_and_refuse_what_they_cannot_carry() -> None:
    assert lua_string('a"b\\c') == '"a\\"b\\\\c"'
    with pytest.raises(ValueError, match="ASCII"):
        lua_string("caf\u00e9")
    with pytest.raises(ValueError, match="ASCII"):
        lua_string("line\nbreak")


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench)")
def test_a_short_run_prints_the_json_and_delivers_every_answer() -> None:
    command = [
        sys.executable,
        "-m",
        "bench.ack",
        "--users",
        "4",
        "--warm-seconds",
        "2",
        "--cold-seconds",
        "2",
        "--grace-seconds",
        "2",
        "--latency-ms",
        "100",
        "--drain-timeout",
        "20",
    ]
    done = subprocess.run(  # noqa: S603
        command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    for key in ("cold_p50_ms", "cold_p99_ms", "warm_p50_ms", "warm_p99_ms"):
        assert isinstance(result[key], float | int), key
    assert result["cold"]["requests"] == 4
    assert result["cold"]["acks"] == 4
    assert result["warm"]["acks"] >= 4
    assert result["answers_expected"] == result["cold"]["acks"] + result["warm"]["acks"]
    assert result["answers_delivered"] == result["answers_expected"]
    assert result["answers_missing"] == 0
    assert result["answers_not_results"] == 0
    assert result["users_answered"] == 4
    assert result["app"]["alive_at_end"] is True
    assert "[bench.ack" in done.stderr  # progress goes to stderr, only JSON to stdout
