"""`bench/tenants.py`, tiny: two real worker processes share a few workspaces (each its own
sandbox account) and print the promised JSON: each workspace polled once per interval, by one
worker, at its floor of calls, with no 429.

No timing is asserted: this machine is shared and the numbers are the bench's to report.
"""

from __future__ import annotations

import json

import pytest

from bench import tenants
from tests.faults.harness import PostgresUnavailable, postgres_database


def test_a_tiny_run_polls_each_workspace_once_per_interval(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        with postgres_database():
            pass
    except PostgresUnavailable as unavailable:
        pytest.skip(str(unavailable))
    tenants.main(["--workspaces", "4", "--links", "150", "--poll", "3", "--cycles", "2"])
    result = json.loads(capsys.readouterr().out)
    assert result["bench"] == "tenants"
    assert result["http_429"] == 0
    assert result["polls_off_their_floor"] == 0
    assert result["calls_per_poll"] == {"min": 2, "max": 2}  # 140-odd links: 2 pages
    assert [w["workspaces_polled"] for w in result["workers"]] == [2, 2]
    assert result["targets_met"]["never_polled_twice_in_an_interval"]
    assert result["targets_met"]["every_workspace_polled_each_interval"]
    assert all(w["peak_rss_mb"] > 0 for w in result["workers"])
