"""`POST /_sandbox/pause`: a datapoint's traffic stops for a while, then comes back."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import Sandbox


def _clicks(sandbox: Sandbox, datapoint_id: int) -> int:
    for dp in sandbox.state()["datapoints"]:
        if dp["id"] == datapoint_id:
            return int(dp["today_clicks"])
    raise AssertionError(f"no datapoint {datapoint_id}")


def test_pause_stops_traffic_then_it_resumes(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(datapoints=10)
    busiest = max(sandbox.state()["datapoints"], key=lambda d: d["today_clicks"])["id"]
    answer = sandbox.control("pause", {"datapoint_id": busiest, "minutes": 120})
    assert answer["datapoint_id"] == busiest
    before = _clicks(sandbox, busiest)
    sandbox.control("spike", {"datapoint_id": busiest, "clicks_per_minute": 50, "minutes": 10})
    sandbox.control("clock", {"advance_seconds": 3600})
    assert _clicks(sandbox, busiest) == before  # paused: no traffic, spikes included
    others = sum(d["today_clicks"] for d in sandbox.state()["datapoints"])
    assert others > before  # the other links go on
    sandbox.control("clock", {"advance_seconds": 2 * 3600})
    assert _clicks(sandbox, busiest) > before  # the pause is over


@pytest.mark.parametrize(
    "body", [{"datapoint_id": "x"}, {"datapoint_id": 1}, {"minutes": 5}, {"datapoint_id": 1.5}]
)
def test_pause_rejects_bad_bodies(sandbox: Sandbox, body: object) -> None:
    response = sandbox.raw.post("/_sandbox/pause", json=body)
    assert response.status_code == 400
    assert response.json()["error"]
