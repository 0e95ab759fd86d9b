"""`bench/faults.py`, tiny: every scenario runs end to end on real processes and the JSON says
what it promises. Nothing is lost or doubled even in a run this short; no timing is asserted
(this machine is shared, and the numbers are the bench's to report)."""

from __future__ import annotations

import json
import os

import pytest

from bench import faults
from tests.faults.harness import PostgresUnavailable, postgres_database

SCENARIOS = {
    "429_storm",
    "5xx_storm",
    "429_then_5xx",
    "sigkill_mid_send",
    "clickmeter_garbage",
    "tarpit_webhook",
}


@pytest.fixture(autouse=True)
def postgres() -> None:
    try:
        with postgres_database():
            pass
    except PostgresUnavailable as unavailable:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{unavailable}; CI must have it")
        pytest.skip(str(unavailable))


def test_a_tiny_run_measures_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    faults.main(
        ["--storm-429", "2", "--storm-5xx", "2", "--alerts", "4", "--tarpit", "4", "--lapse-lease"]
    )
    result = json.loads(capsys.readouterr().out)
    assert result["bench"] == "faults"
    assert set(result["scenarios"]) == SCENARIOS
    for name, scenario in result["scenarios"].items():
        assert {"recovery_to_delivery_s", "lost", "doubled", "in_order", "log_leaks"} <= set(
            scenario
        ), name
        assert (scenario["lost"], scenario["doubled"], scenario["log_leaks"]) == (0, 0, 0), name
        assert scenario["in_order"] is True, name
    for name in ("429_storm", "5xx_storm", "429_then_5xx"):
        assert result["scenarios"][name]["calls_refused"] > 0, name  # the storm was met
    assert result["scenarios"]["clickmeter_garbage"]["false_spikes"] == 0
    assert result["scenarios"]["tarpit_webhook"]["max_slack_delay_s"] is not None
    assert set(result["targets_met"]) == {
        "storms_delivered_within_30s_of_recovery",
        "zero_lost",
        "zero_doubled",
        "no_log_leaks",
        "in_order",
        "no_false_spike",
        "tarpit_delays_slack_under_15s",
    }
