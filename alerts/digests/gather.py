"""Gathering a digest from ClickMeter: totals, comparisons, links, TOP reports, movers.

`gather_digest` reads everything a digest shows into a `DigestContent` (see `content`). Every
number is ClickMeter's own: totals from `/aggregated`, links from the batched datapoint
summaries (100 links per request, never one request per link), TOP reports from `/reports`.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.digests.content import (
    MOVERS,
    SERIES_DAYS,
    TOP_LINKS,
    TOP_ROWS,
    Comparison,
    DayClicks,
    DigestContent,
    DigestKind,
    GroupFilter,
    LinkChange,
    LinksFilter,
    ReportRow,
    ReportTable,
    TagFilter,
    Totals,
    comparison_days,
    digest_days,
    links_filter_of,
)
from clickmeter import AggregatedResult, ClickMeterClient, Period, TopItem, TopReport
from storage import as_utc

#: A link is a mover only if it had at least this many clicks in one of the two periods...
MOVER_MIN_CLICKS = 20
#: ...or this share of all link clicks, if more: noise on tiny links must not dominate.
MOVER_MIN_SHARE = 0.01
#: ...and if its clicks changed by at least this fraction of the larger of the two, and by
#: more than the square root of their sum (about one standard deviation of the difference of
#: two Poisson counts): 18 -> 20 clicks is chance, 45 -> 57 is not.
MOVER_MIN_CHANGE = 0.10


def _name(item: AggregatedResult) -> str:
    data = item.datapoint
    if data is not None:
        return data.datapoint_name or data.datapoint_title or f"#{item.entity_id}"
    return f"#{item.entity_id}"


def _by_link(items: Sequence[AggregatedResult]) -> dict[int, AggregatedResult]:
    return {i.numeric_entity_id: i for i in items if i.numeric_entity_id is not None}


def link_changes(
    current: Sequence[AggregatedResult], previous: Sequence[AggregatedResult]
) -> list[LinkChange]:
    """Every link with clicks in either period, most clicks now first (ties: unique, id)."""
    now, before = _by_link(current), _by_link(previous)
    out = []
    for link_id in now.keys() | before.keys():
        item, old = now.get(link_id), before.get(link_id)
        clicks = item.total_clicks if item else 0
        previous_clicks = old.total_clicks if old else 0
        source = item or old
        if source is not None and (clicks or previous_clicks):
            out.append(
                LinkChange(
                    id=link_id,
                    name=_name(source),
                    clicks=clicks,
                    unique_clicks=item.unique_clicks if item else 0,
                    previous_clicks=previous_clicks,
                )
            )
    return sorted(out, key=lambda c: (-c.clicks, -c.unique_clicks, c.id))


def mover_threshold(links: Sequence[LinkChange]) -> int:
    """The least clicks (in either period) that make a link's change count."""
    volume = max(sum(c.clicks for c in links), sum(c.previous_clicks for c in links))
    return max(MOVER_MIN_CLICKS, round(volume * MOVER_MIN_SHARE))


def movers(
    links: Sequence[LinkChange], min_clicks: int, count: int = MOVERS
) -> tuple[list[LinkChange], list[LinkChange]]:
    """(risers, fallers): the links whose clicks rose / fell most, in absolute clicks, among
    those with `min_clicks` in either period whose change is beyond noise (see
    MOVER_MIN_CHANGE)."""

    def moved(c: LinkChange) -> bool:
        larger = max(c.clicks, c.previous_clicks)
        noise = max(larger * MOVER_MIN_CHANGE, math.sqrt(c.clicks + c.previous_clicks))
        return larger >= min_clicks and abs(c.change) >= noise

    candidates = [c for c in links if c.change and moved(c)]
    risers = sorted((c for c in candidates if c.change > 0), key=lambda c: (-c.change, c.id))
    fallers = sorted((c for c in candidates if c.change < 0), key=lambda c: (c.change, c.id))
    return risers[:count], fallers[:count]


def report_table(report: TopReport, items: Sequence[TopItem], rows: int = TOP_ROWS) -> ReportTable:
    """The report's first `rows` by clicks (ties: unique, value), whatever order it came in."""
    counted = [i for i in items if i.total_clicks > 0]
    ranked = sorted(counted, key=lambda i: (-i.total_clicks, -i.unique_clicks, i.id or ""))
    return ReportTable(
        report=report,
        total_clicks=sum(i.total_clicks for i in counted),
        items=len(counted),
        rows=tuple(
            ReportRow(value=i.id or "(none)", clicks=i.total_clicks, unique_clicks=i.unique_clicks)
            for i in ranked[:rows]
        ),
    )


async def _all(results: AsyncIterator[AggregatedResult]) -> list[AggregatedResult]:
    return [item async for item in results]


