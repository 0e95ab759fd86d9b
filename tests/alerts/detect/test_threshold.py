"""Threshold detector: more than N clicks in the window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from alerts.detect import Observation, make_detector
from tests.alerts.detect._series import START, STEP, observations, run


def test_fires_above_n_and_resolves_below() -> None:
    counts = [10.0, 50.0, 120.0, 130.0, 95.0, 80.0, 40.0, 30.0]
    _, decisions, episodes = run(make_detector("threshold", threshold=100), observations(counts))
    assert [e.fired_index for e in episodes] == [2]
    # 95 holds (above 90% of N); 80 and 40 are the two calm intervals that resolve it.
    assert episodes[0].resolved_index == 6
    assert episodes[0].observed == 120.0
    assert episodes[0].expected == 100.0
    assert decisions[2].score == pytest.approx(1.2)


def test_low_sensitivity_needs_two_intervals() -> None:
    counts = [10.0, 150.0, 10.0, 10.0, 150.0, 150.0, 10.0, 10.0]
    _, _, episodes = run(make_detector("threshold", "low", threshold=100), observations(counts))
    assert [e.fired_index for e in episodes] == [5]


def test_window_sums_intervals() -> None:
    counts = [40.0, 40.0, 40.0, 0.0, 0.0, 0.0, 0.0]
    _, _, episodes = run(make_detector("threshold", threshold=100, window=3), observations(counts))
    assert [(e.fired_index, e.observed) for e in episodes] == [(2, 120.0)]


def test_a_late_poll_is_normalised_to_the_interval() -> None:
    detector = make_detector("threshold", threshold=100)
    # 150 clicks over 10 minutes is 75 per 5-minute interval: under the threshold.
    _, decision = detector.step(None, Observation(START, 150.0, 2 * STEP))
    assert decision.observed == pytest.approx(75.0)
    assert not decision.anomalous
    _, decision = detector.step(None, Observation(START + timedelta(minutes=10), 101.0, STEP))
    assert decision.anomalous


def test_needs_a_threshold() -> None:
    with pytest.raises(ValueError, match="threshold"):
        make_detector("threshold")
    with pytest.raises(ValueError, match="unknown detector"):
        make_detector("magic")
    with pytest.raises(ValueError, match="sensitivity"):
        make_detector("spike", "extreme")  # type: ignore[arg-type]


def test_a_missed_poll_does_not_empty_a_long_window() -> None:
    detector = make_detector("threshold", threshold=100, window=12)  # one hour of 5-min polls
    obs = observations([10.0] * 8)
    late = Observation(obs[-1].end + timedelta(minutes=5), 10.0, STEP)  # one poll missed
    _, decisions, _ = run(detector, [*obs, late, Observation(late.end, 15.0, STEP)])
    assert decisions[-2].observed == pytest.approx(90.0)  # the gap counts nothing
    assert decisions[-1].observed == pytest.approx(105.0)
    assert decisions[-1].anomalous


def test_an_interval_straddling_the_window_start_counts_pro_rata() -> None:
    detector = make_detector("threshold", threshold=100, window=2)
    first = Observation(START, 60.0, 3 * STEP)  # 15 minutes, only the last 5 in the window
    second = Observation(first.end, 50.0, STEP)
    _, decisions, _ = run(detector, [first, second])
    assert decisions[1].observed == pytest.approx(70.0)
