"""Speed work on the spike and drop detectors must not move one decision or one learnt value,
stepping through a JSON round trip of the state as a poll cycle does, over a busy series (past
the two weeks after which the hour of the week joins normal, once in a zone with daylight
saving) and a bursty one with routine zeros.

Decisions and state are digested apart, so the state's format may change while what it holds
may not. The decision digests are those of the state-format change (issue 10's CPU work, state
version 4 to 5), taken on the code before it; that code's full digests (decisions and state
JSON together) had been retaken once, for the scale cap for the day after warm-up
(`robust.YOUNG_CAP`). The state digests are over the decoded values (`_values`: every model
field, the recent intervals, the episode and the refractory count; datetimes as ISO strings),
every 500 steps, taken from version-4 states on the code before the change: version 5 holds
exactly the same values. A version-4 state stored mid-series (`v4_states.json`, written by
that code: two with an open episode, two in the refractory quiet) still loads and decides as
the uninterrupted run did."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from alerts.detect import make_detector, read_series, state_size
from alerts.detect.state import STATE_VERSION, V4, load

NAB = Path(__file__).resolve().parents[3] / "data" / "nab" / "data"
AAPL = "realTweets/Twitter_volume_AAPL.csv"
DISK = "realAWSCloudwatch/ec2_disk_write_bytes_1ef3de.csv"
#: (series, steps, zone, kind): (decisions' digest, decoded states' digest).
CASES = {
    (AAPL, 5000, "UTC", "spike"): (
        "25198f62eb15a1cb2b1e64eae0dbcadf0488b17965477220bc21ae530dbaebf0",
        "8b973ffd5924524e6e2b1232e1f8d67c3fccd43416b249ba43313ef0b9f05f48",
    ),
    (AAPL, 5000, "UTC", "drop"): (
        "62f7c46cbb9aec81a8eafade5999ac2a8d5ba2c8c8ac7276ab01ade88464ec0a",
        "28e3f2772da696f075d1be51a5b8ac6dd11418f7eeb98b41c29b6e410166cdb4",
    ),
    (AAPL, 5000, "America/New_York", "drop"): (
        "ca537b78fb27e0266d789d7f991092ea619edd8e83bce8be13145c5151a8a104",
        "4afcc4ac16f3165e5a60761b5a1a40ed08511e402de2c5423101502bf9f1ca70",
    ),
    (DISK, 5000, "UTC", "spike"): (
        "a90c0987313abe80f8f4cfbca5e19426b9e00391c89e5af94e0117b446a63170",
        "820614ea4e1fcd8f26bf2a891bd96cb55eb82fa317ca13ff48c039636f027f53",
    ),
    (DISK, 5000, "UTC", "drop"): (
        "254c382070711a6cbfd8f1298b28f9445d8852e947495b1ed8cde7cde79bab5b",
        "215f1240d336e7995348e6b9f500a3ac2f32ca4597b997a1bdb58d8c91b17ffa",
    ),
}
V4_STATES = Path(__file__).with_name("v4_states.json")
MAX_STATE_BYTES = 4096


def _values(state: dict[str, Any]) -> dict[str, Any]:
    live = load(state)
    assert live is not None
    m, episode, recent = live.model, live.episode, live.recent
    return {
        "level": m.level,
        "learnt": m.learnt,
        "counts": [m.run, m.n, m.srun, m.over],
        "hod": list(m.hod),
        "how": list(m.how),
        "dow": list(m.dow),
        "e": list(m.e),
        "scale": list(m.scale),
        "shod": list(m.shod),
        "trackers": [
            *(m.s50, m.sflat, m.sseason, m.fine, m.mean),
            *(m.sshift, m.ssum, m.zeros, m.hot),
        ],
        "recent": [recent[i : i + 3] for i in range(0, len(recent), 3)],
        "last_end": live.last_end.isoformat() if live.last_end else None,
        "episode": [
            *(episode.open, episode.run, episode.calm),
            episode.fired_at.isoformat() if episode.fired_at else None,
            *(episode.observed, episode.expected),
        ],
        "quiet": live.quiet,
    }


def digests(name: str, steps: int, tz: str, kind: str) -> tuple[str, str]:
    observations, interval = read_series(NAB / name)
    detector = make_detector(kind, "medium", interval_seconds=interval, tz=tz)
    state = detector.new_state()
    decisions, states = hashlib.sha256(), hashlib.sha256()
    for i, obs in enumerate(observations[:steps]):
        state, decision = detector.step(json.loads(json.dumps(state)), obs)
        decisions.update(repr(decision).encode())
        if i % 500 == 499:
            assert state["version"] == STATE_VERSION
            assert state_size(state) <= MAX_STATE_BYTES
            states.update(json.dumps(_values(state), sort_keys=True).encode())
    return decisions.hexdigest(), states.hexdigest()


@pytest.mark.parametrize(("case", "expected"), CASES.items(), ids=lambda c: "-".join(map(str, c)))
def test_decisions_and_learnt_values_are_bit_identical(
    case: tuple[str, int, str, str], expected: tuple[str, str]
) -> None:
    decisions, states = digests(*case)
    assert decisions == expected[0]
    assert states == expected[1]


@pytest.mark.parametrize("at", range(4))
def test_a_version_4_state_decides_on_as_the_uninterrupted_run(at: int) -> None:
    stored = json.loads(V4_STATES.read_text())[at]
    observations, interval = read_series(NAB / stored["series"])
    detector = make_detector(stored["kind"], "medium", interval_seconds=interval, tz=stored["tz"])
    state = stored["state"]
    assert state["version"] == V4
    assert detector.reads(state)  # so the engine does not reseed it either
    found = hashlib.sha256()
    for obs in observations[stored["after"] : stored["steps"]]:
        state, decision = detector.step(json.loads(json.dumps(state)), obs)
        found.update(repr(decision).encode())
    assert state["version"] == STATE_VERSION
    assert found.hexdigest() == stored["decisions"]
