"""Digest content is exactly the sandbox's own API numbers for the same days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from alerts.digests import (
    DigestContent,
    GroupFilter,
    LinkChange,
    TagFilter,
    gather_digest,
    links_filter_of,
)
from alerts.digests.content import SERIES_DAYS, comparison_days, digest_days
from alerts.digests.gather import mover_threshold, movers
from clickmeter import ClickMeterClient, NotFoundError, TopReport
from tests.alerts.digests.conftest import CountingTransport
from tests.conftest import Sandbox


def ymd(day: date) -> str:
    return f"{day:%Y%m%d}"


def custom(first: date, last: date) -> dict[str, str]:
    return {"fromDay": ymd(first), "toDay": ymd(last)}


def get(sandbox: Sandbox, path: str, **params: str) -> Any:
    response = sandbox.api.get(path, params=params)
    response.raise_for_status()
    return response.json()


def aggregated(sandbox: Sandbox, first: date, last: date, path: str = "/aggregated") -> Any:
    return get(sandbox, path, timeFrame="custom", **custom(first, last))


def link_clicks(sandbox: Sandbox, first: date, last: date, **params: str) -> dict[int, int]:
    """Every tracking link's clicks over the days, read page by page from the summary."""
    out: dict[int, int] = {}
    offset = 0
    while True:
        page = get(
            sandbox,
            "/aggregated/summary/datapoints",
            timeFrame="custom",
            type="tl",
            limit="100",
            offset=str(offset),
            **custom(first, last),
            **params,
        )
        out |= {int(item["entityId"]): item.get("totalClicks", 0) for item in page["result"]}
        offset += 100
        if offset >= page["count"]:
            return out


@pytest.fixture
async def daily(client: ClickMeterClient, today: date, now: datetime) -> DigestContent:
    return await gather_digest(client, day=today, now=now)


def test_days_covered_and_compared() -> None:
    assert digest_days("daily", date(2026, 3, 1)) == (date(2026, 2, 28), date(2026, 2, 28))
    assert digest_days("weekly", date(2026, 3, 2)) == (date(2026, 2, 23), date(2026, 3, 1))
    day = date(2025, 11, 25)  # a Tuesday
    assert comparison_days("daily", day, day) == [
        ("Mon", date(2025, 11, 24), date(2025, 11, 24)),
        ("last Tue", date(2025, 11, 18), date(2025, 11, 18)),
    ]
    assert comparison_days("weekly", date(2025, 11, 17), day) == [
        ("week before", date(2025, 11, 10), date(2025, 11, 18))
    ]


async def test_daily_totals_match_the_api(
    sandbox: Sandbox, daily: DigestContent, today: date
) -> None:
    yesterday = today - timedelta(days=1)
    assert (daily.first, daily.last) == (yesterday, yesterday)
    now = get(sandbox, "/aggregated", timeFrame="yesterday")
    assert daily.totals.clicks == now["totalClicks"] > 0
    assert daily.totals.unique_clicks == now["uniqueClicks"]
    assert daily.totals.views == now.get("totalViews", 0)
    assert daily.totals.conversions == now.get("convertedClicks", 0)
    assert daily.totals.conversions_value == now.get("conversionsValue", 0.0)
    before, week_ago = daily.comparisons
    day_before = yesterday - timedelta(days=1)
    assert (before.first, before.last, before.label) == (day_before, day_before, "Mon")
    assert before.totals.clicks == aggregated(sandbox, day_before, day_before)["totalClicks"]
    same_weekday = yesterday - timedelta(days=7)
    assert (week_ago.first, week_ago.last, week_ago.label) == (
        same_weekday,
        same_weekday,
        "last Tue",
    )
    old = aggregated(sandbox, same_weekday, same_weekday)
    assert week_ago.totals.clicks == old["totalClicks"]
    assert week_ago.totals.unique_clicks == old["uniqueClicks"]
    assert daily.zone == "Europe/Berlin"
    assert daily.scope == "the account"


