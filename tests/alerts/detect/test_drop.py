"""Drop detector: a busy link going silent fires; a quiet one never does; gaps are not drops."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from alerts.detect import SENSITIVITIES, Observation, Sensitivity, make_detector
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
def test_busy_link_dropping_to_zero_fires_then_resolves(sensitivity: Sensitivity) -> None:
    counts = poisson_counts(30.0, 2 * 288, seed=21)
    at = 288 + 144  # noon of day 2
    counts[at : at + 24] = [0.0] * 24
    _, _, episodes = run(make_detector("drop", sensitivity), observations(counts))
    assert len(episodes) == 1
    episode = episodes[0]
    assert at <= episode.fired_index <= at + 12
    assert episode.observed < 0.1 * episode.expected
    assert episode.resolved_index is not None
    assert at + 24 <= episode.resolved_index <= at + 24 + 16


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_quiet_link_at_zero_never_fires(sensitivity: Sensitivity) -> None:
    counts = poisson_counts(0.3, 2 * 288, seed=22)
    counts[288 + 144 : 288 + 168] = [0.0] * 24
    _, _, episodes = run(make_detector("drop", sensitivity), observations(counts))
    assert episodes == []


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
@pytest.mark.parametrize("mean", [0.05, 1.0, 20.0, 500.0])
def test_poisson_noise_never_fires(sensitivity: Sensitivity, mean: float) -> None:
    counts = poisson_counts(mean, 3 * 288, seed=int(mean * 10) + 3)
    _, _, episodes = run(make_detector("drop", sensitivity), observations(counts))
    assert episodes == []


@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
@pytest.mark.parametrize("seed", range(3))
def test_bursty_link_whose_clicks_often_pause_never_fires_on_silence(
    sensitivity: Sensitivity, seed: int
) -> None:
    # Bursts of 50-400 clicks in 60% of intervals, none in the rest (NAB's disk-write volumes
    # look like this): four hours of silence is routine there, however busy the bursts are.
    rng = random.Random(seed)
    counts = [float(rng.randint(50, 400)) if rng.random() < 0.6 else 0.0 for _ in range(4 * 288)]
    at = 3 * 288 + 144
    counts[at : at + 48] = [0.0] * 48
    _, _, episodes = run(make_detector("drop", sensitivity), observations(counts))
    assert episodes == []


def test_a_gap_in_polling_is_not_a_drop() -> None:
    counts = poisson_counts(30.0, 2 * 288, seed=23)
    obs = observations(counts)
    del obs[400:440]  # the poller was down for over three hours: no observations at all
    _, decisions, episodes = run(make_detector("drop", "high"), obs)
    assert episodes == []
    after = decisions[400]
    assert after.at == START + timedelta(seconds=STEP * 440)
    assert not after.anomalous


def test_seeded_from_hourly_history_a_silent_afternoon_fires_quickly() -> None:
    detector = make_detector("drop", "high")
    state = detector.seed(hourly_history(30.0, 14, seed=24))
    events = []
    for i in range(6):
        obs = Observation(START + timedelta(hours=14, seconds=STEP * i), 0.0, STEP)
        state, decision = detector.step(state, obs)
        events.append(decision.event)
    assert "fired" in events[:4]


def test_a_quiet_night_after_daily_only_seeding_is_not_a_drop() -> None:
    detector = make_detector("drop", "high")
    state = detector.seed(daily_history(30.0, 90, seed=25))
    night = [
        Observation(START + timedelta(hours=3, seconds=STEP * i), 2.0, STEP) for i in range(12)
    ]
    state, decisions = detector.run(state, night)
    assert not any(d.anomalous for d in decisions)
