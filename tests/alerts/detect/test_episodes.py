"""Episode hysteresis: fire after N, hold, resolve after M calm intervals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from alerts.detect import EpisodeState, Policy
from alerts.detect.episodes import advance

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _drive(policy: Policy, flags: list[tuple[bool, bool]]) -> list[str | None]:
    state = EpisodeState()
    events: list[str | None] = []
    for i, (fire, hold) in enumerate(flags):
        state, event = advance(
            state,
            policy,
            at=T0 + timedelta(minutes=5 * i),
            fire=fire,
            hold=hold or fire,
            observed=1.0,
            expected=1.0,
        )
        events.append(event)
    return events


def test_fires_after_consecutive_intervals_only() -> None:
    flags = [(True, True), (False, False), (True, True), (True, True), (False, False)]
    events = _drive(Policy(fire_after=2, resolve_after=1), flags)
    assert events == [None, None, None, "fired", "resolved"]


def test_hold_keeps_an_episode_open_and_calm_run_resolves_it() -> None:
    flags = [(True, True), (False, True), (False, True), (False, False), (False, False)]
    assert _drive(Policy(1, 2), flags) == ["fired", None, None, None, "resolved"]


def test_a_holding_interval_resets_the_calm_run() -> None:
    flags = [(True, True), (False, False), (False, True), (False, False), (False, False)]
    assert _drive(Policy(1, 2), flags) == ["fired", None, None, None, "resolved"]


def test_state_round_trips_through_json() -> None:
    state, _ = advance(
        EpisodeState(), Policy(), at=T0, fire=True, hold=True, observed=412.0, expected=40.0
    )
    assert EpisodeState.from_json(state.to_json()) == state
    assert state.to_json()["fired_at"] == "2026-01-01T00:00:00+00:00"


@given(
    st.lists(st.tuples(st.booleans(), st.booleans()), max_size=80),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_events_alternate_fired_then_resolved(
    flags: list[tuple[bool, bool]], fire_after: int, resolve_after: int
) -> None:
    events = [e for e in _drive(Policy(fire_after, resolve_after), flags) if e]
    assert events == ["fired", "resolved"] * (len(events) // 2) + ["fired"] * (len(events) % 2)
