"""`stats [timeframe]`: the account's totals, each against the previous period of equal length."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timedelta

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock, footer, period_days
from bot.grammar import Stats
from clickmeter import AggregatedResult, DayRange, Period, Timeframe
from messages import Message, delta, fields, header, make, money, number

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


def add_up(parts: list[AggregatedResult]) -> AggregatedResult:
    """The sum of `parts`' counters (only those this answer shows)."""
    return AggregatedResult.model_validate(
        {name: sum(getattr(part, name) for part in parts) for _, name, _ in METRICS}
    )


async def previous_until_now(
    ctx: AnswerContext, before: DayRange, now: datetime
) -> AggregatedResult:
    """The previous period's counters up to the same time of day as `now` on its last day.

    A period that ends today is still filling up: comparing it with whole previous days would
    show a fall every morning. So the previous period's last day counts only its hours before
    the current one, plus the same share of the current hour as has passed.
    """
    last_day = Period.custom(before.last, before.last)
    whole = (
        [ctx.client.aggregated(Period.custom(before.first, before.last - timedelta(days=1)))]
        if before.first < before.last
        else []
    )
    *earlier, last = await asyncio.gather(*whole, ctx.client.aggregated(last_day, hourly=True))
    hours = last.hours()
    parts = [*earlier, *(hours[h] for h in sorted(hours) if h < now.hour)]
    share = (now.minute * 60 + now.second) / 3600
    if now.hour in hours and share:
        current = hours[now.hour]
        parts.append(
            AggregatedResult.model_validate(
                {
                    # Counters stay whole clicks; money keeps its cents.
                    name: (round if isinstance(getattr(current, name), int) else float)(
                        getattr(current, name) * share
                    )
                    for _, name, _ in METRICS
                }
            )
        )
    return add_up(parts)


async def stats_answer(command: Stats, ctx: AnswerContext) -> Message:
    clock = await account_clock(ctx)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    # Before the account existed there is nothing to compare "all time" with.
    before = None if period.timeframe is Timeframe.BEGINNING else previous_days(days)
    partial = before is not None and days.last == clock.today
    if before is None:
        current, previous = await ctx.client.aggregated(period), None
    elif partial:
        current, previous = await asyncio.gather(
            ctx.client.aggregated(period), previous_until_now(ctx, before, clock.now)
        )
    else:
        current, previous = await asyncio.gather(
            ctx.client.aggregated(period),
            ctx.client.aggregated(Period.custom(before.first, before.last)),
        )
    label = command.timeframe.label
    extra = [f"compared up to {clock.now:%H:%M} on the last day"] if partial else []
    blocks: list[Block] = [
        header(f"📈 Account stats · {label}"),
        *fields(metric_fields(current, previous)),
        footer(days, clock, *extra, previous=before),
    ]
    change = f" ({delta(current.total_clicks, previous.total_clicks)})" if previous else ""
    text = (
        f"Account stats · {label}: {number(current.total_clicks)} clicks{change}, "
        f"{number(current.unique_clicks)} unique, {number(current.converted_clicks)} conversions"
    )
    return make(text, blocks)
