"""`links`, `groups` and `group`: ranked tables of the summary endpoints' numbers."""

from __future__ import annotations

from typing import Any

import pytest

from bot.answers import AnswerContext, answer
from bot.grammar import parse
from messages import share
from tests.bot.answers.helpers import (
    assert_valid,
    count,
    everything,
    field,
    more_count,
    table_rows,
)
from tests.conftest import Sandbox


def summary(sandbox: Sandbox, path: str, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = sandbox.api.get(path, params=params | {"limit": "100", "offset": str(len(items))})
        body = page.json()
        items += body["result"]
        if len(items) >= body["count"] or not body["result"]:
            break
    return items


def ranked_rows(items: list[dict[str, Any]], name_key: str) -> list[list[str]]:
    live = [
        i
        for i in items
        if i.get("totalClicks", 0) > 0
        or not (i["entityData"].get("deleted") or i["entityData"].get("status") == "Deleted")
    ]
    live.sort(key=lambda i: (-i.get("totalClicks", 0), -i.get("uniqueClicks", 0), i["entityId"]))
    total = sum(i.get("totalClicks", 0) for i in live)
    return [
        [
            str(rank),
            i["entityData"][name_key],
            i["entityId"],
            count(i.get("totalClicks", 0)),
            count(i.get("uniqueClicks", 0)),
            share(i.get("totalClicks", 0), total),
        ]
        for rank, i in enumerate(live, start=1)
    ]


@pytest.mark.parametrize(
    ("typed", "params"),
    [
        ("", {"timeFrame": "last7"}),
        ("30d", {"timeFrame": "last30"}),
        ("spring", {"timeFrame": "last7", "textSearch": "spring"}),
        ("tag email 90d", {"timeFrame": "last90", "tag": "email"}),
        ("nl tag newsletter", {"timeFrame": "last7", "textSearch": "nl", "tag": "newsletter"}),
    ],
)
async def test_links_rank_the_summary(
    sandbox: Sandbox, ctx: AnswerContext, typed: str, params: dict[str, str]
) -> None:
    result = await answer(parse(f"links {typed}"), ctx)
    assert_valid(result)
    expected = ranked_rows(
        summary(sandbox, "/aggregated/summary/datapoints", type="tl", **params), "datapointName"
    )
    assert table_rows(result) == expected[:10]
    assert more_count(result) == max(len(expected) - 10, 0)
    total = sum(int(row[3].replace(",", "")) for row in expected)
    assert f"*{count(total)}* clicks on" in everything(result)


async def test_links_without_matches_say_so(ctx: AnswerContext) -> None:
    result = await answer(parse('links "no such words here"'), ctx)
    assert_valid(result)
    assert "No links match" in everything(result)
    assert "matching “no such words here”" in everything(result)


@pytest.mark.parametrize(("typed", "timeframe"), [("", "last7"), ("this-month", "currentmonth")])
async def test_groups_rank_the_group_summary(
    sandbox: Sandbox, ctx: AnswerContext, typed: str, timeframe: str
) -> None:
    result = await answer(parse(f"groups {typed}"), ctx)
    assert_valid(result)
    expected = ranked_rows(
        summary(sandbox, "/aggregated/summary/groups", timeFrame=timeframe), "groupName"
    )
    assert table_rows(result) == expected[:10]
    assert more_count(result) == max(len(expected) - 10, 0)


@pytest.mark.parametrize("typed", ["Podcast", "podcast", "189703", "pod"])
async def test_group_totals_and_top_links(sandbox: Sandbox, ctx: AnswerContext, typed: str) -> None:
    result = await answer(parse(f"group {typed} 30d"), ctx)
    assert_valid(result)
    totals = sandbox.api.get("/groups/189703/aggregated", params={"timeFrame": "last30"}).json()
    assert field(result, "Clicks") == f"*{count(totals['totalClicks'])}*"
    assert field(result, "Unique clicks") == f"*{count(totals['uniqueClicks'])}*"
    links = summary(sandbox, "/groups/189703/aggregated/summary", timeFrame="last30")
    assert table_rows(result) == ranked_rows(links, "datapointName")[:10]
    assert "📁 Podcast · last 30 days" in everything(result)
    assert "Group 189703" in everything(result)
