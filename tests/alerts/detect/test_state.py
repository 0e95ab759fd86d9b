"""The spike and drop detectors' packed state (version 5): exact round trips whatever the
recent intervals hold, one fresh start for anything unreadable, the hot path's `Decision`."""

from __future__ import annotations

import binascii
import json
import struct
from datetime import timedelta
from typing import Any

import pytest

from alerts.detect import Decision, Observation, make_detector
from alerts.detect.state import STATE_VERSION, load
from tests.alerts.detect._series import START, STEP, poisson_counts


def _irregular() -> list[Observation]:
    """Late and doubled-up cycles (seconds no float32 holds), fractional and huge counts."""
    counts = poisson_counts(40.0, 2 * 288 + 40, seed=11)
    obs, at = [], START
    for i, count in enumerate(counts):
        seconds = STEP if i % 7 else STEP + 0.1 * (i % 5 + 1)
        value = count + (0.3 if i % 11 == 0 else 0.0) + (3e7 if i == 400 else 0.0)
        obs.append(Observation(at, value, seconds))
        at += timedelta(seconds=seconds)
    return obs


@pytest.mark.parametrize("kind", ["spike", "drop"])
def test_stepping_through_json_decides_and_learns_as_running(kind: str) -> None:
    detector = make_detector(kind)
    obs = _irregular()
    ran, expected = detector.run(None, obs)
    state: dict[str, Any] | None = None
    widths = set()
    for o, want in zip(obs, expected, strict=True):
        state, got = detector.step(json.loads(json.dumps(state)) if state else None, o)
        assert repr(got) == repr(want)
        widths.add(len(state["packed"]))
    assert state == ran  # the same bits, settled in memory or by the dump
    assert len(widths) > 2  # recent columns stored as float32s and as float64s both came up


def _garbled(state: dict[str, Any]) -> list[dict[str, Any]]:
    raw = binascii.a2b_base64(state["packed"])
    pack = binascii.b2a_base64
    count = struct.calcsize("<BddqqiiiiqqddB") - 1  # where the number of recent intervals is
    return [
        {**state, "packed": "not base64!"},
        {**state, "packed": pack(raw[:-8], newline=False).decode()},
        {**state, "packed": pack(raw + b"\0" * 8, newline=False).decode()},
        {**state, "packed": pack(raw[:count] + b"\xff" + raw[count + 1 :], newline=False).decode()},
        {**state, "packed": 12},
        {key: value for key, value in state.items() if key != "packed"},
        {**state, "version": 3},
        {**state, "version": 4, "model": "junk", "episode": {"fired_at": "soon"}},
    ]


def test_an_unreadable_state_starts_over() -> None:
    detector = make_detector("spike")
    learnt, _ = detector.run(None, _irregular()[:300])
    assert load(learnt) is not None
    obs = Observation(START + timedelta(days=9), 3.0, STEP)
    fresh_state, fresh = detector.step(None, obs)
    for state in _garbled(learnt):
        stepped, decision = detector.step(state, obs)
        assert repr(decision) == repr(fresh)
        assert stepped == fresh_state
        assert stepped["version"] == STATE_VERSION


def test_the_hot_paths_decision_is_the_dataclasss() -> None:
    fields: dict[str, Any] = {
        "at": START,
        "kind": "drop",
        "observed": 1.0,
        "expected": 40.5,
        "seconds": 900.0,
        "anomalous": True,
        "episode_open": True,
        "event": "fired",
        "p_value": None,
        "score": 1.25,
        "ready": True,
        "details": {"intervals": 3.0},
    }
    made, built = Decision.made(**fields), Decision(**fields)
    assert made == built
    assert repr(made) == repr(built)
    assert vars(made) == vars(built)
    with pytest.raises(AttributeError):
        made.score = 2.0  # type: ignore[misc]
