"""`top <report> [timeframe] [link|group]`: a TOP report's first 10, each with its share."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock, footer, gate, period_days
from bot.grammar import Top
from bot.resolve import resolve_group, resolve_link
from clickmeter import TopItem, TopReport
from messages import (
    Column,
    Message,
    header,
    make,
    number,
    plural,
    render_table,
    safe_name,
    section,
    share,
)
from messages.reports import REPORT_NAMES

TOP_ROWS = 10

REPORT_LABELS: dict[TopReport, str] = {report: names[0] for report, names in REPORT_NAMES.items()}


def ranked(items: list[TopItem]) -> list[TopItem]:
    """Most clicks first (ties: most unique, then name), whatever order ClickMeter sent."""
    return sorted(items, key=lambda i: (-i.total_clicks, -i.unique_clicks, i.id or ""))


def item_label(item: TopItem) -> str:
    """The item's value as shown: URLs without their scheme, which only eats the width."""
    value = item.id or "(none)"
    for scheme in ("https://", "http://"):
        value = value.removeprefix(scheme)
    return value


def top_table(report: TopReport, items: list[TopItem], rows: int = TOP_ROWS) -> str:
    """The first `rows` items as a code-block table: rank, value, clicks, unique, share."""
    total = sum(i.total_clicks for i in items)
    columns = [
        Column("#", "right"),
        Column(REPORT_NAMES[report][1], max_width=44),
        Column("Clicks", "right"),
        Column("Unique", "right"),
        Column("Share", "right"),
    ]
    shown = ranked(items)[:rows]
    cells = [
        [
            str(rank),
            item_label(item),
            number(item.total_clicks),
            number(item.unique_clicks),
            share(item.total_clicks, total),
        ]
        for rank, item in enumerate(shown, start=1)
    ]
    return render_table(columns, cells, more=len(items) - len(shown))


async def top_answer(command: Top, ctx: AnswerContext) -> Message:
    if command.report is TopReport.IPS:  # visitors' addresses: personal data
        await gate(ctx).admin("see visitors' IP addresses")
    client = ctx.client
    clock = await account_clock(ctx)
    datapoint_id = group_id = None
    scope = "account"
    if command.link is not None:
        datapoint = await resolve_link(client, command.link, f"top {command.report.value} link")
        datapoint_id, scope = datapoint.id, f"link {datapoint.name or datapoint.id}"
    elif command.group is not None:
        group = await resolve_group(client, command.group, f"top {command.report.value} group")
        group_id, scope = group.id, f"group {group.name or group.id}"
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    report = await client.top(command.report, period, datapoint_id=datapoint_id, group_id=group_id)
    items = [i for i in report.data if i.total_clicks > 0]
    title = REPORT_LABELS[command.report]
    total = sum(i.total_clicks for i in items)
    heading = f"🏆 {title} · {command.timeframe.label}"
    if scope != "account":
        heading += f" · {scope}"
    blocks: list[Block] = [header(heading)]
    if not items:
        blocks.append(
            section(f"No clicks with a {REPORT_NAMES[command.report][1].lower()} in these days.")
        )
    else:
        count = plural(len(items), REPORT_NAMES[command.report][1].lower(), title.lower())
        blocks.append(section(f"*{number(total)}* clicks from {count}"))
        blocks.append(section(top_table(command.report, items)))
    blocks.append(footer(days, clock, safe_name(f"Top {title.lower()} for the {scope}", 200)))
    best = ", ".join(
        f"{i.id} {number(i.total_clicks)} ({share(i.total_clicks, total)})"
        for i in ranked(items)[:3]
    )
    text = f"{title} · {command.timeframe.label} · {scope}: {best or 'no clicks'}"
    return make(text, blocks)
