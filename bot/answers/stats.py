"""`stats [timeframe]`: the account's totals, each against the previous period of equal length."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from slack_sdk.models.blocks import Block

from bot.answers.base import Answer, AnswerContext, account_clock, footer, make, period_days
from bot.blocks import delta, fields, header, money, number
from bot.commands import Stats
from clickmeter import AggregatedResult, DayRange, Period, Timeframe

#: (label, counter, how to write it), in the order shown.
METRICS: tuple[tuple[str, str, Callable[[float], str]], ...] = (
    ("Clicks", "total_clicks", number),
    ("Unique clicks", "unique_clicks", number),
    ("Views", "total_views", number),
    ("Conversions", "converted_clicks", number),
    ("Conversion value", "conversions_value", money),
)


def previous_days(days: DayRange) -> DayRange:
    """The days just before `days`, as many of them."""
    length = (days.last - days.first).days + 1
    return DayRange(days.first - timedelta(days=length), days.first - timedelta(days=1))


def metric_fields(
    current: AggregatedResult, previous: AggregatedResult | None
) -> list[tuple[str, str]]:
    """(label, `1,234 · +12.5% (was 1,097)`) for each of METRICS."""
    out = []
    for label, name, write in METRICS:
        now = float(getattr(current, name))
        value = f"*{write(now)}*"
        if previous is not None:
            before = float(getattr(previous, name))
            value += f" · {delta(now, before)} (was {write(before)})"
        out.append((label, value))
    return out


async def stats_answer(command: Stats, ctx: AnswerContext) -> Answer:
    clock = await account_clock(ctx)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    # Before the account existed there is nothing to compare "all time" with.
    before = None if period.timeframe is Timeframe.BEGINNING else previous_days(days)
    if before is None:
        current, previous = await ctx.client.aggregated(period), None
    else:
        current, previous = await asyncio.gather(
            ctx.client.aggregated(period),
            ctx.client.aggregated(Period.custom(before.first, before.last)),
        )
    label = command.timeframe.label
    blocks: list[Block] = [
        header(f"📈 Account stats · {label}"),
        *fields(metric_fields(current, previous)),
        footer(days, clock, previous=before),
    ]
    change = f" ({delta(current.total_clicks, previous.total_clicks)})" if previous else ""
    text = (
        f"Account stats · {label}: {number(current.total_clicks)} clicks{change}, "
        f"{number(current.unique_clicks)} unique, {number(current.converted_clicks)} conversions"
    )
    return make(text, blocks)
