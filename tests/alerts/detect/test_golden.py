"""Speed work on the spike and drop detectors must not move one decision or one stored bit: a
digest of every decision and of the final state, stepping through a JSON round trip of the
state as a poll cycle does, over a busy series (past the two weeks after which the hour of the
week joins normal, once in a zone with daylight saving) and a bursty one with routine zeros.
The digests were taken on the detectors before their CPU work (issue 10)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from alerts.detect import make_detector, read_series

NAB = Path(__file__).resolve().parents[3] / "data" / "nab" / "data"
CASES = {
    (
        "realTweets/Twitter_volume_AAPL.csv",
        5000,
        "UTC",
        "spike",
    ): "91c85798a5b7b7ad61417e63f84def4ea444bf4e5036331593e50bed280c2929",
    (
        "realTweets/Twitter_volume_AAPL.csv",
        5000,
        "UTC",
        "drop",
    ): "70113bc95acdc8efa67b50b928ac35b55eb8e5fa3f385c33a96cf454f3f24519",
    (
        "realTweets/Twitter_volume_AAPL.csv",
        5000,
        "America/New_York",
        "drop",
    ): "74d3da8fab5d9c74f69a6491b653d52cf1ede878c2371aacbda1abff09904520",
    (
        "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv",
        5000,
        "UTC",
        "spike",
    ): "26e35fb3bee86688c486bc036fe56cdcad60e0a0e6f130671c4100d8023e0a2e",
    (
        "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv",
        5000,
        "UTC",
        "drop",
    ): "ade3eedcbb6727713dd2d0c207cef863a5cbcba2eea78608d8d56ffc7dc82a4b",
}


def digest(name: str, steps: int, tz: str, kind: str) -> str:
    observations, interval = read_series(NAB / name)
    detector = make_detector(kind, "medium", interval_seconds=interval, tz=tz)
    state = detector.new_state()
    found = hashlib.sha256()
    for obs in observations[:steps]:
        state, decision = detector.step(json.loads(json.dumps(state)), obs)
        found.update(repr(decision).encode())
    found.update(json.dumps(state, sort_keys=True).encode())
    return found.hexdigest()


@pytest.mark.parametrize(("case", "expected"), CASES.items(), ids=lambda c: "-".join(map(str, c)))
def test_decisions_and_state_are_bit_identical(
    case: tuple[str, int, str, str], expected: str
) -> None:
    assert digest(*case) == expected
