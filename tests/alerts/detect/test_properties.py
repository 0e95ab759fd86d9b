"""Properties over arbitrary series: no exceptions, well-formed episodes, JSON-clean state."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alerts.detect import KINDS, SENSITIVITIES, Observation, Sensitivity, episodes_of, make_detector

T0 = datetime(2026, 3, 28, 22, tzinfo=UTC)

counts = st.one_of(
    st.integers(0, 5).map(float),
    st.integers(0, 100_000).map(float),
    st.floats(0, 1e6, allow_nan=False),
)
steps = st.lists(
    st.tuples(counts, st.sampled_from([60.0, 300.0, 300.0, 300.0, 900.0, 3600.0])),
    min_size=1,
    max_size=60,
)


def _observations(series: list[tuple[float, float]], gaps: list[int]) -> list[Observation]:
    out, at = [], T0
    for i, (count, seconds) in enumerate(series):
        at += timedelta(seconds=seconds * (1 + gaps[i % len(gaps)]))
        out.append(Observation(at, count, seconds))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    series=steps,
    gaps=st.lists(st.integers(0, 3), min_size=1, max_size=5),
    kind=st.sampled_from(KINDS),
    sensitivity=st.sampled_from(SENSITIVITIES),
    tz=st.sampled_from(["UTC", "Europe/Rome", "America/New_York"]),
)
def test_detectors_never_raise_and_episodes_are_well_formed(
    series: list[tuple[float, float]],
    gaps: list[int],
    kind: str,
    sensitivity: Sensitivity,
    tz: str,
) -> None:
    detector = make_detector(kind, sensitivity, threshold=50.0, tz=tz, warmup_hours=0.2)
    obs = _observations(series, gaps)
    state = detector.seed(obs[: len(obs) // 3])  # seeding with some of it must work too
    state, decisions = detector.run(state, obs)
    json.dumps(state)  # JSON-clean
    for d in decisions:
        assert d.observed >= 0
        assert d.expected >= 0
        assert d.p_value is None or 0 <= d.p_value <= 1
    episodes = episodes_of(decisions)
    for before, after in itertools.pairwise(episodes):
        assert before.resolved_at is not None
        assert before.resolved_at <= after.fired_at
    for e in episodes:
        assert e.resolved_at is None or e.fired_at <= e.resolved_at
        assert e.kind == kind
    assert all(e.resolved_at is not None for e in episodes[:-1])


@settings(max_examples=25, deadline=None)
@given(series=steps, kind=st.sampled_from(KINDS))
def test_stepping_through_json_matches_running(
    series: list[tuple[float, float]], kind: str
) -> None:
    detector = make_detector(kind, "high", threshold=10.0, warmup_hours=0.2)
    obs = _observations(series, [0])
    _, expected = detector.run(None, obs)
    state = None
    for o, want in zip(obs, expected, strict=True):
        state, got = detector.step(json.loads(json.dumps(state)) if state else None, o)
        assert (got.event, got.anomalous, got.episode_open) == (
            want.event,
            want.anomalous,
            want.episode_open,
        )
