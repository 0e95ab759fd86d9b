"""Every client method against the running sandbox: answers parse and the numbers add up."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from clickmeter import (
    AuthenticationError,
    BadResponseError,
    ClickMeterClient,
    ClickMeterError,
    ClickMeterTimeout,
    Datapoint,
    DatapointStatus,
    DatapointSummaryData,
    Group,
    GroupSummaryData,
    NotFoundError,
    Period,
    RateLimitedError,
    TopReport,
    UnsupportedTimeframeError,
)
from tests.conftest import Sandbox

MakeSandbox = Callable[..., Sandbox]


def _client(sandbox: Sandbox, **options: Any) -> ClickMeterClient:
    settings: dict[str, Any] = {"base_url": sandbox.url, "requests_per_second": None}
    settings.update(options)
    return ClickMeterClient(sandbox.api_key, **settings)


@pytest.fixture
async def cm(sandbox: Sandbox) -> AsyncIterator[ClickMeterClient]:
    async with _client(sandbox, max_attempts=2) as client:
        yield client


async def test_account(cm: ClickMeterClient, sandbox: Sandbox) -> None:
    zone = ZoneInfo(sandbox.state()["iana_timezone"])
    user = await cm.me()
    assert await cm.account_zone() == zone
    assert user.timezonename == sandbox.state()["timezone"]
    assert user.registration_date is not None
    assert user.registration_date.tzinfo == zone
    plan = await cm.plan()
    assert plan.name
    assert plan.used_datapoints <= plan.maximum_datapoints


@pytest.mark.parametrize("timeframe", ["yesterday", "last7", "last30"])
async def test_account_total_equals_every_breakdown(cm: ClickMeterClient, timeframe: str) -> None:
    total = await cm.aggregated(timeframe)
    assert total.total_clicks > 0
    links = [x async for x in cm.iter_datapoints_summary(timeframe, kind="tl")]
    pixels = [x async for x in cm.iter_datapoints_summary(timeframe, kind="tp")]
    groups = [x async for x in cm.iter_groups_summary(timeframe)]
    days = await cm.aggregated_list(timeframe)
    countries = await cm.top(TopReport.COUNTRIES, timeframe)
    for parts in (links + pixels, groups, days, countries.data):
        assert sum(p.total_clicks for p in parts) == total.total_clicks
    assert sum(p.total_views for p in links + pixels) == total.total_views
    assert all(isinstance(x.entity_data, DatapointSummaryData) for x in links + pixels)
    assert all(isinstance(x.entity_data, GroupSummaryData) for x in groups)


async def test_summary_pages_cover_the_count(cm: ClickMeterClient) -> None:
    first = await cm.datapoints_summary("last30", limit=7)
    assert first.limit == 7
    assert len(first.result) == 7
    everything = [x async for x in cm.iter_datapoints_summary("last30")]
    assert len(everything) == first.count
    assert len({x.entity_id for x in everything}) == first.count
    second = await cm.datapoints_summary("last30", limit=7, offset=7)
    assert second.offset == 7
    assert {x.entity_id for x in second.result}.isdisjoint({x.entity_id for x in first.result})


async def test_datapoint_and_group_views(cm: ClickMeterClient) -> None:
    group_ref = (await cm.groups(limit=1))[0]
    inside = [x async for x in cm.iter_group_datapoints_summary(group_ref.id, "last30")]
    group_total = await cm.group_aggregated(group_ref.id, "last30")
    assert sum(x.total_clicks for x in inside) == group_total.total_clicks
    weeks = await cm.group_aggregated_list(group_ref.id, "last30", group_by="week")
    assert sum(w.total_clicks for w in weeks) == group_total.total_clicks
    point_id = int(inside[0].entity_id or 0)
    point_total = await cm.datapoint_aggregated(point_id, "last30")
    assert point_total.total_clicks == inside[0].total_clicks
    months = await cm.datapoint_aggregated_list(point_id, "last30", group_by="month")
    assert sum(m.total_clicks for m in months) == point_total.total_clicks
    hourly = await cm.datapoint_aggregated(point_id, "yesterday", hourly=True)
    assert sum(h.total_clicks for h in hourly.hours().values()) == hourly.total_clicks
    custom = Period.custom(date(2026, 3, 10), date(2026, 3, 16))
    days = await cm.aggregated_list(custom)
    assert days[0].from_day == date(2026, 3, 10)
    assert sum(d.total_clicks for d in days) == (await cm.aggregated(custom)).total_clicks


async def test_every_top_report_for_every_scope(cm: ClickMeterClient) -> None:
    point_id = (await cm.datapoints(limit=1))[0].id
    group_id = (await cm.groups(limit=1))[0].id
    for report in TopReport:
        top = await cm.top(report, "last7")
        assert top.data, report
        await cm.top(report, "last30", datapoint_id=point_id)
        await cm.top(report, "beginning", group_id=group_id, hit_type="clicks")


async def test_hits_follow_last_key_to_the_end(cm: ClickMeterClient) -> None:
    totals = await cm.aggregated("yesterday")
    hits = [h async for h in cm.iter_hits("yesterday", limit=100)]
    expected = totals.total_clicks + totals.total_views + totals.spider_hits_count
    assert len(hits) == expected
    assert sum(h.is_spider for h in hits) == totals.spider_hits_count
    zone = await cm.account_zone()
    assert all(h.access_time is not None and h.access_time.tzinfo == zone for h in hits)
    page = await cm.hits("yesterday", limit=10, filter="uniques")
    assert len(page.hits) == 10
    assert all(h.is_unique for h in page.hits)
    point_id = (await cm.datapoints(limit=1))[0].id
    await cm.hits("last7", datapoint_id=point_id)
    await cm.hits("last7", group_id=(await cm.groups(limit=1))[0].id)


async def test_clickstream(cm: ClickMeterClient) -> None:
    rows = await cm.clickstream(page_size=100)
    assert 0 < len(rows) <= 100
    assert all(r.id and "@" in r.id for r in rows)
    point_id = int(rows[0].id.split("@")[0]) if rows[0].id else 0
    mine = await cm.clickstream(datapoint_id=point_id, page_size=5)
    assert all(r.entity is None or r.entity.datapoint_id == point_id for r in mine)
    await cm.clickstream(group_id=(await cm.groups(limit=1))[0].id, filter="spiders")


async def test_entity_lists_counts_and_objects(cm: ClickMeterClient) -> None:
    refs = [r async for r in cm.iter_datapoints()]
    assert len(refs) == await cm.datapoints_count()
    full = [d async for d in cm.iter_datapoints(expand=True)]
    assert [d.id for d in full] == [r.id for r in refs]
    assert all(isinstance(d, Datapoint) for d in full)
    one = await cm.datapoint(full[0].id)
    assert one.id == full[0].id
    assert one.name == full[0].name
    deleted = await cm.datapoints(status="deleted", expand=True)
    assert all(d.status is DatapointStatus.DELETED for d in deleted)
    assert len(deleted) == await cm.datapoints_count(status="deleted")
    groups = [g async for g in cm.iter_groups(expand=True)]
    assert len(groups) == await cm.groups_count()
    assert all(isinstance(g, Group) for g in groups)
    assert (await cm.group(groups[0].id)).name == groups[0].name
    members = [d async for d in cm.iter_group_datapoints(groups[0].id, expand=True)]
    assert len(members) == await cm.group_datapoints_count(groups[0].id)
    assert all(d.group_id == groups[0].id for d in members)
    assert await cm.tags()
    assert await cm.conversions()


async def test_refused_timeframes_and_missing_ids(cm: ClickMeterClient) -> None:
    with pytest.raises(UnsupportedTimeframeError):
        await cm.top("countries", "today")
    with pytest.raises(UnsupportedTimeframeError):
        await cm.hits("beginning")
    with pytest.raises(NotFoundError):
        await cm.datapoint(999_999_999)


async def test_wrong_and_revoked_keys(sandbox: Sandbox, make_sandbox: MakeSandbox) -> None:
    async with ClickMeterClient(
        "00000000-0000-0000-0000-000000000000", base_url=sandbox.url, requests_per_second=None
    ) as stranger:
        with pytest.raises(AuthenticationError):
            await stranger.me()
    private = make_sandbox(datapoints=5)
    async with _client(private) as client:
        await client.me()
        private.control("faults", {"revoked": True})
        with pytest.raises(AuthenticationError) as caught:
            await client.aggregated("last7")
    assert "CLICKMETER_API_KEY" in caught.value.user_message


async def test_survives_errors_and_throttling(make_sandbox: MakeSandbox) -> None:
    flaky = make_sandbox(datapoints=5)
    flaky.control("faults", {"error_rate": 0.3, "throttle_rate": 0.2})
    async with _client(flaky, max_attempts=10, backoff_base=0.01) as client:
        results = await asyncio.gather(*(client.aggregated("last7") for _ in range(10)))
    assert len({r.total_clicks for r in results}) == 1


async def test_pacing_never_trips_the_real_limit(
    make_sandbox: MakeSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    limited = make_sandbox(datapoints=5, rate_limit=10)
    async with _client(limited, requests_per_second=9.0, max_attempts=1) as client:
        with caplog.at_level(logging.WARNING, logger="clickmeter"):
            await asyncio.gather(*(client.aggregated("last7") for _ in range(12)))
    assert not [r for r in caplog.records if r.name == "clickmeter"]
    # The same burst unpaced does trip it, so the check above means something.
    unpaced = make_sandbox(datapoints=5, rate_limit=10)
    async with _client(unpaced, max_attempts=1) as client:
        outcomes = await asyncio.gather(
            *(client.aggregated("last7") for _ in range(12)), return_exceptions=True
        )
    assert any(isinstance(o, RateLimitedError) for o in outcomes)


@pytest.mark.parametrize(
    ("fault", "error", "says"),
    [
        ({"truncated_json": True}, BadResponseError, "not JSON"),
        ({"garbage_body": True}, BadResponseError, "not JSON"),
        ({"short_page": True}, BadResponseError, "sent 19 rows at offset 0"),
        ({"inflated_count": 100_000}, BadResponseError, "count of 100000 implies 100"),
        ({"trickle_ms": 100}, ClickMeterTimeout, "answer whole"),
    ],
)
async def test_every_body_fault_is_a_typed_error_after_few_requests(
    make_sandbox: MakeSandbox, fault: dict[str, Any], error: type[ClickMeterError], says: str
) -> None:
    faulty = make_sandbox(datapoints=20)
    seen: list[str] = []
    async with _client(
        faulty,
        zone=ZoneInfo("Europe/Berlin"),
        timeout=1.0,
        max_attempts=1,
        observer=lambda path, outcome: seen.append(path),
    ) as client:
        faulty.control("faults", fault)
        with pytest.raises(error, match=says) as caught:
            [page async for page in client.datapoint_clicks("today")]
        with pytest.raises(error, match=says):
            [row async for row in client.iter_datapoints_summary("today")]
    assert caught.value.user_message == error.default_user_message
    assert len(seen) == 2  # one request each: the first page already breaks its promise
