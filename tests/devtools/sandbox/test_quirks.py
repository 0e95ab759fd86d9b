"""The real service's deviations from its spec, errors, throttling and injected faults."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import httpx
import pytest

from tests.conftest import Sandbox

UNAUTHORIZED = {"errorCode", "httpErrorCode", "Message"}


@pytest.fixture
def client(sandbox: Sandbox) -> httpx.Client:
    return sandbox.api


def test_quiet_aggregate_is_an_empty_object(client: httpx.Client, sandbox: Sandbox) -> None:
    assert client.get("/aggregated?timeframe=custom&fromDay=20200101&toDay=20200131").json() == {}
    newest = max(sandbox.state()["datapoints"], key=lambda d: d["created"])
    before = str(int(newest["created"][:8]) - 1)
    body = client.get(
        f"/datapoints/{newest['id']}/aggregated?timeframe=custom&fromDay=20200101&toDay={before}"
    )
    assert body.json() == {}
    rows = client.get("/aggregated/list?timeframe=custom&fromDay=20200101&toDay=20200102")
    assert rows.json() == {
        "rows": [
            {
                "activityDay": "20200101000000",
                "fromDay": "20200101000000",
                "toDay": "20200101000000",
            },
            {
                "activityDay": "20200102000000",
                "fromDay": "20200102000000",
                "toDay": "20200102000000",
            },
        ]
    }


def test_defaults_are_omitted_and_no_activity_is_dotnet_min_date(client: httpx.Client) -> None:
    body = client.get(
        "/aggregated/summary/datapoints?timeframe=custom&fromDay=20200101&toDay=20200101"
        "&type=tl&limit=3"
    ).json()
    assert "offset" not in body
    for item in body["result"]:
        assert item["activityDay"] == "00010101000000"
        assert not {"totalClicks", "uniqueClicks", "lastHitDate"} & set(item)
    dp = client.get("/datapoints?_expand=true&limit=100").json()["entities"]
    assert all(v not in (0, False, None, "") for item in dp for v in item.values())


def test_rows_string_entity_id_and_integer_enums(client: httpx.Client, sandbox: Sandbox) -> None:
    state = sandbox.state()
    dp = state["datapoints"][0]["id"]
    rows = client.get(f"/datapoints/{dp}/aggregated/list?timeframe=last7").json()["rows"]
    assert rows
    assert all(r["entityId"] == str(dp) for r in rows)
    summary = client.get("/aggregated/summary/datapoints?timeframe=last7&type=tl").json()
    assert all(isinstance(item["entityId"], str) for item in summary["result"])
    assert all(item["entityData"]["datapointType"] == "TrackingLink" for item in summary["result"])
    by_status = {d["status"]: d["id"] for d in state["datapoints"]}
    assert client.get(f"/datapoints/{by_status[1]}").json()["status"] == 1
    assert client.get(f"/datapoints/{by_status[3]}").json()["status"] == 3  # deleted: still 200
    active = client.get(f"/datapoints/{by_status[0]}").json()
    assert "status" not in active  # 0 is the default
    assert active["typeTL"]["redirectType"] in (301, 307)
    pixel = next((d["id"] for d in state["datapoints"] if d["type"] == 1), None)
    if pixel is not None:
        assert client.get(f"/datapoints/{pixel}").json()["type"] == 1


def test_clickstream_shape(client: httpx.Client) -> None:
    rows = client.get("/clickstream").json()["rows"]
    assert len(rows) == 50
    assert all(re.fullmatch(r"\d{9}@\d{23}", r["id"]) for r in rows)
    assert {r["isUnique"] for r in rows} <= {"0", "1"}
    assert {r["isSpider"] for r in rows} <= {"0", "1"}
    assert len(client.get("/clickstream?pageSize=500").json()["rows"]) == 100
    spiders = client.get("/clickstream?filter=spiders&pageSize=20").json()["rows"]
    assert spiders
    assert {r["isSpider"] for r in spiders} == {"1"}
    both = client.get("/clickstream?group=1&datapoint=2")
    assert both.status_code == 403


def test_parameter_names_and_values_are_case_blind(client: httpx.Client) -> None:
    reference = client.get("/aggregated/summary/datapoints?timeframe=last7&type=tl").json()
    for query in (
        "timeFrame=last7&type=TL",
        "TIMEFRAME=Last7&Type=tl",
        "timeframe=LAST7&TYPE=Tl&SortDirection=DESC",
    ):
        assert client.get(f"/aggregated/summary/datapoints?{query}").json() == reference
    assert client.get("/reports?TYPE=Countries&timeFrame=Last7&hitType=CLICKS").status_code == 200


def test_auth_key_header_or_query(sandbox: Sandbox) -> None:
    with httpx.Client(base_url=sandbox.url) as raw:
        assert raw.get(f"/me?authKey={sandbox.api_key}").status_code == 200
        assert raw.get(f"/me?AUTHKEY={sandbox.api_key}").status_code == 200
        assert raw.get("/me", headers={"x-clickmeter-authkey": sandbox.api_key}).status_code == 200
        assert raw.get("/me", headers={"X-CLICKMETER-AUTHKEY": sandbox.api_key}).status_code == 200
        for response in (
            raw.get("/me"),
            raw.get(
                "/me", headers={"X-Clickmeter-Authkey": "00000000-0000-0000-0000-000000000000"}
            ),
        ):
            assert response.status_code == 401
            assert set(response.json()) == UNAUTHORIZED
            assert response.json()["httpErrorCode"] == 401


def test_me_names_a_windows_zone(client: httpx.Client) -> None:
    me = client.get("/me").json()
    assert me["timezonename"] == "W. Europe Standard Time"
    assert isinstance(me["timezone"], int)
    assert re.fullmatch(r"\d{14}", me["registrationDate"])


def test_summary_limit_default_and_max(client: httpx.Client) -> None:
    path = "/aggregated/summary/datapoints?timeframe=last30&type=tl"
    first = client.get(path).json()
    assert first["limit"] == 20
    assert len(first["result"]) == 20
    assert "offset" not in first
    assert first["count"] > 20
    big = client.get(f"{path}&limit=500").json()
    assert big["limit"] == 100
    second = client.get(f"{path}&offset=20").json()
    assert second["offset"] == 20
    assert second["result"][0] == big["result"][20]
    clicks = [item.get("totalClicks", 0) for item in big["result"]]
    assert clicks == sorted(clicks, reverse=True)


@pytest.mark.parametrize(
    ("path", "prop"),
    [
        ("/aggregated?timeframe=someday", "timeframe"),
        ("/aggregated", "timeframe"),
        ("/aggregated?timeframe=custom&toDay=20260101", "fromDay"),
        ("/aggregated?timeframe=custom&fromDay=20260101", "toDay"),
        ("/aggregated?timeframe=custom&fromDay=2026-01-01&toDay=20260102", "fromDay"),
        ("/aggregated?timeframe=custom&fromDay=20260105&toDay=20260102", "fromDay"),
        ("/aggregated/summary/datapoints?timeframe=last7", "type"),
        ("/aggregated/summary/datapoints?timeframe=last7&type=xx", "type"),
        ("/aggregated/summary/datapoints?timeframe=last7&type=tl&limit=abc", "limit"),
        ("/aggregated/summary/datapoints?timeframe=last7&type=tl&limit=0", "limit"),
        ("/aggregated/summary/datapoints?timeframe=last7&type=tl&sortBy=colour", "sortBy"),
        ("/datapoints/abc", "id"),
        ("/datapoints?limit=-1", "limit"),
        ("/reports?type=countries&timeframe=today", "timeframe"),
        ("/reports?type=countries&timeframe=last12months", "timeframe"),
        ("/reports?type=colours&timeframe=last7", "type"),
        ("/hits?timeframe=beginning", "timeframe"),
        ("/hits?timeframe=last7&offset=garbage", "offset"),
        ("/aggregated/list?timeframe=last7&groupBy=year", "groupBy"),
    ],
)
def test_validation_failures_answer_403(client: httpx.Client, path: str, prop: str) -> None:
    response = client.get(path)
    assert response.status_code == 403, response.text
    (error,) = response.json()["errors"]
    assert error["property"].lower() == prop.lower()
    assert set(error) == {"property", "errorMessage", "code"}


def test_hits_take_today(client: httpx.Client) -> None:
    assert client.get("/hits?timeframe=today&limit=1").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/datapoints/1",
        "/groups/1",
        "/groups/1/aggregated?timeframe=last7",
        "/nowhere",
        "/datapoints/1/hits?timeframe=last7",
        "/clickstream?datapoint=1",
    ],
)
def test_unknown_things_answer_404(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert set(response.json()) == UNAUTHORIZED


def test_throttle_at_ten_per_second(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(rate_limit=10, datapoints=10)
    with sandbox.client() as client:
        answers = [client.get("/me") for _ in range(30)]
        codes = [a.status_code for a in answers]
        assert codes[:10] == [200] * 10
        assert 429 in codes
        refused = next(a for a in answers if a.status_code == 429)
        assert set(refused.json()) == UNAUTHORIZED
        assert "retry-after" not in refused.headers
        assert sandbox.state()["clock"]  # control endpoints are never throttled
        time.sleep(0.5)
        assert client.get("/me").status_code == 200  # tokens come back


def test_faults(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(datapoints=10)
    with sandbox.client() as client:
        sandbox.control("faults", {"latency_ms": 300})
        started = time.monotonic()
        assert client.get("/me").status_code == 200
        assert time.monotonic() - started >= 0.3
        sandbox.control("faults", {"latency_ms": 0, "error_rate": 1})
        failed = client.get("/me")
        assert failed.status_code == 500
        assert failed.json()["httpErrorCode"] == 500
        sandbox.control("faults", {"error_rate": 0, "throttle_rate": 1, "retry_after_s": 2})
        slow = client.get("/me")
        assert slow.status_code == 429
        assert slow.headers["retry-after"] == "2"
        faults = sandbox.control("faults", {"throttle_rate": 0, "revoked": True})
        assert faults["revoked"] is True
        assert faults["retry_after_s"] == 2
        assert client.get("/me").status_code == 401
        assert sandbox.state()["faults"]["revoked"] is True  # control still answers
        sandbox.control("faults", {"revoked": False, "retry_after_s": 0})
        assert client.get("/me").status_code == 200
        sandbox.control("faults", {"error_rate": 0.5})
        codes = {client.get("/me").status_code for _ in range(40)}
        assert codes == {200, 500}


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("spike", {"datapoint_id": 1, "clicks_per_minute": 10, "minutes": 1}),
        ("spike", {"datapoint_id": "x"}),
        ("spike", {"clicks_per_minute": -1}),
        ("faults", {"error_rate": 2}),
        ("faults", {"latency_ms": "slow"}),
        ("faults", {"revoked": "yes"}),
        ("faults", {"colour": 1}),
        ("faults", {"inflated_count": -1}),
        ("faults", {"inflated_count": 1.5}),
        ("faults", {"short_page": 1}),
        ("faults", {"trickle_ms": "slow"}),
        ("clock", {"advance_seconds": -5}),
        ("clock", {"frozen": 1}),
        ("clock", []),
    ],
)
def test_control_rejects_bad_bodies(sandbox: Sandbox, action: str, body: object) -> None:
    response = sandbox.raw.post(f"/_sandbox/{action}", json=body)
    assert response.status_code == 400
    assert response.json()["error"]
    bad_json = sandbox.raw.post(
        f"/_sandbox/{action}",
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400


def test_state_describes_the_account(sandbox: Sandbox) -> None:
    state = sandbox.state()
    assert len(state["datapoints"]) == 60
    assert len(state["groups"]) == 12
    assert 4 <= len(state["conversions"]) <= 6
    assert state["timezone"] == "W. Europe Standard Time"
    assert state["clock"]["frozen"] is True
    assert state["today"]["totalClicks"] == sum(d["today_clicks"] for d in state["datapoints"])
    assert state["faults"] == {
        "latency_ms": 0.0,
        "error_rate": 0.0,
        "throttle_rate": 0.0,
        "retry_after_s": 0.0,
        "revoked": False,
        "truncated_json": False,
        "garbage_body": False,
        "short_page": False,
        "inflated_count": 0,
        "trickle_ms": 0.0,
    }


def test_same_seed_same_account(make_sandbox: Callable[..., Sandbox], sandbox: Sandbox) -> None:
    twin = make_sandbox(datapoints=60)
    mine, theirs = sandbox.state(), twin.state()
    assert [d["name"] for d in mine["datapoints"]] == [d["name"] for d in theirs["datapoints"]]
    with sandbox.client() as a, twin.client() as b:
        path = "/aggregated?timeframe=custom&fromDay=20260301&toDay=20260310"
        assert a.get(path).json() == b.get(path).json()


def test_only_favorites_narrows_the_account(client: httpx.Client) -> None:
    everything = client.get("/aggregated?timeframe=last30").json()
    favourites = client.get("/aggregated?timeframe=last30&onlyFavorites=true").json()
    expanded = client.get("/datapoints?_expand=true&limit=100").json()["entities"]
    total = 0
    for dp in (d for d in expanded if d.get("preferred")):
        total += (
            client.get(f"/datapoints/{dp['id']}/aggregated?timeframe=last30")
            .json()
            .get("totalClicks", 0)
        )
    assert favourites.get("totalClicks", 0) == total < everything["totalClicks"]


def test_a_running_clock_brings_live_traffic(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox(datapoints=10, frozen=False)
    first = sandbox.state()["clock"]
    time.sleep(0.05)
    second = sandbox.state()["clock"]
    assert second["now"] > first["now"]
    assert second["frozen"] is False
    with sandbox.client() as client:
        before = client.get("/aggregated?timeframe=last7").json()["totalClicks"]
        sandbox.control("clock", {"advance_seconds": 4 * 3600})
        after = client.get("/aggregated?timeframe=last7").json()["totalClicks"]
    assert after > before
