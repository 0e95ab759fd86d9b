"""`link <id|name> [timeframe]`: one link's totals, day by day, top countries and referrers."""

from __future__ import annotations

import asyncio

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock, footer, period_days
from bot.answers.stats import metric_fields
from bot.answers.top import item_label, ranked
from bot.grammar import Link
from bot.resolve import resolve_link
from clickmeter import (
    AggregatedResult,
    ClickMeterClient,
    Datapoint,
    DatapointStatus,
    DatapointType,
    DayRange,
    Period,
    Top,
    TopReport,
    UnsupportedTimeframeError,
)
from messages import (
    Message,
    days_label,
    escape,
    fields,
    header,
    make,
    number,
    safe_name,
    section,
    share,
    sparkline,
    truncate,
)

#: Longer than this many days, the sparkline shows weeks (one bar a day would not fit).
DAILY_UP_TO = 92
TOP_SHOWN = 3

STATUS = {
    DatapointStatus.ACTIVE: "🟢 Active",
    DatapointStatus.PAUSED: "⏸️ Paused",
    DatapointStatus.ABUSE: "🚫 Blocked (spam)",
    DatapointStatus.DELETED: "🗑️ Deleted",
}


async def top_report(
    client: ClickMeterClient, report: TopReport, dp: int, period: Period
) -> Top | None:
    try:
        return await client.top(report, period, datapoint_id=dp)
    except UnsupportedTimeframeError:
        return None  # `/reports` refuses some timeframes (today...): show the rest anyway


def describe(dp: Datapoint) -> str:
    """Title, destination, status, group and tracking code as escaped mrkdwn lines."""
    lines = []
    if dp.title and dp.title != dp.name:
        lines.append(f"*{safe_name(dp.title, 200)}*")
    if dp.type is DatapointType.TRACKING_PIXEL:
        lines.append("Tracking pixel")
    elif dp.type_tl is not None and dp.type_tl.url:
        lines.append(f"→ {safe_name(dp.type_tl.url, 500)}")
    facts = [STATUS.get(dp.status, dp.status.name.title())]
    if dp.group_name:
        facts.append(f"Group: {safe_name(dp.group_name, 100)}")
    lines.append(" · ".join(facts))
    if dp.tracking_code:
        code = truncate(dp.tracking_code.replace("`", "'"), 500)
        lines.append(f"Tracking code: `{escape(code)}`")
    return "\n".join(lines)


def trend(rows: list[AggregatedResult], days: DayRange, weekly: bool) -> str:
    """A sparkline of clicks per day (or week), with the best one named."""
    rows = sorted(rows, key=lambda r: r.from_day or days.first)
    values = [r.total_clicks for r in rows]
    if not values:
        return "_No daily numbers for these days._"
    unit = "week" if weekly else "day"
    line = f"`{sparkline(values)}`  clicks per {unit}"
    peak = max(rows, key=lambda r: r.total_clicks)
    if peak.total_clicks > 0 and peak.from_day is not None:
        when = days_label(peak.from_day, peak.to_day or peak.from_day)
        line += f" · best {unit}: *{number(peak.total_clicks)}* ({when})"
    return line


def top_lines(title: str, report: Top | None) -> tuple[str, str]:
    """(`Top countries`, `IT · 123 (34.5%)` lines) for a field."""
    if report is None:
        return title, "_not available for this timeframe_"
    items = [i for i in report.data if i.total_clicks > 0]
    total = sum(i.total_clicks for i in items)
    lines = [
        f"{safe_name(item_label(i), 60)} · {number(i.total_clicks)} "
        f"({share(i.total_clicks, total)})"
        for i in ranked(items)[:TOP_SHOWN]
    ]
    return title, "\n".join(lines) or "_none_"


async def link_answer(command: Link, ctx: AnswerContext) -> Message:
    client = ctx.client
    clock = await account_clock(ctx)
    dp = await resolve_link(client, command.link)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    weekly = (days.last - days.first).days + 1 > DAILY_UP_TO
    totals, rows, countries, referrers = await asyncio.gather(
        client.datapoint_aggregated(dp.id, period),
        client.datapoint_aggregated_list(dp.id, period, "week" if weekly else None),
        top_report(client, TopReport.COUNTRIES, dp.id, period),
        top_report(client, TopReport.REFERRERS, dp.id, period),
    )
    name = dp.name or dp.title or f"#{dp.id}"
    label = command.timeframe.label
    blocks: list[Block] = [
        header(f"🔗 {name} · {label}"),
        section(describe(dp)),
        *fields(metric_fields(totals, None)),
        section(trend(rows, days, weekly)),
        *fields([top_lines("Top countries", countries), top_lines("Top referrers", referrers)]),
        footer(days, clock, f"Link {dp.id}"),
    ]
    text = f"Link {name} · {label}: {number(totals.total_clicks)} clicks"
    return make(text, blocks)
