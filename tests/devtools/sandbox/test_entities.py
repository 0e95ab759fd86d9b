"""Lists, counts and details of datapoints, groups, tags and conversions, with their filters."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Sandbox


@pytest.fixture
def client(sandbox: Sandbox) -> httpx.Client:
    return sandbox.api


@pytest.fixture(scope="module")
def state(sandbox: Sandbox) -> dict[str, Any]:
    return sandbox.state()


def ids(client: httpx.Client, path: str) -> list[int]:
    sep = "&" if "?" in path else "?"
    return [e["id"] for e in client.get(f"{path}{sep}limit=100").json()["entities"]]


def count(client: httpx.Client, path: str) -> int:
    return int(client.get(path).json().get("count", 0))


def test_lists_page_with_offset_and_limit(client: httpx.Client, state: dict[str, Any]) -> None:
    everything = ids(client, "/datapoints")
    assert len(everything) == len(state["datapoints"]) == count(client, "/datapoints/count")
    assert len(client.get("/datapoints").json()["entities"]) == 20  # default limit
    page = client.get("/datapoints?offset=20&limit=5").json()["entities"]
    assert [e["id"] for e in page] == everything[20:25]
    assert page[0]["uri"] == f"/datapoints/{page[0]['id']}"


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("type=tp", lambda d: d["type"] == 1),
        ("type=TL", lambda d: d["type"] == 0),
        ("status=paused", lambda d: d["status"] == 1),
        ("status=Deleted", lambda d: d["status"] == 3),
        ("tags=email", lambda d: "email" in d["tags"]),
        ("tags=social,affiliate", lambda d: {"social", "affiliate"} & set(d["tags"])),
        ("textSearch=BLOG", lambda d: "blog" in d["name"]),
    ],
)
def test_datapoint_filters(
    client: httpx.Client, state: dict[str, Any], query: str, keep: Any
) -> None:
    expected = sorted(d["id"] for d in state["datapoints"] if keep(d))
    assert sorted(ids(client, f"/datapoints?{query}")) == expected
    assert count(client, f"/datapoints/count?{query}") == len(expected)


def test_datapoint_sorting_and_dates(client: httpx.Client, state: dict[str, Any]) -> None:
    names = [
        e["name"]
        for e in client.get(
            "/datapoints?_expand=true&limit=100&sortBy=name&sortDirection=desc"
        ).json()["entities"]
    ]
    assert names == sorted(names, reverse=True)
    created = sorted(d["created"] for d in state["datapoints"])
    middle = created[len(created) // 2]
    after = ids(client, f"/datapoints?createdAfter={middle}")
    assert len(after) == sum(1 for c in created if c >= middle)


def test_group_lists(client: httpx.Client, state: dict[str, Any]) -> None:
    assert sorted(ids(client, "/groups")) == sorted(g["id"] for g in state["groups"])
    assert count(client, "/groups/count") == len(state["groups"])
    for group in state["groups"][:4]:
        members = ids(client, f"/groups/{group['id']}/datapoints")
        assert sorted(members) == sorted(group["datapoints"])
        assert count(client, f"/groups/{group['id']}/datapoints/count") == len(members)
        detail = client.get(f"/groups/{group['id']}").json()
        assert detail["name"] == group["name"]
    expanded = client.get("/groups?_expand=true&limit=3").json()["entities"]
    assert all("name" in g and "tags" in g for g in expanded)
    assert ids(client, "/groups?status=deleted") == []


def test_tags_and_conversions(client: httpx.Client, state: dict[str, Any]) -> None:
    assert sorted(ids(client, "/tags")) == sorted(t["id"] for t in state["tags"])
    assert count(client, "/tags/count") == len(state["tags"])
    email = next(t for t in state["tags"] if t["name"] == "email")
    tag = client.get(f"/tags/{email['id']}").json()
    tagged = sorted(d["id"] for d in state["datapoints"] if "email" in d["tags"])
    assert sorted(tag["datapoints"]) == tagged
    assert ids(client, "/tags?name=EMA") == [email["id"]]
    conversions = ids(client, "/conversions")
    assert conversions == [c["id"] for c in state["conversions"]]
    assert count(client, "/conversions/count") == len(conversions)
    detail = client.get(f"/conversions/{conversions[0]}").json()
    assert detail["name"] == state["conversions"][0]["name"]
    assert client.get("/tags/1").status_code == 404
    assert client.get("/conversions/1").status_code == 404


def test_conversion_summary_adds_up(client: httpx.Client) -> None:
    account = client.get("/aggregated?timeframe=last30").json()
    summary = client.get("/aggregated/summary/conversions?timeframe=last30&limit=100").json()
    assert sum(i.get("convertedClicks", 0) for i in summary["result"]) == account["convertedClicks"]
    assert all({"id", "name", "date"} <= set(i["entityData"]) for i in summary["result"])
    value = sum(i.get("conversionsValue", 0) for i in summary["result"])
    assert value == pytest.approx(account["conversionsValue"], abs=0.05)


def test_summary_filters(client: httpx.Client, state: dict[str, Any]) -> None:
    base = "/aggregated/summary/datapoints?timeframe=last7&type=tl&limit=100"
    paused = client.get(f"{base}&status=paused").json()
    assert paused["count"] == sum(1 for d in state["datapoints"] if d["status"] == 1)
    group = state["groups"][0]
    in_group = client.get(f"{base}&groupId={group['id']}").json()
    members = {str(i) for i in group["datapoints"]}
    assert {i["entityId"] for i in in_group["result"]} <= members
    by_name = client.get(f"{base}&sortBy=name&sortDirection=asc").json()["result"]
    names = [i["entityData"]["datapointName"] for i in by_name]
    assert names == sorted(names)
    tagged = client.get(f"{base}&tag=email").json()
    assert tagged["count"] == sum(
        1 for d in state["datapoints"] if "email" in d["tags"] and d["type"] == 0
    )
