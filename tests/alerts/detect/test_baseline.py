"""Seasonal baseline: what it learns from hourly and daily data, JSON state, local hours."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from alerts.detect import Baseline, Observation
from tests.alerts.detect._series import START, daily_history, hourly_history


def _learn(baseline: Baseline, history: list[Observation]) -> Baseline:
    for obs in history:
        baseline = baseline.update(obs)
    return baseline


def test_hourly_history_teaches_the_daily_shape() -> None:
    baseline = _learn(Baseline(), hourly_history(10.0, 14, seed=41))
    night = baseline.expect(START + timedelta(hours=3), 300).count
    afternoon = baseline.expect(START + timedelta(hours=14), 300).count
    assert night == pytest.approx(10 * 0.3, rel=0.3)
    assert afternoon == pytest.approx(10 * 1.7, rel=0.2)
    assert baseline.expect(START, 300).ready


def test_daily_totals_teach_the_level_but_not_the_hours() -> None:
    baseline = _learn(Baseline(), daily_history(10.0, 90, seed=42))
    night = baseline.expect(START + timedelta(hours=3), 3600)
    afternoon = baseline.expect(START + timedelta(hours=14), 3600)
    assert night.count == pytest.approx(afternoon.count, rel=0.05)  # flat within a day
    assert night.count * 24 == pytest.approx(10 * 288 * 0.894, rel=0.1)
    # ... and it knows it does not know the hours: extra variance for the unlearnt profile.
    assert night.k >= 0.2


def test_a_whole_day_expectation_integrates_the_profile() -> None:
    baseline = _learn(Baseline(), hourly_history(10.0, 14, seed=43))
    day = baseline.expect(START, 86400).count
    hours = sum(baseline.expect(START + timedelta(hours=h), 3600).count for h in range(24))
    assert day == pytest.approx(hours, rel=1e-9)


def test_update_is_pure_and_spikes_are_clipped() -> None:
    baseline = _learn(Baseline(), hourly_history(10.0, 7, seed=44))
    before = baseline.expect(START, 300).count
    after = baseline.update(Observation(START, 10_000.0, 300))
    assert baseline.expect(START, 300).count == before
    assert after.expect(START, 300).count < 2 * before  # one burst doesn't teach much


def test_json_round_trip() -> None:
    baseline = _learn(Baseline(tz="Europe/Rome"), hourly_history(3.0, 10, seed=45))
    raw = json.loads(json.dumps(baseline.to_json()))
    again = Baseline.from_json(raw)
    for hours in (0, 7, 13, 20):
        moment = START + timedelta(hours=hours)
        assert again.expect(moment, 300).count == pytest.approx(
            baseline.expect(moment, 300).count, rel=1e-5
        )
    assert again.tz == "Europe/Rome"
    assert Baseline.from_json({}) == Baseline()


def test_local_hours_follow_dst() -> None:
    """An evening peak at 20:00 Rome time stays at 20:00 local when the clocks change."""
    tz_start = datetime(2026, 3, 15, tzinfo=UTC)
    history = []
    for h in range(14 * 24):
        at = tz_start + timedelta(hours=h)
        local_hour = (at.hour + 1) % 24  # CET, before the change on 2026-03-29
        history.append(Observation(at, 100.0 if local_hour == 20 else 5.0, 3600))
    baseline = _learn(Baseline(tz="Europe/Rome"), history)
    after_change = datetime(2026, 3, 30, 18, 30, tzinfo=UTC)  # 20:30 CEST
    assert (
        baseline.expect(after_change, 300).count
        > 4 * baseline.expect(after_change - timedelta(hours=1), 300).count
    )
