"""Whatever ClickMeter sends (huge names, hundreds of items, markup in names), every answer is
valid Block Kit within Slack's limits. A fake ClickMeter over httpx's MockTransport serves it."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from bot.answers import AnswerContext, answer, error_answer
from bot.grammar import parse
from bot.permissions import Gate, Standing
from bot.resolve import ResolveError
from clickmeter import ClickMeterClient
from tests.bot.answers.helpers import assert_valid, everything

NOW = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)
# Markup, a code fence, wide characters and sheer length, in every name.
NASTY = "<!channel> & `code` ```fence``` *bold* 📈 名前 "
LONG = NASTY * 70  # ~3,100 characters: over every Slack text limit
DATAPOINTS, GROUPS, REPORT_ITEMS, HITS = 250, 120, 300, 100
BIG = 10**12


def _datapoint_data(i: int) -> dict[str, Any]:
    return {
        "datapointId": 1000 + i,
        "datapointName": f"{LONG}{i}",
        "datapointTitle": LONG,
        "groupId": 50,
        "groupName": LONG,
        "status": "Active",
    }


def _summary(items: list[dict[str, Any]], params: httpx.QueryParams) -> dict[str, Any]:
    offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
    return {
        "count": len(items),
        "offset": offset,
        "limit": limit,
        "result": items[offset : offset + limit],
    }


def _counts(i: int = 0) -> dict[str, Any]:
    return {
        "totalClicks": BIG - i,
        "uniqueClicks": BIG // 2,
        "totalViews": BIG,
        "convertedClicks": BIG,
        "conversionsValue": 1e13 + 0.5,
    }


def _datapoint(i: int) -> dict[str, Any]:
    return {
        "id": 1000 + i,
        "name": f"{LONG}{i}",
        "title": LONG,
        "groupName": LONG,
        "trackingCode": f"<img src='{LONG}'>",
        "typeTL": {"url": "https://example.com/" + "x" * 5000},
    }


def _route(path: str, params: httpx.QueryParams) -> Any:
    if path == "/me":
        return {"timezonename": "W. Europe Standard Time", "registrationDate": "20200101000000"}
    if path.endswith("/aggregated/list"):
        return {
            "rows": [_counts(i) | {"fromDay": "20260101", "toDay": "20260101"} for i in range(400)]
        }
    if path.endswith("/aggregated"):
        return _counts()
    if path == "/aggregated/summary/datapoints" or re.fullmatch(
        r"/groups/\d+/aggregated/summary", path
    ):
        items = [
            _counts(i) | {"entityId": str(1000 + i), "entityData": _datapoint_data(i)}
            for i in range(DATAPOINTS)
        ]
        return _summary(items, params)
    if path == "/aggregated/summary/groups":
        items = [
            _counts(i)
            | {"entityId": str(50 + i), "entityData": {"groupId": 50 + i, "groupName": LONG}}
            for i in range(GROUPS)
        ]
        return _summary(items, params)
    if path.endswith("/reports"):
        return {"data": [_counts(i) | {"id": f"{LONG}{i}"} for i in range(REPORT_ITEMS)]}
    if path == "/datapoints":
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
        return {"entities": [_datapoint(i) for i in range(DATAPOINTS)][offset : offset + limit]}
    if match := re.fullmatch(r"/datapoints/(\d+)", path):
        return _datapoint(int(match.group(1)) - 1000)
    if re.fullmatch(r"/groups/\d+", path):
        return {"id": 50, "name": LONG}
    if path == "/clickstream":
        hit = {
            "accessTime": "20260318141500",
            "referer": "https://" + "r" * 300 + ".example/" + LONG,
            "isUnique": "1",
            "browser": {"name": LONG},
            "location": {"country": LONG},
        }
        return {"rows": [hit] * HITS}
    raise AssertionError(f"unexpected request {path}")


def _reply(request: httpx.Request) -> httpx.Response:
    body = _route(request.url.path, request.url.params)
    return httpx.Response(200, text=json.dumps(body), headers={"content-type": "application/json"})


@pytest.fixture
async def huge() -> AsyncIterator[AnswerContext]:
    async with ClickMeterClient(
        "key",
        base_url="https://api.test",
        transport=httpx.MockTransport(_reply),
        requests_per_second=None,
    ) as client:
        # As a workspace admin: `top ips` is theirs to see (bot.permissions).
        admin = Gate.known(Standing(is_admin=True, in_group=False, group=None))
        yield AnswerContext(client=client, now=NOW, gate=admin)


@pytest.mark.parametrize(
    "typed",
    [
        "stats",
        "stats all",
        "top countries 30d",
        "top destinations link 1007",
        "top referrers group 50",
        "links",
        "links spring tag paid",
        "link 1003 all",
        "link 1003 90d",
        "group 50",
        "groups",
        "hits 1003 50",
    ],
)
async def test_huge_answers_stay_in_slack_limits(huge: AnswerContext, typed: str) -> None:
    result = await answer(parse(typed), huge)
    blocks = assert_valid(result)
    assert "<!channel>" not in result.text  # Slack parses a message's text as mrkdwn
    for block in blocks:
        if block["type"] == "header":
            continue  # plain text: shown as typed, never parsed
        assert "<!channel>" not in json.dumps(block, ensure_ascii=False)  # escaped everywhere
        if block["type"] == "section" and "text" in block:
            assert block["text"]["text"].count("```") % 2 == 0  # no fence left open


async def test_huge_numbers_are_written_in_full(huge: AnswerContext) -> None:
    text = everything(await answer(parse("stats"), huge))
    assert "*1,000,000,000,000*" in text
    assert "10,000,000,000,000.50" in text


async def test_tables_say_how_many_are_left_out(huge: AnswerContext) -> None:
    assert f"… and {DATAPOINTS - 10:,} more" in everything(await answer(parse("links"), huge))
    assert f"… and {REPORT_ITEMS - 10:,} more" in everything(await answer(parse("top ips"), huge))


async def test_an_ambiguous_huge_name_is_a_valid_error(huge: AnswerContext) -> None:
    with pytest.raises(ResolveError) as caught:
        await answer(parse('link "<!channel>"'), huge)
    assert_valid(error_answer(caught.value))
