"""The robust model behind spike and drop: shifts, bursty traffic, sparse counts, cost."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from alerts.detect import make_detector, read_series, replay, state_size
from alerts.detect.model import Model
from alerts.detect.robust import INTERVALS, Clock, _floors, observe, poisson_floor
from alerts.detect.series import Observation
from tests.alerts.detect._series import START, STEP, observations, poisson_counts, run

NAB = Path(__file__).resolve().parents[3] / "data" / "nab" / "data"


def test_a_campaign_that_steps_traffic_up_alerts_once_then_rebaselines() -> None:
    counts = poisson_counts(20.0, 3 * 288, seed=21, daily=False)
    at = 2 * 288
    counts[at:] = [c * 4 for c in counts[at:]]  # traffic steps up to ~4x and stays
    _, decisions, episodes = run(make_detector("spike", "medium"), observations(counts))
    assert len(episodes) == 1
    assert at <= episodes[0].fired_index <= at + 2
    resolved = episodes[0].resolved_index
    assert resolved is not None
    assert resolved - at <= 72  # within six hours the new level is normal, not a day-long alert
    assert decisions[-1].expected == pytest.approx(80, rel=0.3)


def test_a_persistent_shift_rebaselines_at_once() -> None:
    """The slow scale far from normal for three hours moves the level there in one go."""
    clock = Clock("UTC")
    model = Model()
    obs = observations(poisson_counts(50.0, 2 * 288, seed=26, daily=False))
    for o in obs:
        observe(model, o, STEP, clock)
    before = model.level
    assert before is not None
    shifts = []
    for i in range(60):
        o = Observation(obs[-1].start + timedelta(seconds=STEP * (i + 1)), 400.0, STEP)
        shifts.append(observe(model, o, STEP, clock).shift)
    assert any(s > 0 for s in shifts)
    assert model.level is not None
    assert model.level > before + 1.0


def test_a_step_down_alerts_as_a_drop_once() -> None:
    counts = poisson_counts(40.0, 3 * 288, seed=22, daily=False)
    at = 2 * 288
    counts[at:] = [float(np.floor(c / 5)) for c in counts[at:]]
    _, _, episodes = run(make_detector("drop", "medium"), observations(counts))
    assert len(episodes) == 1
    assert at <= episodes[0].fired_index <= at + 3


def test_bursty_zeros_do_not_flood() -> None:
    """Mostly zeros with routine bursts of millions (a disk's bytes written): routine bursts are
    normal for this subject, so spikes stay rare."""
    obs, _ = read_series(NAB / "realAWSCloudwatch" / "ec2_disk_write_bytes_1ef3de.csv")
    result = replay(make_detector("spike", "medium"), obs)
    assert len(obs) > 4000
    assert len(result.episodes) <= 10  # the previous detector fired about 60 times here


def test_sparse_counts_a_handful_of_clicks_is_not_news() -> None:
    counts = poisson_counts(0.05, 4 * 288, seed=23)
    counts[3 * 288 + 100] = 3.0
    _, _, episodes = run(make_detector("spike", "high"), observations(counts))
    assert episodes == []


def test_a_refractory_period_follows_an_episode() -> None:
    counts = poisson_counts(30.0, 3 * 288, seed=24, daily=False)
    first = 2 * 288
    counts[first] += 600
    counts[first + 20] += 600  # 100 minutes later: part of the same story
    _, _, episodes = run(make_detector("spike", "medium"), observations(counts))
    assert [e.fired_index for e in episodes] == [first]


def test_the_message_counts_cover_the_span_that_fired() -> None:
    counts = poisson_counts(10.0, 2 * 288, seed=25, daily=False)
    at = 2 * 288 - 50
    for i in range(at, at + 6):
        counts[i] += 25  # a 30-minute surge, each interval ~3.5x normal
    _, decisions, episodes = run(make_detector("spike", "high"), observations(counts))
    fired = decisions[episodes[0].fired_index]
    span = int(fired.details["intervals"])
    assert fired.seconds == span * STEP
    assert fired.observed > 2.5 * fired.expected
    assert fired.observed >= 30


@pytest.mark.parametrize("expected", [0.0, 0.3, 5.0, 300.0, 3e6])
def test_poisson_floor_is_positive_and_shrinks_with_averaging(expected: float) -> None:
    one = poisson_floor(expected, 1, up=True)
    many = poisson_floor(expected, 31, up=True)
    assert one >= many > 0
    assert poisson_floor(expected, 1, up=False) > 0


@pytest.mark.parametrize("noise", [0.0, 0.3, 5.0, 300.0, 3e6])
@pytest.mark.parametrize("sides", [(True, True, True), (False, False, False), (True, False, True)])
def test_the_steps_unrolled_floors_are_poisson_floor(
    noise: float, sides: tuple[bool, bool, bool]
) -> None:
    """The step computes the three scales' floors in one unrolled call (`_floors`, for its
    cost); `poisson_floor` is their readable definition, and they must agree to the bit."""
    expected = tuple(poisson_floor(noise, INTERVALS[k], up=sides[k]) for k in range(3))
    assert _floors(noise, *sides) == expected


def test_state_is_small_and_round_trips_exactly() -> None:
    obs, _ = read_series(NAB / "realTweets" / "Twitter_volume_AAPL.csv")
    obs = obs[:2000]
    detector = make_detector("spike", "medium")
    state, decisions = detector.run(detector.new_state(), obs)
    assert state_size(state) < 4096
    stepped: dict[str, object] = detector.new_state()
    for i, o in enumerate(obs[:600]):
        stepped, decision = detector.step(json.loads(json.dumps(stepped)), o)
        assert decision.score == decisions[i].score
        assert decision.event == decisions[i].event


def test_model_handles_any_volume_and_interval() -> None:
    clock = Clock("Europe/Berlin")
    for nominal in (300.0, 3600.0, 86400.0):
        model = Model()
        for i in range(200):
            count = float(10 ** (i % 7))
            reading = observe(
                model,
                Observation(START + timedelta(seconds=nominal * i), count, nominal),
                nominal,
                clock,
            )
            assert all(np.isfinite(reading.scores))
            assert reading.expected >= 0


@pytest.mark.parametrize(("kind", "factor"), [("spike", 1.8), ("drop", 1 / 1.8)])
def test_a_modest_step_that_stays_is_caught_and_measured(kind: str, factor: float) -> None:
    counts = poisson_counts(60.0, 5 * 288, seed=27, daily=False)
    at = 3 * 288 + 120
    counts[at:] = [float(np.floor(c * factor)) for c in counts[at:]]
    obs = observations(counts)
    _, _, episodes = run(make_detector(kind, "medium"), obs)
    fired = [e.fired_index for e in episodes if e.fired_index >= 2 * 288]
    assert len(fired) >= 1
    assert at <= fired[0] <= at + 36  # within three hours of the step
    # The model measures the shift once every interval for 1.5 hours has been off normal.
    model, clock = Model(), Clock("UTC")
    readings = [observe(model, o, STEP, clock) for o in obs]
    assert all(r.sustained == 0.0 for r in readings[2 * 288 : at])
    sustained = [(i, r.sustained) for i, r in enumerate(readings) if i >= at and r.sustained]
    assert sustained
    first, ratio = sustained[0]
    assert at + 18 <= first <= at + 48  # 1.5 hours at the least, noise may restart the run
    assert np.exp(ratio) == pytest.approx(factor, rel=0.25)