class _Scope:
    """The requests for one scope: the whole account, a group, or the links with a tag.

    Each period's link summaries are read once, however many parts of the digest need them
    (a tag's daily digest needs the same days for its totals, its links and its chart).
    """

    def __init__(self, client: ClickMeterClient, links_filter: LinksFilter | None) -> None:
        self.client = client
        self.filter = links_filter
        self._links: dict[Period, asyncio.Task[list[AggregatedResult]]] = {}

    def cancel(self) -> None:
        """Stop reads still running (after another part of the digest failed)."""
        for task in self._links.values():
            task.cancel()

    async def label(self) -> str:
        match self.filter:
            case TagFilter(tag=tag):
                return f"links tagged {tag}"
            case GroupFilter(group_id=group_id):
                group = await self.client.group(group_id)
                return f"group {group.name or f'#{group_id}'}"
        return "the account"

    async def links(self, period: Period) -> list[AggregatedResult]:
        """Every tracking link's counters over `period` (all summary pages)."""
        if period not in self._links:
            self._links[period] = asyncio.ensure_future(self._read_links(period))
        return await asyncio.shield(self._links[period])

    async def _read_links(self, period: Period) -> list[AggregatedResult]:
        match self.filter:
            case GroupFilter(group_id=group_id):
                return await _all(
                    self.client.iter_group_datapoints_summary(group_id, period, kind="tl")
                )
            case TagFilter(tag=tag):
                return await _all(self.client.iter_datapoints_summary(period, tag=tag))
        return await _all(self.client.iter_datapoints_summary(period))

    async def totals(self, period: Period) -> Totals:
        match self.filter:
            case GroupFilter(group_id=group_id):
                return Totals.of(await self.client.group_aggregated(group_id, period))
            case TagFilter(tag=tag):
                # No tag-wide aggregate exists: the tagged links' and pixels' counters, summed
                # (unique counts are then per link, summed).
                links, pixels = await asyncio.gather(
                    self.links(period),
                    _all(self.client.iter_datapoints_summary(period, kind="tp", tag=tag)),
                )
                return Totals.summed([*links, *pixels])
        return Totals.of(await self.client.aggregated(period))

    async def daily_clicks(self, first: date, last: date) -> dict[date, int]:
        period = Period.custom(first, last)
        match self.filter:
            case GroupFilter(group_id=group_id):
                rows = await self.client.group_aggregated_list(group_id, period)
            case TagFilter():
                # Pixels get views, not clicks: the tagged links' summaries, one per day.
                days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
                sums = await asyncio.gather(*(self.links(Period.custom(day, day)) for day in days))
                return {
                    day: sum(i.total_clicks for i in items)
                    for day, items in zip(days, sums, strict=True)
                }
            case None:
                rows = await self.client.aggregated_list(period)
        return {r.from_day: r.total_clicks for r in rows if r.from_day is not None}

    async def report(self, report: TopReport, period: Period) -> ReportTable | None:
        if isinstance(self.filter, TagFilter):
            return None
        group_id = self.filter.group_id if isinstance(self.filter, GroupFilter) else None
        return report_table(report, (await self.client.top(report, period, group_id=group_id)).data)


async def gather_digest(
    client: ClickMeterClient,
    *,
    day: date,
    reports: Sequence[TopReport] = (TopReport.COUNTRIES, TopReport.REFERRERS),
    links_filter: LinksFilter | str | int | None = None,
    zone: ZoneInfo | None = None,
    kind: DigestKind = "daily",
    now: datetime | None = None,
) -> DigestContent:
    """The content of the `kind` digest sent on account-local day `day`.

    `links_filter` narrows it to a tag's or a group's links (see `links_filter_of`). `zone` is
    the account's zone (asked of ClickMeter when None); `now` stamps the data time (the real
    time when None; naive is UTC). Raises `ClickMeterError` if ClickMeter cannot be read.
    """
    links_filter = links_filter_of(links_filter)
    zone = zone or await client.account_zone()
    moment = as_utc(now).astimezone(zone)
    scope = _Scope(client, links_filter)
    first, last = digest_days(kind, day)
    period = Period.custom(first, last)
    compared = comparison_days(kind, first, last)
    chosen = list(dict.fromkeys(TopReport(r) for r in reports))
    series_first = last - timedelta(days=SERIES_DAYS - 1)
    series_days = [series_first + timedelta(days=i) for i in range(SERIES_DAYS)]
    try:
        label, totals, (current, previous), per_day, before, tables = await asyncio.gather(
            scope.label(),
            scope.totals(period),
            asyncio.gather(
                scope.links(period), scope.links(Period.custom(compared[0][1], compared[0][2]))
            ),
            scope.daily_clicks(series_first, last),
            asyncio.gather(*(scope.totals(Period.custom(f, t)) for _, f, t in compared)),
            asyncio.gather(*(scope.report(r, period) for r in chosen)),
        )
    finally:
        scope.cancel()
    links = link_changes(current, previous)
    threshold = mover_threshold(links)
    risers, fallers = movers(links, threshold)
    notes = []
    if chosen and isinstance(links_filter, TagFilter):
        notes.append("TOP reports are left out: ClickMeter has none for the links of a tag.")
    if isinstance(links_filter, TagFilter):
        notes.append("Unique clicks of a tag are the sum of its links' unique clicks.")
    return DigestContent(
        kind=kind,
        scope=label,
        first=first,
        last=last,
        zone=zone.key,
        data_time=moment,
        totals=totals,
        comparisons=tuple(
            Comparison(label=name, first=f, last=t, totals=b)
            for (name, f, t), b in zip(compared, before, strict=True)
        ),
        links_with_clicks=sum(1 for c in links if c.clicks),
        link_clicks=sum(c.clicks for c in links),
        top_links=tuple(c for c in links[:TOP_LINKS] if c.clicks),
        reports=tuple(t for t in tables if t is not None),
        risers=tuple(risers),
        fallers=tuple(fallers),
        mover_min_clicks=threshold,
        series=tuple(DayClicks(day=d, clicks=per_day.get(d, 0)) for d in series_days),
        notes=tuple(notes),
    )
