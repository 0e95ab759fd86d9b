"""`hits <link> [n]`: a link's latest clicks, newest first, in the account's time zone."""

from __future__ import annotations

from datetime import tzinfo
from urllib.parse import urlsplit

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext, account_clock
from bot.grammar import Hits
from bot.resolve import resolve_link
from clickmeter import Hit
from messages import (
    Column,
    Message,
    as_of,
    code_sections,
    context,
    header,
    make,
    plural,
    section,
    short_datetime,
    table_chunks,
)

#: Up to 50 rows need two code blocks of 3,000 characters; three leave room for long cells.
MAX_CHUNKS = 3


def referrer(hit: Hit) -> str:
    """The referring site's host (`google.com`), or `direct` when there is none."""
    if not hit.referer:
        return "direct"
    host = urlsplit(hit.referer).hostname
    return (host or hit.referer).removeprefix("www.")


def hit_row(hit: Hit, zone: tzinfo) -> list[str]:
    """Time, country, referrer, browser, and `yes` (unique) / `bot` (spider) / blank."""
    when = short_datetime(hit.access_time, zone) if hit.access_time is not None else "?"
    browser = hit.browser.name if hit.browser and hit.browser.name else "?"
    country = hit.location.country if hit.location and hit.location.country else "?"
    kind = "bot" if hit.is_spider else ("yes" if hit.is_unique else "")
    return [when, country, referrer(hit), browser, kind]


async def hits_answer(command: Hits, ctx: AnswerContext) -> Message:
    client = ctx.client
    clock = await account_clock(ctx)
    dp = await resolve_link(client, command.link, "hits")
    # The clickstream is the latest hits of any age, newest first, in one request.
    latest = await client.clickstream(datapoint_id=dp.id, page_size=min(command.count, 100))
    latest = sorted(latest, key=lambda h: h.access_time or clock.now, reverse=True)
    hits = latest[: command.count]
    name = dp.name or dp.title or f"#{dp.id}"
    blocks: list[Block] = [header(f"🖱️ Latest clicks · {name}")]
    if not hits:
        blocks.append(section("No clicks yet on this link."))
    else:
        columns = [
            Column("Time"),
            Column("Country"),
            Column("Referrer", max_width=28),
            Column("Browser", max_width=20),
            Column("Unique"),
        ]
        rows = [hit_row(hit, clock.zone) for hit in hits]
        blocks.extend(code_sections(table_chunks(columns, rows, max_chunks=MAX_CHUNKS)))
    zone_name = clock.zone.key
    blocks.append(
        context(
            f"Link {dp.id}",
            f"{plural(len(hits), 'click')}, newest first · times in {zone_name}",
            as_of(clock.now, clock.zone),
        )
    )
    return make(f"Latest {plural(len(hits), 'click')} on {name}", blocks)
