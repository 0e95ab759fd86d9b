"""`links [timeframe] [search] [tag t]`: the links with most clicks, optionally filtered."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock, footer, period_days
from bot.answers.listing import collect, name_of, ranking_table
from bot.grammar import Links
from messages import Message, header, make, number, plural, safe_name, section, share, truncate


async def links_answer(command: Links, ctx: AnswerContext) -> Message:
    clock = await account_clock(ctx)
    period = command.timeframe.period
    days = await period_days(ctx, clock, period)
    items = await collect(
        ctx.client.iter_datapoints_summary(
            period, text=command.search or None, tag=command.tag or None
        )
    )
    filters = []
    if command.search:
        filters.append(f"matching “{truncate(command.search, 40)}”")
    if command.tag:
        filters.append(f"tag {truncate(command.tag, 40)}")
    label = command.timeframe.label
    blocks: list[Block] = [header(" · ".join(["🔗 Links", label, *filters]))]
    total = sum(i.total_clicks for i in items)
    if not items:
        blocks.append(
            section("No links match. Try fewer words, another tag or a longer timeframe.")
        )
    else:
        blocks.append(section(f"*{number(total)}* clicks on {plural(len(items), 'link')}"))
        blocks.append(section(ranking_table(items, "Link")))
    blocks.append(footer(days, clock, *(safe_name(f, 100) for f in filters)))
    best = ", ".join(
        f"{name_of(i)} {number(i.total_clicks)} ({share(i.total_clicks, total)})" for i in items[:3]
    )
    return make(f"Links · {label}: {best or 'no links match'}", blocks)