async def test_top_links_and_their_change_match_the_summaries(
    sandbox: Sandbox, daily: DigestContent
) -> None:
    now = link_clicks(sandbox, daily.first, daily.last)
    before = link_clicks(sandbox, daily.first - timedelta(days=1), daily.first - timedelta(days=1))
    ranked = sorted((c for c in now.items() if c[1]), key=lambda c: -c[1])
    assert len(daily.top_links) == 5
    assert [link.clicks for link in daily.top_links] == [c for _, c in ranked[:5]]
    for link in daily.top_links:
        assert link.clicks == now[link.id]
        assert link.previous_clicks == before.get(link.id, 0)
    assert daily.links_with_clicks == len(ranked)
    assert daily.link_clicks == sum(now.values())


async def test_top_reports_match_the_api(sandbox: Sandbox, daily: DigestContent) -> None:
    assert [t.report for t in daily.reports] == [TopReport.COUNTRIES, TopReport.REFERRERS]
    for table in daily.reports:
        body = get(sandbox, "/reports", type=table.report.value, timeframe="yesterday")
        items = sorted(
            (i for i in body["data"] if i.get("totalClicks", 0) > 0),
            key=lambda i: (-i["totalClicks"], -i.get("uniqueClicks", 0), i["id"]),
        )
        assert table.items == len(items)
        assert table.total_clicks == sum(i["totalClicks"] for i in items)
        assert [(r.value, r.clicks, r.unique_clicks) for r in table.rows] == [
            (i["id"], i["totalClicks"], i.get("uniqueClicks", 0)) for i in items[:5]
        ]


async def test_series_is_the_last_14_days_per_day(sandbox: Sandbox, daily: DigestContent) -> None:
    first = daily.last - timedelta(days=SERIES_DAYS - 1)
    rows = aggregated(sandbox, first, daily.last, "/aggregated/list")["rows"]
    assert [d.day for d in daily.series] == [first + timedelta(days=i) for i in range(14)]
    assert [d.clicks for d in daily.series] == [r.get("totalClicks", 0) for r in rows]
    assert daily.series[-1].clicks == daily.totals.clicks


async def test_requests_are_batched_not_per_link(
    daily: DigestContent, transport: CountingTransport
) -> None:
    # 60 links: one summary page per period, whatever the number of links shown.
    assert not any(p.startswith("/datapoints/") for p in transport.paths)
    assert transport.paths.count("/aggregated/summary/datapoints") == 2
    assert len(transport.paths) <= 10


async def test_weekly_covers_seven_days_against_the_week_before(
    sandbox: Sandbox, client: ClickMeterClient, today: date, now: datetime
) -> None:
    weekly = await gather_digest(client, day=today, kind="weekly", now=now, reports=())
    last = today - timedelta(days=1)
    first = last - timedelta(days=6)
    assert (weekly.first, weekly.last) == (first, last)
    expected = aggregated(sandbox, first, last)
    assert weekly.totals.clicks == expected["totalClicks"] > 0
    assert weekly.totals.unique_clicks == expected["uniqueClicks"]
    assert weekly.totals.views == expected.get("totalViews", 0)
    (before,) = weekly.comparisons
    assert (before.first, before.last) == (first - timedelta(days=7), first - timedelta(days=1))
    assert before.totals.clicks == aggregated(sandbox, before.first, before.last)["totalClicks"]
    assert weekly.reports == ()
    now_links = link_clicks(sandbox, first, last)
    assert [link.clicks for link in weekly.top_links] == sorted(now_links.values())[::-1][:5]


async def test_group_digest_reads_the_group(
    sandbox: Sandbox, client: ClickMeterClient, today: date
) -> None:
    group = get(sandbox, "/groups")["entities"][0]["id"]
    group_name = get(sandbox, f"/groups/{group}")["name"]
    content = await gather_digest(client, day=today, links_filter=GroupFilter(int(group)))
    day = content.last
    assert content.scope == f"group {group_name}"
    expected = aggregated(sandbox, day, day, f"/groups/{group}/aggregated")
    assert content.totals.clicks == expected["totalClicks"] > 0
    path = f"/groups/{group}/reports"
    countries = get(sandbox, path, type="countries", timeframe="custom", **custom(day, day))
    clicks = sum(i.get("totalClicks", 0) for i in countries["data"])
    assert content.reports[0].total_clicks == clicks
    links = link_clicks(sandbox, day, day, groupId=str(group))
    assert content.link_clicks == sum(links.values())
    series = aggregated(sandbox, day - timedelta(days=13), day, f"/groups/{group}/aggregated/list")
    assert [d.clicks for d in content.series] == [r.get("totalClicks", 0) for r in series["rows"]]


