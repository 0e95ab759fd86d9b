"""`top`: the first 10 items of ClickMeter's report, with counts and shares of the total."""

from __future__ import annotations

from typing import Any

import pytest

from bot.answers import AnswerContext, answer
from bot.grammar import parse
from messages import fit_width, share
from tests.bot.answers.helpers import assert_valid, count, everything, more_count, table_rows
from tests.conftest import Sandbox


def report(sandbox: Sandbox, path: str = "/reports", **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = sandbox.api.get(path, params=params).json()["data"]
    items = [i for i in items if i.get("totalClicks", 0) > 0]
    return sorted(items, key=lambda i: (-i["totalClicks"], -i.get("uniqueClicks", 0), i["id"]))


def expected_rows(items: list[dict[str, Any]]) -> list[list[str]]:
    total = sum(i["totalClicks"] for i in items)
    return [
        [
            str(rank),
            fit_width(i["id"].removeprefix("https://").removeprefix("http://"), 44),
            count(i["totalClicks"]),
            count(i.get("uniqueClicks", 0)),
            share(i["totalClicks"], total),
        ]
        for rank, i in enumerate(items[:10], start=1)
    ]


@pytest.mark.parametrize(
    ("typed", "kind", "timeframe"),
    [
        ("countries", "countries", "last7"),
        ("referrers 30d", "referrers", "last30"),
        ("browser-families yesterday", "browsersfamilies", "yesterday"),
        ("os 90d", "oss", "last90"),
        ("params", "params", "last7"),
    ],
)
async def test_rows_are_the_reports_items(
    sandbox: Sandbox, ctx: AnswerContext, typed: str, kind: str, timeframe: str
) -> None:
    result = await answer(parse(f"top {typed}"), ctx)
    assert_valid(result)
    items = report(sandbox, type=kind, timeframe=timeframe)
    assert table_rows(result) == expected_rows(items)
    assert more_count(result) == max(len(items) - 10, 0)


async def test_header_uses_the_reports_name_in_user_words(ctx: AnswerContext) -> None:
    result = await answer(parse("top browser-families"), ctx)
    text = everything(result)
    assert "🏆 Browser families · last 7 days" in text
    assert "Browser family" in text  # the column
    assert "Mar 12 – Mar 18, 2026" in text


async def test_link_scope_uses_the_datapoint_report(sandbox: Sandbox, ctx: AnswerContext) -> None:
    result = await answer(parse("top countries 30d link spring-sale-garden"), ctx)
    assert_valid(result)
    items = report(sandbox, "/datapoints/2028577/reports", type="countries", timeframe="last30")
    assert table_rows(result) == expected_rows(items)
    assert "link spring-sale-garden" in everything(result)


async def test_group_scope_uses_the_group_report(sandbox: Sandbox, ctx: AnswerContext) -> None:
    group = next(g for g in sandbox.state()["groups"] if g["name"] == "Podcast")
    result = await answer(parse('top destinations group "podcast"'), ctx)
    assert_valid(result)
    path = f"/groups/{group['id']}/reports"
    items = report(sandbox, path, type="destinations", timeframe="last7")
    assert table_rows(result) == expected_rows(items)
    total = sum(i["totalClicks"] for i in items)
    assert f"*{count(total)}* clicks from" in everything(result)


async def test_no_clicks_says_so(ctx: AnswerContext) -> None:
    result = await answer(parse("top countries 2025-01-01..2025-01-07"), ctx)
    assert_valid(result)
    assert "No clicks" in everything(result)
    assert table_rows(result) == []
