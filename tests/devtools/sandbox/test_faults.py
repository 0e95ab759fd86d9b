"""The body faults of `/_sandbox/faults`: 200 answers that lie, on demand, and back to normal."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.conftest import Sandbox

SUMMARY = "/aggregated/summary/datapoints?timeFrame=today&type=tl&limit=100"


@pytest.fixture
def sandbox(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(datapoints=30)


def test_truncated_json_is_the_good_body_cut_off(sandbox: Sandbox) -> None:
    good = sandbox.api.get("/me").content
    sandbox.control("faults", {"truncated_json": True})
    cut = sandbox.api.get("/me")
    assert cut.status_code == 200
    assert 0 < len(cut.content) < len(good)
    assert good.startswith(cut.content)
    with pytest.raises(json.JSONDecodeError):
        cut.json()
    sandbox.control("faults", {"truncated_json": False})
    assert sandbox.api.get("/me").content == good


def test_a_garbage_body_is_not_json(sandbox: Sandbox) -> None:
    sandbox.control("faults", {"garbage_body": True})
    answer = sandbox.api.get(SUMMARY)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    with pytest.raises(json.JSONDecodeError):
        answer.json()
    assert sandbox.state()["faults"]["garbage_body"] is True  # control still answers


def test_a_short_page_has_one_row_fewer_than_its_count_implies(sandbox: Sandbox) -> None:
    good = sandbox.api.get(SUMMARY).json()
    sandbox.control("faults", {"short_page": True})
    short = sandbox.api.get(SUMMARY).json()
    assert good["count"] == short["count"] == len(good["result"]) == 30
    assert short["result"] == good["result"][:-1]
    assert sandbox.api.get("/me").json() == sandbox.api.get("/me").json()  # others untouched


def test_an_inflated_count_claims_rows_that_are_not_there(sandbox: Sandbox) -> None:
    good = sandbox.api.get(SUMMARY).json()
    sandbox.control("faults", {"inflated_count": 100_000})
    first = sandbox.api.get(SUMMARY).json()
    assert (first["count"], first["result"]) == (100_000, good["result"])
    beyond = sandbox.api.get(SUMMARY + "&offset=100").json()
    assert (beyond["count"], beyond["result"]) == (100_000, [])
    sandbox.control("faults", {"inflated_count": 0})
    assert sandbox.api.get(SUMMARY).json()["count"] == 30


def test_a_trickled_body_arrives_in_many_small_pieces_and_whole(sandbox: Sandbox) -> None:
    good = sandbox.api.get("/me").json()
    sandbox.control("faults", {"trickle_ms": 20})
    with sandbox.api.stream("GET", "/me") as answer:
        pieces = list(answer.iter_raw())
    assert answer.status_code == 200
    assert len(pieces) > 1  # sent 16 bytes at a time, 20 ms apart
    assert json.loads(b"".join(pieces)) == good
    faults = sandbox.control("faults", {"trickle_ms": 0})
    assert faults["trickle_ms"] == 0