async def test_tag_digest_sums_the_tagged_links(
    sandbox: Sandbox, client: ClickMeterClient, today: date, transport: CountingTransport
) -> None:
    tag = get(sandbox, "/tags/20500")["name"]
    content = await gather_digest(client, day=today, links_filter=f"tag:{tag}")
    # Each day's link summary read once: 14 days (the digest's day, the day before and the
    # same weekday last week among them), plus the tagged pixels' for the 3 days' totals.
    assert transport.paths.count("/aggregated/summary/datapoints") == 14 + 3
    day = content.last
    links = link_clicks(sandbox, day, day, tag=tag)
    assert content.scope == f"links tagged {tag}"
    assert content.totals.clicks == content.link_clicks == sum(links.values()) > 0
    assert content.series[-1].clicks == content.totals.clicks
    before = link_clicks(sandbox, day - timedelta(days=1), day - timedelta(days=1), tag=tag)
    assert content.comparisons[0].totals.clicks == sum(before.values())
    assert content.reports == ()
    assert any("TOP reports" in note for note in content.notes)


async def test_a_failed_read_fails_the_digest(client: ClickMeterClient, today: date) -> None:
    with pytest.raises(NotFoundError):
        await gather_digest(client, day=today, links_filter=GroupFilter(999_999_999))


def test_links_filters_from_what_callers_hold() -> None:
    assert links_filter_of(None) is None
    assert links_filter_of("account") is None
    assert links_filter_of(9) == GroupFilter(9)
    assert links_filter_of("group:9") == GroupFilter(9)
    assert links_filter_of("tag:email") == TagFilter("email")
    assert links_filter_of("email") == TagFilter("email")
    assert links_filter_of("group:x") == TagFilter("group:x")
    assert links_filter_of(TagFilter("a")) == TagFilter("a")
    assert GroupFilter(9).subject == "group:9"
    assert TagFilter("email").subject == "tag:email"
    with pytest.raises(TypeError):
        links_filter_of(True)


async def test_content_round_trips_through_json(daily: DigestContent) -> None:
    payload = daily.model_dump(mode="json")
    assert DigestContent.model_validate(payload) == daily
    assert DigestContent.model_validate_json(daily.model_dump_json()) == daily


def change(link_id: int, now: int, before: int) -> LinkChange:
    return LinkChange(
        id=link_id, name=f"l{link_id}", clicks=now, unique_clicks=now, previous_clicks=before
    )


def test_movers_rank_by_absolute_change_above_the_volume_floor() -> None:
    links = [
        change(1, 1000, 900),  # +100
        change(2, 300, 100),  # +200
        change(3, 50, 200),  # -150
        change(4, 12, 1),  # tiny: +1100% but under the floor
        change(5, 0, 19),  # tiny fall
        change(6, 1010, 1000),  # +1%: noise on a big link
        change(7, 21, 19),  # within chance
        change(8, 400, 470),  # -70
    ]
    floor = mover_threshold(links)
    assert floor == 28  # 1% of 2,793 clicks (the larger period) beats the 20-click minimum
    risers, fallers = movers(links, floor)
    assert [c.id for c in risers] == [2, 1]
    assert [c.id for c in fallers] == [3, 8]
    assert movers(links, 10_000) == ([], [])


def test_movers_keep_at_most_three_each_way() -> None:
    links = [change(i, 100 + 10 * i, 50) for i in range(10)]
    risers, fallers = movers(links, 20)
    assert [c.id for c in risers] == [9, 8, 7]
    assert fallers == []
