"""`group <id|name> [timeframe]` (one group's totals and top links) and `groups [timeframe]`."""

from __future__ import annotations

import asyncio

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock, footer, period_days
from bot.answers.listing import collect, name_of, ranking_table
from bot.answers.stats import metric_fields
from bot.grammar import Group, Groups
from bot.resolve import resolve_group
from messages import Message, fields, header, make, number, plural, section, share


async def group_answer(command: Group, ctx: AnswerContext) -> Message:
    client = ctx.client
    clock = await account_clock(ctx)
    group = await resolve_group(client, command.group)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    totals, links = await asyncio.gather(
        client.group_aggregated(group.id, period),
        collect(client.iter_group_datapoints_summary(group.id, period)),
    )
    name = group.name or f"#{group.id}"
    label = command.timeframe.label
    blocks: list[Block] = [
        header(f"📁 {name} · {label}"),
        *fields(metric_fields(totals, None)),
    ]
    if links:
        blocks.append(section(f"*Top links* of {plural(len(links), 'link')}"))
        blocks.append(section(ranking_table(links, "Link")))
    else:
        blocks.append(section("This group has no links."))
    deleted = " (deleted)" if group.deleted else ""
    blocks.append(footer(days, clock, f"Group {group.id}{deleted}"))
    text = f"Group {name} · {label}: {number(totals.total_clicks)} clicks"
    return make(text, blocks)


async def groups_answer(command: Groups, ctx: AnswerContext) -> Message:
    clock = await account_clock(ctx)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    items = await collect(ctx.client.iter_groups_summary(period))
    label = command.timeframe.label
    total = sum(i.total_clicks for i in items)
    blocks: list[Block] = [header(f"📁 Groups · {label}")]
    if items:
        blocks.append(section(f"*{number(total)}* clicks in {plural(len(items), 'group')}"))
        blocks.append(section(ranking_table(items, "Group")))
    else:
        blocks.append(section("No groups yet."))
    blocks.append(footer(days, clock))
    best = ", ".join(
        f"{name_of(i)} {number(i.total_clicks)} ({share(i.total_clicks, total)})" for i in items[:3]
    )
    return make(f"Groups · {label}: {best or 'no groups'}", blocks)
