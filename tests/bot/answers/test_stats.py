"""`stats`: the account's totals and their change are exactly ClickMeter's numbers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from bot.answers import AnswerContext, answer
from bot.grammar import parse
from messages import delta, money
from tests.bot.answers.helpers import assert_valid, count, everything, field
from tests.conftest import Sandbox


def aggregated(sandbox: Sandbox, **params: str) -> dict[str, Any]:
    body: dict[str, Any] = sandbox.api.get("/aggregated", params=params).json()
    return body


def today(sandbox: Sandbox) -> date:
    return date.fromisoformat(sandbox.state()["clock"]["today"])


def until_same_time(sandbox: Sandbox, first: date, last: date, name: str) -> float:
    """The API's own count of `name` from `first` to `last` at 14:30 (the sandbox's clock):
    whole days before `last`, then `last`'s hours before 14 and half of hour 14."""
    whole: float = aggregated(
        sandbox,
        timeFrame="custom",
        fromDay=f"{first:%Y%m%d}",
        toDay=f"{last - timedelta(days=1):%Y%m%d}",
    ).get(name, 0)
    hourly = aggregated(
        sandbox, timeFrame="custom", fromDay=f"{last:%Y%m%d}", toDay=f"{last:%Y%m%d}", hourly="true"
    ).get("hourlyBreakDown", {})
    hours: dict[int, float] = {int(h): counters.get(name, 0) for h, counters in hourly.items()}
    part = hours.get(14, 0) * 0.5
    return (
        whole
        + sum(v for h, v in hours.items() if h < 14)
        + (round(part) if isinstance(whole, int) else part)
    )


@pytest.mark.parametrize(("typed", "timeframe", "days"), [("", "last7", 7), ("30d", "last30", 30)])
async def test_totals_and_change_match_the_api(
    sandbox: Sandbox, ctx: AnswerContext, typed: str, timeframe: str, days: int
) -> None:
    result = await answer(parse(f"stats {typed}"), ctx)
    assert_valid(result)
    now = aggregated(sandbox, timeFrame=timeframe)
    first = today(sandbox) - timedelta(days=days - 1)
    # Today is not over: the days before are counted up to the same time of day.
    span = (first - timedelta(days=days), first - timedelta(days=1))
    before_clicks = int(until_same_time(sandbox, *span, "totalClicks"))
    before_value = until_same_time(sandbox, *span, "conversionsValue")
    clicks = field(result, "Clicks")
    assert clicks.startswith(f"*{count(now['totalClicks'])}*")
    assert f"(was {count(before_clicks)})" in clicks
    assert delta(now["totalClicks"], before_clicks) in clicks
    assert field(result, "Unique clicks").startswith(f"*{count(now['uniqueClicks'])}*")
    assert field(result, "Views").startswith(f"*{count(now.get('totalViews', 0))}*")
    assert field(result, "Conversions").startswith(f"*{count(now.get('convertedClicks', 0))}*")
    value = field(result, "Conversion value")
    assert value.startswith(f"*{money(now.get('conversionsValue', 0.0))}*")
    assert f"(was {money(before_value)})" in value
    assert count(now["totalClicks"]) in result.text


async def test_footer_names_the_days_compared_and_the_data_time(ctx: AnswerContext) -> None:
    result = await answer(parse("stats 7d"), ctx)
    text = everything(result)
    # The sandbox's frozen clock is 2026-03-18 14:30 in Berlin.
    assert "Mar 12 – Mar 18, 2026 vs Mar 5 – Mar 11, 2026" in text
    assert "compared up to 14:30 on the last day" in text
    assert "data as of 14:30 CET" in text
    assert "📈 Account stats · last 7 days" in text


async def test_custom_range_compares_with_the_days_just_before(
    sandbox: Sandbox, ctx: AnswerContext
) -> None:
    result = await answer(parse("stats 2026-03-01..2026-03-10"), ctx)
    assert_valid(result)
    now = aggregated(sandbox, timeFrame="custom", fromDay="20260301", toDay="20260310")
    before = aggregated(sandbox, timeFrame="custom", fromDay="20260219", toDay="20260228")
    clicks = field(result, "Clicks")
    assert clicks == (
        f"*{count(now['totalClicks'])}* · {delta(now['totalClicks'], before['totalClicks'])} "
        f"(was {count(before['totalClicks'])})"
    )
    assert "Mar 1 – Mar 10, 2026 vs Feb 19 – Feb 28, 2026" in everything(result)


async def test_all_time_has_no_previous_period(sandbox: Sandbox, ctx: AnswerContext) -> None:
    result = await answer(parse("stats all"), ctx)
    assert_valid(result)
    total = aggregated(sandbox, timeFrame="beginning")["totalClicks"]
    assert field(result, "Clicks") == f"*{count(total)}*"
    # All time starts on the account's registration day (from /me).
    assert "Dec 1, 2024 – Mar 18, 2026" in everything(result)


async def test_a_quiet_period_shows_dashes_not_errors(ctx: AnswerContext) -> None:
    # Long before the sandbox's traffic history: both periods are 0.
    result = await answer(parse("stats 2025-01-01..2025-01-07"), ctx)
    assert_valid(result)
    assert field(result, "Clicks") == "*0* · — (was 0)"
    assert field(result, "Conversion value") == "*0.00* · — (was 0.00)"
