"""Spike detector: quiet under Poisson noise, fast on real spikes, resolves after."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from alerts.detect import SENSITIVITIES, SPIKE_LEVELS, Observation, Sensitivity, make_detector
from tests.alerts.detect._series import (
    START,
    STEP,
    daily_history,
    hourly_history,
    observations,
    poisson_counts,
    run,
)


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
@pytest.mark.parametrize("mean", [0.02, 0.5, 8.0, 400.0])
def test_poisson_noise_never_alerts(sensitivity: Sensitivity, mean: float) -> None:
    counts = poisson_counts(mean, 3 * 288, seed=int(mean * 100) + 1)
    _, decisions, episodes = run(make_detector("spike", sensitivity), observations(counts))
    assert episodes == []
    assert not any(d.anomalous for d in decisions)


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
@pytest.mark.parametrize("mean", [2.0, 40.0])
def test_injected_spike_fires_at_once_and_resolves(sensitivity: Sensitivity, mean: float) -> None:
    counts = poisson_counts(mean, 2 * 288, seed=7)
    at = 2 * 288 - 100  # mid-afternoon of day 2
    counts[at] += max(60.0, 10 * mean)
    _, decisions, episodes = run(make_detector("spike", sensitivity), observations(counts))
    assert len(episodes) == 1
    episode = episodes[0]
    assert at <= episode.fired_index <= at + 1
    assert episode.resolved_index is not None
    assert episode.resolved_index <= at + 8
    assert episode.observed > 3 * episode.expected
    fired = decisions[episode.fired_index]
    assert fired.event == "fired"
    assert fired.score > SPIKE_LEVELS[sensitivity].threshold
    assert fired.details["intervals"] >= 1


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_bursts_that_keep_breaking_records_alert_at_first_then_are_normal(
    sensitivity: Sensitivity,
) -> None:
    # A burst every two hours, each 15% bigger than the last: every one beats the link's
    # 99.9% quantile, so without the surprise guard each would alert once the refractory ends.
    counts = poisson_counts(20.0, 4 * 288, seed=30)
    first, burst = 288 + 100, 200.0
    for at in range(first, 4 * 288, 24):
        counts[at] += burst
        burst *= 1.15
    _, _, episodes = run(make_detector("spike", sensitivity), observations(counts))
    assert 1 <= len(episodes) <= 2
    assert episodes[0].fired_index == first


def test_a_few_clicks_on_a_dead_link_are_not_a_spike() -> None:
    counts = [0.0] * 400 + [4.0] + [0.0] * 20
    _, _, episodes = run(make_detector("spike", "high"), observations(counts))
    assert episodes == []  # below the minimum volume (5 clicks at high)


def test_sensitivities_are_nested() -> None:
    """Whatever a lower sensitivity catches, the higher ones catch too; tiny bursts none."""
    base = poisson_counts(3.0, 288, seed=3, daily=False)
    caught = {}
    for burst in (6.0, 10.0, 14.0, 18.0, 25.0, 60.0):
        counts = [*base, burst, 3.0, 3.0, 3.0]
        caught[burst] = {
            level
            for level in SENSITIVITIES
            if run(make_detector("spike", level), observations(counts))[2]
        }
    for levels in caught.values():
        assert "low" not in levels or "medium" in levels
        assert "medium" not in levels or "high" in levels
    assert caught[6.0] == set()
    assert caught[60.0] == {"low", "medium", "high"}
    assert len({frozenset(v) for v in caught.values()}) >= 3  # the levels really differ


def test_seeded_from_daily_history_alerts_on_the_first_interval() -> None:
    detector = make_detector("spike", "medium")
    state = detector.seed(daily_history(10.0, 90, seed=5))
    quiet = Observation(START + timedelta(hours=13), 11.0, STEP)
    state, decision = detector.step(state, quiet)
    assert decision.ready
    assert not decision.anomalous
    assert 3 < decision.expected < 30
    burst = Observation(START + timedelta(hours=13, minutes=5), 412.0, STEP)
    _, decision = detector.step(state, burst)
    assert decision.event == "fired"


def test_seeded_from_hourly_history_knows_the_night_is_quiet() -> None:
    detector = make_detector("spike", "high")
    state = detector.seed(hourly_history(10.0, 21, seed=6))
    night = Observation(START + timedelta(hours=2), 20.0, STEP)  # ~6x the night's normal
    _, decision = detector.step(state, night)
    assert decision.expected < 5
    assert decision.anomalous
    day = Observation(START + timedelta(hours=14), 18.0, STEP)  # a normal afternoon count
    _, decision = detector.step(state, day)
    assert not decision.anomalous


def test_a_late_interval_is_judged_on_its_real_length() -> None:
    counts = poisson_counts(20.0, 288, seed=9, daily=False)
    detector = make_detector("spike", "high")
    state, _, _ = run(detector, observations(counts))
    next_start = START + timedelta(seconds=STEP * 288)
    # The poll failed once: the next read covers 15 minutes (three intervals' worth of clicks).
    _, decision = detector.step(state, Observation(next_start, 62.0, 3 * STEP))
    assert not decision.anomalous
    assert decision.expected == pytest.approx(60, rel=0.25)


def test_step_through_json_equals_in_memory_run() -> None:
    counts = poisson_counts(5.0, 300, seed=11)
    counts[250] += 80
    obs = observations(counts)
    detector = make_detector("spike", "medium")
    _, decisions, _ = run(detector, obs)
    state: dict[str, object] = detector.new_state()
    for i, o in enumerate(obs):
        state, decision = detector.step(json.loads(json.dumps(state)), o)
        assert decision.event == decisions[i].event
        assert decision.anomalous == decisions[i].anomalous
        assert decision.expected == pytest.approx(decisions[i].expected, rel=1e-4, abs=1e-6)
    assert len(json.dumps(state)) < 12_000


def test_foreign_or_empty_state_starts_over() -> None:
    detector = make_detector("spike")
    obs = Observation(START, 3.0, STEP)
    for state in (None, {}, {"version": 99}, make_detector("drop").new_state()):
        new_state, decision = detector.step(state, obs)
        assert new_state["kind"] == "spike"
        assert not decision.ready
