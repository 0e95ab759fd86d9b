"""Every view of the traffic agrees with every other one, exactly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import Sandbox

METRICS = (
    "totalClicks",
    "uniqueClicks",
    "totalViews",
    "uniqueViews",
    "spiderHitsCount",
    "convertedClicks",
    "uniqueConversions",
)
TIMEFRAMES = (
    "today",
    "yesterday",
    "last7",
    "last30",
    "previousmonth",
    "currentmonth",
    "beginning",
    "custom&fromDay=20260301&toDay=20260310",
)


def totals(body: dict[str, Any]) -> dict[str, int]:
    return {m: int(body.get(m, 0)) for m in METRICS}


def add(into: dict[str, int], body: dict[str, Any]) -> None:
    for m in METRICS:
        into[m] += int(body.get(m, 0))


def zero() -> dict[str, int]:
    return dict.fromkeys(METRICS, 0)


def summary_items(client: httpx.Client, path: str) -> list[dict[str, Any]]:
    """All summary items, paged with limit=100 until offset reaches count."""
    items: list[dict[str, Any]] = []
    offset = 0
    while True:
        body = client.get(f"{path}&limit=100&offset={offset}").json()
        assert body.get("offset", 0) == offset
        items += body["result"]
        offset += 100
        if offset >= body.get("count", 0):
            return items


@pytest.fixture
def client(sandbox: Sandbox) -> httpx.Client:
    return sandbox.api


@pytest.mark.parametrize("timeframe", TIMEFRAMES)
def test_datapoint_summary_adds_up_to_the_account(client: httpx.Client, timeframe: str) -> None:
    account = totals(client.get(f"/aggregated?timeframe={timeframe}").json())
    summed = zero()
    for kind in ("tl", "tp"):
        path = f"/aggregated/summary/datapoints?timeframe={timeframe}&type={kind}"
        for item in summary_items(client, path):
            add(summed, item)
    assert summed == account
    if timeframe != "custom&fromDay=20260301&toDay=20260310":
        assert account["totalClicks"] > 0


@pytest.mark.parametrize("timeframe", ["today", "last7", "last90"])
def test_groups_add_up_and_each_group_is_its_datapoints(
    client: httpx.Client, timeframe: str
) -> None:
    account = totals(client.get(f"/aggregated?timeframe={timeframe}").json())
    groups = summary_items(client, f"/aggregated/summary/groups?timeframe={timeframe}")
    summed = zero()
    for group in groups:
        add(summed, group)
        own = totals(
            client.get(f"/groups/{group['entityId']}/aggregated?timeframe={timeframe}").json()
        )
        assert own == totals(group)
        members = zero()
        for item in summary_items(
            client, f"/groups/{group['entityId']}/aggregated/summary?timeframe={timeframe}"
        ):
            add(members, item)
        assert members == own
    assert summed == account


@pytest.mark.parametrize(
    ("report", "timeframe"),
    [
        ("countries", "yesterday"),
        ("countries", "last30"),
        ("browsers", "last7"),
        ("platforms", "last7"),
        ("cities", "last7"),
        ("ips", "previousmonth"),
        ("languages", "beginning"),
    ],
)
def test_top_reports_add_up_to_the_total(client: httpx.Client, report: str, timeframe: str) -> None:
    account = client.get(f"/aggregated?timeframe={timeframe}").json()
    clicks = client.get(f"/reports?type={report}&timeframe={timeframe}").json()["data"]
    assert sum(x.get("totalClicks", 0) for x in clicks) == account.get("totalClicks", 0)
    assert sum(x.get("uniqueClicks", 0) for x in clicks) == account.get("uniqueClicks", 0)
    views = client.get(f"/reports?type={report}&timeframe={timeframe}&hittype=views").json()
    assert sum(x.get("totalViews", 0) for x in views["data"]) == account.get("totalViews", 0)


def test_report_of_one_datapoint_adds_up(client: httpx.Client, sandbox: Sandbox) -> None:
    dp = max(sandbox.state()["datapoints"], key=lambda d: d["today_clicks"])["id"]
    own = client.get(f"/datapoints/{dp}/aggregated?timeframe=last7").json()
    for path in (
        f"/datapoints/{dp}/reports?type=countries&timeframe=last7",
        f"/reports?type=countries&timeframe=last7&datapoint={dp}",
    ):
        data = client.get(path).json()["data"]
        assert sum(x.get("totalClicks", 0) for x in data) == own["totalClicks"]


@pytest.mark.parametrize("group_by", ["", "&groupBy=week", "&groupBy=month"])
def test_aggregated_list_rows_add_up(client: httpx.Client, group_by: str) -> None:
    account = totals(client.get("/aggregated?timeframe=last90").json())
    rows = client.get(f"/aggregated/list?timeframe=last90{group_by}").json()["rows"]
    summed = zero()
    for row in rows:
        add(summed, row)
    assert summed == account
    expected = {"": 90, "&groupBy=week": None, "&groupBy=month": None}[group_by]
    if expected is not None:
        assert len(rows) == expected


def test_hourly_breakdown_adds_up(client: httpx.Client) -> None:
    body = client.get("/aggregated?timeframe=last7&hourly=true").json()
    summed = zero()
    for hour in body["hourlyBreakDown"].values():
        add(summed, hour)
    assert summed == totals(body)


def paged_hits(client: httpx.Client, path: str, limit: int = 100) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    body = client.get(f"{path}&limit={limit}").json()
    while True:
        hits += body["hits"]
        if "lastKey" not in body:
            return hits
        assert len(body["hits"]) == limit
        body = client.get(f"{path}&limit={limit}&offset={body['lastKey']}").json()


@pytest.mark.parametrize("timeframe", ["yesterday", "today"])
def test_hits_paging_covers_everything_exactly_once(
    client: httpx.Client, sandbox: Sandbox, timeframe: str
) -> None:
    group = max(sandbox.state()["groups"], key=lambda g: len(g["datapoints"]))["id"]
    hits = paged_hits(client, f"/groups/{group}/hits?timeframe={timeframe}", limit=7)
    own = totals(client.get(f"/groups/{group}/aggregated?timeframe={timeframe}").json())
    assert len(hits) == own["totalClicks"] + own["totalViews"] + own["spiderHitsCount"]
    assert len({h["id"] for h in hits}) == len(hits)
    times = [h["accessTime"] for h in hits]
    assert times == sorted(times, reverse=True)
    assert len(hits) > 7  # more than one page really was read


def test_hit_filters_match_the_counts(client: httpx.Client, sandbox: Sandbox) -> None:
    dp = max(sandbox.state()["datapoints"], key=lambda d: d["today_clicks"])["id"]
    own = totals(client.get(f"/datapoints/{dp}/aggregated?timeframe=yesterday").json())
    base = f"/datapoints/{dp}/hits?timeframe=yesterday"
    assert len(paged_hits(client, f"{base}&filter=spiders")) == own["spiderHitsCount"]
    uniques = paged_hits(client, f"{base}&filter=uniques")
    assert len(uniques) == own["uniqueClicks"] + own["uniqueViews"]
    assert {h["isUnique"] for h in uniques} == {"1"}
    conversions = paged_hits(client, f"{base}&filter=conversions")
    assert len(conversions) == own["convertedClicks"]


def _spiked(sandbox: Sandbox, pick: Callable[[dict[str, Any]], bool]) -> tuple[int, dict[str, Any]]:
    state = sandbox.state()
    dp = next(d for d in state["datapoints"] if pick(d))
    return dp["id"], state


def test_spike_shows_everywhere(make_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = make_sandbox()
    dp, _ = _spiked(sandbox, lambda d: d["type"] == 0 and d["status"] == 0)
    with sandbox.client() as client:
        before = totals(client.get(f"/datapoints/{dp}/aggregated?timeframe=today").json())
        spike = sandbox.control(
            "spike", {"datapoint_id": dp, "clicks_per_minute": 300, "minutes": 2}
        )
        assert spike["hits"] > 400
        sandbox.control("clock", {"advance_seconds": 120})
        after = totals(client.get(f"/datapoints/{dp}/aggregated?timeframe=today").json())
        gained = after["totalClicks"] + after["spiderHitsCount"]
        gained -= before["totalClicks"] + before["spiderHitsCount"]
        assert gained >= spike["hits"]
        assert gained < spike["hits"] + 60  # only ~2 minutes of ordinary traffic besides

        account = totals(client.get("/aggregated?timeframe=today").json())
        items = summary_items(client, "/aggregated/summary/datapoints?timeframe=today&type=tl")
        mine = next(i for i in items if i["entityId"] == str(dp))
        assert totals(mine) == after
        assert items[0]["entityId"] == str(dp)  # now the day's busiest link
        summed = zero()
        for kind in ("tl", "tp"):
            for item in summary_items(
                client, f"/aggregated/summary/datapoints?timeframe=today&type={kind}"
            ):
                add(summed, item)
        assert summed == account

        # /reports refuses `today`; a custom range of today's date is the same day.
        today = sandbox.state()["clock"]["today"].replace("-", "")
        custom = f"timeframe=custom&fromDay={today}&toDay={today}"
        data = client.get(f"/datapoints/{dp}/reports?type=countries&{custom}").json()["data"]
        assert sum(x.get("totalClicks", 0) for x in data) == after["totalClicks"]

        hits = paged_hits(client, f"/datapoints/{dp}/hits?timeframe=today")
        assert len(hits) == after["totalClicks"] + after["spiderHitsCount"]
        rows = client.get(f"/clickstream?datapoint={dp}&pageSize=100").json()["rows"]
        assert len(rows) == 100
        assert [r["id"] for r in rows] == [h["id"] for h in hits[:100]]
        assert all(r["entity"]["datapointId"] == dp for r in rows)


def test_clock_advance_moves_today_across_midnight(make_sandbox: Callable[..., Sandbox]) -> None:
    from datetime import UTC, datetime

    # 23:10 in Berlin (CET, UTC+1) on Saturday 28 March 2026, the night clocks go forward.
    sandbox = make_sandbox(start=datetime(2026, 3, 28, 22, 10, tzinfo=UTC))
    with sandbox.client() as client:
        assert sandbox.state()["clock"]["today"] == "2026-03-28"
        today_before = totals(client.get("/aggregated?timeframe=today").json())
        assert today_before["totalClicks"] > 0
        sandbox.control("clock", {"advance_seconds": 1800})  # 23:40
        late = totals(client.get("/aggregated?timeframe=today").json())
        assert late["totalClicks"] > today_before["totalClicks"]

        state = sandbox.control("clock", {"advance_seconds": 3600})  # 00:40 on the 29th
        assert state["today"] == "2026-03-29"
        today_after = totals(client.get("/aggregated?timeframe=today").json())
        yesterday = totals(client.get("/aggregated?timeframe=yesterday").json())
        assert today_after["totalClicks"] < late["totalClicks"]  # the counters reset
        assert yesterday["totalClicks"] >= late["totalClicks"]
        day = client.get("/aggregated/list?timeframe=custom&fromDay=20260328&toDay=20260328")
        assert totals(day.json()["rows"][0]) == yesterday

        # Through the DST change: 03:40 CEST is only two hours of traffic after 00:40 CET...
        state = sandbox.control("clock", {"advance_seconds": 7200})
        assert state["local"].startswith("2026032903")
