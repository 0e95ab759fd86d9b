"""Each method asks the right path with the right query, and pages correctly."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clickmeter import (
    BadResponseError,
    ClickMeterError,
    Datapoint,
    DatapointStatus,
    DatapointSummaryData,
    EntityUri,
    Group,
    Period,
    Timeframe,
    TopReport,
    UnsupportedTimeframeError,
)
from tests.client.conftest import FakeApi, MakeClient, Reply

ME = {
    "email": "ann@example.com",
    "registrationDate": "20150216140408",
    "timezone": 82,
    "timezonename": "Mountain Standard Time",
}


async def test_zone_learnt_once_from_me(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/me", ME)
    fake_api.json(
        "/aggregated/list", {"rows": [{"fromDay": "20261101", "lastHitDate": "20261101093000"}]}
    )
    client = make_client(zone=None)
    assert (await client.account_zone()).key == "America/Denver"
    rows = await client.aggregated_list("last7")
    await client.aggregated_list("last7")
    assert rows[0].last_hit_date == datetime(2026, 11, 1, 9, 30, tzinfo=ZoneInfo("America/Denver"))
    assert len(fake_api.seen("/me")) == 1
    user = await client.me()
    assert user.registration_date is not None
    assert user.registration_date.tzinfo == ZoneInfo("America/Denver")


async def test_burst_of_first_calls_asks_me_once(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/me", Reply(ME, delay=0.1))
    fake_api.json("/aggregated", {})
    client = make_client(zone=None)
    await asyncio.gather(*(client.aggregated("last7") for _ in range(5)))
    assert len(fake_api.seen("/me")) == 1
    assert len(fake_api.seen("/aggregated")) == 5


async def test_me_without_zone_name_falls_back_to_utc(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/me", {"email": "x@example.com"})
    assert (await make_client(zone=None).account_zone()).key == "UTC"


@pytest.mark.parametrize(
    ("call", "path", "params"),
    [
        (lambda c: c.aggregated("last7"), "/aggregated", {"timeFrame": "last7"}),
        (lambda c: c.aggregated(Timeframe.TODAY, hourly=True), "/aggregated",
         {"timeFrame": "today", "hourly": "true"}),
        (lambda c: c.aggregated(Period.custom(date(2026, 11, 1), date(2026, 11, 7))),
         "/aggregated", {"timeFrame": "custom", "fromDay": "20261101", "toDay": "20261107"}),
        (lambda c: c.datapoint_aggregated(7, "LAST30"), "/datapoints/7/aggregated",
         {"timeFrame": "last30"}),
        (lambda c: c.group_aggregated(8, "yesterday", hourly=True), "/groups/8/aggregated",
         {"timeFrame": "yesterday", "hourly": "true"}),
        (lambda c: c.top(TopReport.COUNTRIES, "last7"), "/reports",
         {"type": "countries", "timeframe": "last7"}),
        (lambda c: c.top("browsers", "beginning", datapoint_id=5), "/datapoints/5/reports",
         {"type": "browsers", "timeframe": "beginning"}),
        (lambda c: c.top("referrers", "last90", group_id=6, hit_type="views"),
         "/groups/6/reports", {"type": "referrers", "timeframe": "last90", "hittype": "views"}),
        (lambda c: c.datapoint(9), "/datapoints/9", {}),
        (lambda c: c.group(10), "/groups/10", {}),
        (lambda c: c.tag(11), "/tags/11", {}),
        (lambda c: c.conversion(12), "/conversions/12", {}),
        (lambda c: c.plan(), "/me/plan", {}),
    ],
)  # fmt: skip
async def test_single_object_endpoints(
    fake_api: FakeApi, make_client: MakeClient, call: Any, path: str, params: dict[str, str]
) -> None:
    fake_api.json(path, {})
    await call(make_client())
    (seen,) = fake_api.seen(path)
    assert seen.params == params


@pytest.mark.parametrize(
    ("call", "path", "params"),
    [
        (lambda c: c.aggregated_list("last7"), "/aggregated/list", {"timeFrame": "last7"}),
        (lambda c: c.datapoint_aggregated_list(3, "last90", group_by="week"),
         "/datapoints/3/aggregated/list", {"timeFrame": "last90", "groupBy": "week"}),
        (lambda c: c.group_aggregated_list(4, "lastyear", group_by="month"),
         "/groups/4/aggregated/list", {"timeFrame": "lastyear", "groupBy": "month"}),
    ],
)  # fmt: skip
async def test_aggregated_lists_read_rows(
    fake_api: FakeApi, make_client: MakeClient, call: Any, path: str, params: dict[str, str]
) -> None:
    fake_api.json(path, {"rows": [{"totalClicks": 4, "fromDay": "20261101"}, {}]})
    rows = await call(make_client())
    assert [r.total_clicks for r in rows] == [4, 0]
    assert fake_api.seen(path)[0].params == params


@pytest.mark.parametrize(
    ("call", "timeframe"),
    [
        (lambda c, t: c.top("countries", t), "today"),
        (lambda c, t: c.top("countries", t, group_id=1), "last12months"),
        (lambda c, t: c.hits(t), "beginning"),
        (lambda c, t: c.hits(t, group_id=1), "BEGINNING"),
        (lambda c, t: c.aggregated(t), "fortnight"),
    ],
)
async def test_refused_timeframes_fail_before_any_request(
    fake_api: FakeApi, make_client: MakeClient, call: Any, timeframe: str
) -> None:
    with pytest.raises(UnsupportedTimeframeError) as caught:
        await call(make_client(), timeframe)
    assert isinstance(caught.value, ClickMeterError)
    assert "Use one of" in caught.value.user_message
    assert fake_api.seen() == []


async def test_summary_filters_and_one_page(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/aggregated/summary/datapoints", {"count": 1, "limit": 100, "result": [{}]})
    page = await make_client().datapoints_summary(
        "last7", kind="tl", status="active", tag="email", group_id=5, text="sale",
        sort_by="totalclicks", sort_direction="desc",
    )  # fmt: skip
    assert page.count == 1
    (seen,) = fake_api.seen()
    assert seen.params == {
        "timeFrame": "last7", "type": "tl", "status": "active", "tag": "email", "groupId": "5",
        "textSearch": "sale", "sortBy": "totalclicks", "sortDirection": "desc", "limit": "100",
    }  # fmt: skip


def _summary_pages(total: int) -> list[Reply]:
    pages = []
    for offset in range(0, total, 100):
        result = [
            {"entityId": str(i), "totalClicks": i, "entityData": {"datapointId": i}}
            for i in range(offset, min(offset + 100, total))
        ]
        pages.append(Reply({"count": total, "limit": 100, "offset": offset, "result": result}))
    return pages


@pytest.mark.parametrize(
    ("call", "path"),
    [
        (lambda c: c.iter_datapoints_summary("last30", kind="tl"),
         "/aggregated/summary/datapoints"),
        (lambda c: c.iter_groups_summary("last30"), "/aggregated/summary/groups"),
        (lambda c: c.iter_group_datapoints_summary(9, "last30"), "/groups/9/aggregated/summary"),
    ],
)  # fmt: skip
async def test_summary_iterators_walk_every_page(
    fake_api: FakeApi, make_client: MakeClient, call: Any, path: str
) -> None:
    fake_api.reply(path, *_summary_pages(250))
    items = [item async for item in call(make_client())]
    assert [item.total_clicks for item in items] == list(range(250))
    assert isinstance(items[0].entity_data, DatapointSummaryData)
    offsets = [(s.params.get("offset"), s.params["limit"]) for s in fake_api.seen(path)]
    assert offsets == [(None, "100"), ("100", "100"), ("200", "100")]


async def test_summary_iterator_stops_on_empty_page(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    # Issue 9: an empty page where the count promises rows is a short read, said as such.
    fake_api.reply("/aggregated/summary/groups", Reply({"count": 500, "result": []}))
    with pytest.raises(BadResponseError, match="sent 0 rows at offset 0"):
        [item async for item in make_client().iter_groups_summary("last7")]
    assert len(fake_api.seen()) == 1


async def test_summary_limit_is_checked(make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="limit"):
        await make_client().datapoints_summary("last7", limit=500)


async def test_hits_follow_last_key(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply(
        "/datapoints/3/hits",
        Reply({"hits": [{"ip": "a"}, {"ip": "b"}], "lastKey": "key-1"}),
        Reply({"hits": [{"ip": "c"}], "lastKey": "key-2"}),
        Reply({"hits": [{"ip": "d"}]}),
    )
    client = make_client()
    hits = [h.ip async for h in client.iter_hits("last7", datapoint_id=3, filter="uniques")]
    assert hits == ["a", "b", "c", "d"]
    offsets = [s.params.get("offset") for s in fake_api.seen()]
    assert offsets == [None, "key-1", "key-2"]
    assert all(s.params["timeframe"] == "last7" for s in fake_api.seen())
    assert all(s.params["filter"] == "uniques" for s in fake_api.seen())


async def test_hits_one_page(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/groups/2/hits", {"hits": [{"isUnique": "1"}], "lastKey": "k"})
    page = await make_client().hits("yesterday", group_id=2, limit=10, offset="k0")
    assert page.hits[0].is_unique
    assert page.last_key == "k"
    assert fake_api.seen()[0].params == {"timeframe": "yesterday", "limit": "10", "offset": "k0"}
    with pytest.raises(ValueError, match="not both"):
        await make_client().hits("last7", group_id=1, datapoint_id=2)


async def test_clickstream(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/clickstream", {"rows": [{"id": "012691042@2017", "isSpider": "1"}]})
    rows = await make_client().clickstream(datapoint_id=12691042, page_size=20, filter="spiders")
    assert rows[0].is_spider is True
    assert fake_api.seen()[0].params == {
        "datapoint": "12691042", "pageSize": "20", "filter": "spiders"
    }  # fmt: skip


async def test_entity_lists_filters_and_expand(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/datapoints", {"entities": [{"id": 1, "uri": "/datapoints/1"}]})
    client = make_client()
    refs = await client.datapoints(
        kind="tl", status="active", text="sale", only_favorites=True,
        created_after=datetime(2026, 11, 1, 12, 0, tzinfo=ZoneInfo("UTC")),
    )  # fmt: skip
    assert refs == [EntityUri(id=1, uri="/datapoints/1")]
    assert fake_api.seen()[0].params == {
        "type": "tl", "status": "active", "textSearch": "sale", "onlyFavorites": "true",
        "createdAfter": "20261101050000", "limit": "20",
    }  # fmt: skip
    fake_api.reset()
    fake_api.json("/groups", {"entities": [{"id": 4, "name": "Campaign", "deleted": True}]})
    groups = await client.groups(expand=True, status="deleted", offset=20)
    assert isinstance(groups[0], Group)
    assert groups[0].deleted
    assert fake_api.seen()[0].params == {
        "status": "deleted", "_expand": "true", "offset": "20", "limit": "20"
    }  # fmt: skip


async def test_entity_iterators_page_by_100(fake_api: FakeApi, make_client: MakeClient) -> None:
    def page(start: int, size: int) -> Reply:
        return Reply({"entities": [{"id": i, "status": 3} for i in range(start, start + size)]})

    fake_api.reply("/groups/5/datapoints", page(0, 100), page(100, 30))
    points = [p async for p in make_client().iter_group_datapoints(5, expand=True)]
    assert len(points) == 130
    assert isinstance(points[0], Datapoint)
    assert points[0].status is DatapointStatus.DELETED
    assert [s.params.get("offset") for s in fake_api.seen()] == [None, "100"]
    assert fake_api.seen()[0].params["limit"] == "100"


async def test_counts_tags_conversions(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/datapoints/count", {"count": 8})
    fake_api.json("/groups/count", {})
    fake_api.json("/groups/3/datapoints/count", {"count": 2})
    fake_api.json("/tags", {"entities": [{"id": 1, "uri": "/tags/1"}]})
    fake_api.json("/conversions", {"entities": []})
    fake_api.json("/datapoints", {"entities": []})
    client = make_client()
    assert await client.datapoints_count(kind="tp") == 8
    assert await client.groups_count(status="active") == 0
    assert await client.group_datapoints_count(3) == 2
    assert [t.id for t in await client.tags(name="email", kind="dp")] == [1]
    assert await client.conversions(status="active") == []
    assert fake_api.seen("/datapoints/count")[0].params == {"type": "tp"}
    assert fake_api.seen("/tags")[0].params == {"name": "email", "type": "dp", "limit": "20"}
    refs = [r.id async for r in client.iter_datapoints(status="paused")]
    assert refs == []
