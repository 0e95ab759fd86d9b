"""Ranked tables of datapoints or groups from the summary endpoints (links, group, groups)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from clickmeter import AggregatedResult, DatapointStatus
from messages import Column, number, render_table, share

TOP_ROWS = 10


async def collect(results: AsyncIterator[AggregatedResult]) -> list[AggregatedResult]:
    """Every result over all pages, most clicks first (ties: most unique, then id).

    Sorted here rather than with `sortBy`, whose field names ClickMeter does not document;
    all pages are read anyway, since shares are of the sum over all of them.
    """
    items = [item async for item in results if item.total_clicks > 0 or not _deleted(item)]
    return sorted(items, key=lambda i: (-i.total_clicks, -i.unique_clicks, i.entity_id or ""))


def _deleted(item: AggregatedResult) -> bool:
    # Deleted links and groups stay in summaries; without clicks they are only noise.
    if item.datapoint is not None:
        return item.datapoint.status is DatapointStatus.DELETED
    return item.group is not None and item.group.deleted


def name_of(item: AggregatedResult) -> str:
    if item.datapoint is not None:
        return (
            item.datapoint.datapoint_name or item.datapoint.datapoint_title or f"#{item.entity_id}"
        )
    if item.group is not None:
        return item.group.group_name or f"#{item.entity_id}"
    return f"#{item.entity_id}"


def ranking_table(items: list[AggregatedResult], what: str, rows: int = TOP_ROWS) -> str:
    """The first `rows` of `items` (already ranked): rank, name, id, clicks, unique, share."""
    total = sum(i.total_clicks for i in items)
    columns = [
        Column("#", "right"),
        Column(what, max_width=34),
        Column("ID", "right"),
        Column("Clicks", "right"),
        Column("Unique", "right"),
        Column("Share", "right"),
    ]
    shown = items[:rows]
    cells = [
        [
            str(rank),
            name_of(item),
            item.entity_id or "",
            number(item.total_clicks),
            number(item.unique_clicks),
            share(item.total_clicks, total),
        ]
        for rank, item in enumerate(shown, start=1)
    ]
    return render_table(columns, cells, more=len(items) - len(shown))
