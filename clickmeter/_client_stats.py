"""Statistics endpoints: aggregates, summaries, TOP reports, hits and the clickstream."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from enum import StrEnum
from typing import Literal, TypedDict

from typing_extensions import Unpack

from clickmeter._client_base import ClientBase, PeriodLike, query, to_period
from clickmeter._models_stats import (
    AggregatedResult,
    AggregatedRows,
    AggregatedSummaryResult,
    ClickstreamPage,
    Hit,
    HitListPage,
    Top,
)
from clickmeter._paging import PageCheck
from clickmeter._timeframes import NOT_FOR_HITS, NOT_FOR_REPORTS

#: The API's maximum page size for summaries.
SUMMARY_PAGE = 100
GroupBy = Literal["week", "month"]
Kind = Literal["tl", "tp"]
SortDirection = Literal["asc", "desc"]
DatapointStatusFilter = Literal["active", "paused", "deleted", "spam"]
GroupStatusFilter = Literal["active", "deleted"]
HitFilter = Literal["spiders", "uniques", "nonuniques", "conversions"]


class GroupSummaryFilters(TypedDict, total=False):
    """Filters of `/aggregated/summary/groups`; None leaves a filter out."""

    status: GroupStatusFilter | None
    tag: str | None
    text: str | None
    sort_by: str | None
    sort_direction: SortDirection | None


class GroupDatapointsSummaryFilters(GroupSummaryFilters, total=False):
    """Filters of `/groups/{id}/aggregated/summary`."""

    kind: Kind | None


class DatapointSummaryFilters(TypedDict, total=False):
    """Filters of `/aggregated/summary/datapoints`."""

    kind: Kind | None
    status: DatapointStatusFilter | None
    tag: str | None
    group_id: int | None
    text: str | None
    sort_by: str | None
    sort_direction: SortDirection | None


_WIRE_NAMES = {
    "kind": "type",
    "group_id": "groupId",
    "text": "textSearch",
    "sort_by": "sortBy",
    "sort_direction": "sortDirection",
}


class TopReport(StrEnum):
    """The `type` of a TOP report (`/reports`)."""

    BROWSERS = "browsers"
    BROWSERS_FAMILIES = "browsersfamilies"
    PLATFORMS = "platforms"
    CITIES = "cities"
    COUNTRIES = "countries"
    ISPS = "isps"
    IPS = "ips"
    OSS = "oss"
    OSS_FAMILIES = "ossfamilies"
    KEYWORDS = "keywords"
    REFERRERS = "referrers"
    DESTINATIONS = "destinations"
    LANGUAGES = "languages"
    PARAMS = "params"


async def _pages(
    path: str, fetch: Callable[[int], Awaitable[AggregatedSummaryResult]]
) -> AsyncIterator[AggregatedResult]:
    # Checked as the poller's pages are (see `_paging`): a read never yields a row twice, nor
    # stops short without saying so.
    first = await fetch(0)
    pages = PageCheck(path, first.count, SUMMARY_PAGE)
    for offset in range(0, max(first.count, 1), SUMMARY_PAGE):
        page = first if offset == 0 else await fetch(offset)
        pages.check(offset, page.count, len(page.result))
        for item in pages.fresh(page.result, [row.entity_id for row in page.result]):
            yield item


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= SUMMARY_PAGE:
        raise ValueError(f"limit must be between 1 and {SUMMARY_PAGE}")


def _scope(datapoint_id: int | None, group_id: int | None) -> str:
    if datapoint_id is not None and group_id is not None:
        raise ValueError("pass datapoint_id or group_id, not both")
    if datapoint_id is not None:
        return f"/datapoints/{datapoint_id}"
    return f"/groups/{group_id}" if group_id is not None else ""


class StatsMixin(ClientBase):
    """Aggregates are exactly ClickMeter's numbers; zero counters (omitted on the wire) are 0."""

    async def _aggregated(self, path: str, period: PeriodLike, hourly: bool) -> AggregatedResult:
        params = to_period(period).query("timeFrame") | query(hourly="true" if hourly else None)
        return await self._fetch(AggregatedResult, path, params)

    async def _aggregated_list(
        self, path: str, period: PeriodLike, group_by: GroupBy | None
    ) -> list[AggregatedResult]:
        params = to_period(period).query("timeFrame") | query(groupBy=group_by)
        return (await self._fetch(AggregatedRows, path, params)).rows

    async def aggregated(self, period: PeriodLike, hourly: bool = False) -> AggregatedResult:
        """`GET /aggregated`: the whole account's counters over `period`."""
        return await self._aggregated("/aggregated", period, hourly)

    async def aggregated_list(
        self, period: PeriodLike, group_by: GroupBy | None = None
    ) -> list[AggregatedResult]:
        """`GET /aggregated/list`: one result per day (or week/month), each with from/to days."""
        return await self._aggregated_list("/aggregated/list", period, group_by)

    async def datapoint_aggregated(
        self, datapoint_id: int, period: PeriodLike, hourly: bool = False
    ) -> AggregatedResult:
        """`GET /datapoints/{id}/aggregated`."""
        return await self._aggregated(f"/datapoints/{datapoint_id}/aggregated", period, hourly)

    async def datapoint_aggregated_list(
        self, datapoint_id: int, period: PeriodLike, group_by: GroupBy | None = None
    ) -> list[AggregatedResult]:
        """`GET /datapoints/{id}/aggregated/list`."""
        path = f"/datapoints/{datapoint_id}/aggregated/list"
        return await self._aggregated_list(path, period, group_by)

    async def group_aggregated(
        self, group_id: int, period: PeriodLike, hourly: bool = False
    ) -> AggregatedResult:
        """`GET /groups/{id}/aggregated`."""
        return await self._aggregated(f"/groups/{group_id}/aggregated", period, hourly)

    async def group_aggregated_list(
        self, group_id: int, period: PeriodLike, group_by: GroupBy | None = None
    ) -> list[AggregatedResult]:
        """`GET /groups/{id}/aggregated/list`."""
        return await self._aggregated_list(f"/groups/{group_id}/aggregated/list", period, group_by)

    async def _summary(
        self, path: str, period: PeriodLike, offset: int, limit: int, filters: Mapping[str, object]
    ) -> AggregatedSummaryResult:
        _check_limit(limit)
        wire = {_WIRE_NAMES.get(name, name): value for name, value in filters.items()}
        # ClickMeter leaves `offset` out when it is 0; so do we.
        params = to_period(period).query("timeFrame") | query(
            offset=offset or None, limit=limit, **wire
        )
        return await self._fetch(AggregatedSummaryResult, path, params)

    async def datapoints_summary(
        self,
        period: PeriodLike,
        *,
        offset: int = 0,
        limit: int = SUMMARY_PAGE,
        **filters: Unpack[DatapointSummaryFilters],
    ) -> AggregatedSummaryResult:
        """One page of `GET /aggregated/summary/datapoints` (limit at most 100).

        ClickMeter requires `type`, so `kind` defaults to tracking links ("tl"); pass "tp" for
        pixels (None leaves the parameter out). Without `status`, deleted datapoints are
        included (as ClickMeter does).
        """
        filters = {"kind": "tl", **filters}
        path = "/aggregated/summary/datapoints"
        return await self._summary(path, period, offset, limit, filters)

    def iter_datapoints_summary(
        self, period: PeriodLike, **filters: Unpack[DatapointSummaryFilters]
    ) -> AsyncIterator[AggregatedResult]:
        """Every datapoint's result over all pages (100 per request)."""
        to_period(period)
        path = "/aggregated/summary/datapoints"
        return _pages(
            path, lambda offset: self.datapoints_summary(period, offset=offset, **filters)
        )

    async def groups_summary(
        self,
        period: PeriodLike,
        *,
        offset: int = 0,
        limit: int = SUMMARY_PAGE,
        **filters: Unpack[GroupSummaryFilters],
    ) -> AggregatedSummaryResult:
        """One page of `GET /aggregated/summary/groups` (limit at most 100)."""
        return await self._summary("/aggregated/summary/groups", period, offset, limit, filters)

    def iter_groups_summary(
        self, period: PeriodLike, **filters: Unpack[GroupSummaryFilters]
    ) -> AsyncIterator[AggregatedResult]:
        """Every group's result over all pages (100 per request)."""
        to_period(period)
        path = "/aggregated/summary/groups"
        return _pages(path, lambda offset: self.groups_summary(period, offset=offset, **filters))

    async def group_datapoints_summary(
        self,
        group_id: int,
        period: PeriodLike,
        *,
        offset: int = 0,
        limit: int = SUMMARY_PAGE,
        **filters: Unpack[GroupDatapointsSummaryFilters],
    ) -> AggregatedSummaryResult:
        """One page of `GET /groups/{id}/aggregated/summary`: the group's datapoints."""
        path = f"/groups/{group_id}/aggregated/summary"
        return await self._summary(path, period, offset, limit, filters)

    def iter_group_datapoints_summary(
        self, group_id: int, period: PeriodLike, **filters: Unpack[GroupDatapointsSummaryFilters]
    ) -> AsyncIterator[AggregatedResult]:
        """Every datapoint of the group over all pages (100 per request)."""
        to_period(period)

        def page(offset: int) -> Awaitable[AggregatedSummaryResult]:
            return self.group_datapoints_summary(group_id, period, offset=offset, **filters)

        return _pages(f"/groups/{group_id}/aggregated/summary", page)

    async def top(
        self,
        report: TopReport | str,
        period: PeriodLike,
        *,
        datapoint_id: int | None = None,
        group_id: int | None = None,
        hit_type: Literal["clicks", "views"] | None = None,
    ) -> Top:
        """A TOP report for the account, one datapoint or one group.

        Raises UnsupportedTimeframeError (before any request) for timeframes `/reports` refuses.
        """
        period_ = to_period(period, refused=NOT_FOR_REPORTS, where="TOP reports")
        path = _scope(datapoint_id, group_id) + "/reports"
        params = {"type": TopReport(report).value} | period_.query("timeframe")
        return await self._fetch(Top, path, params | query(hittype=hit_type))

    async def hits(
        self,
        period: PeriodLike,
        *,
        datapoint_id: int | None = None,
        group_id: int | None = None,
        limit: int | None = None,
        offset: str | None = None,
        filter: HitFilter | None = None,
    ) -> HitListPage:
        """One page of hits (90 days at most); pass `page.last_key` as `offset` for the next."""
        period_ = to_period(period, refused=NOT_FOR_HITS, where="hit lists")
        path = _scope(datapoint_id, group_id) + "/hits"
        params = period_.query("timeframe") | query(limit=limit, offset=offset, filter=filter)
        return await self._fetch(HitListPage, path, params)

    async def iter_hits(
        self,
        period: PeriodLike,
        *,
        datapoint_id: int | None = None,
        group_id: int | None = None,
        limit: int | None = None,
        filter: HitFilter | None = None,
    ) -> AsyncIterator[Hit]:
        """Every hit of `period`, following `lastKey` until ClickMeter stops sending one."""
        offset: str | None = None
        while True:
            page = await self.hits(
                period,
                datapoint_id=datapoint_id,
                group_id=group_id,
                limit=limit,
                offset=offset,
                filter=filter,
            )
            for hit in page.hits:
                yield hit
            if not page.last_key or not page.hits or page.last_key == offset:
                return
            offset = page.last_key

    async def clickstream(
        self,
        *,
        datapoint_id: int | None = None,
        group_id: int | None = None,
        conversion_id: int | None = None,
        page_size: int = 50,
        filter: Literal["spiders", "uniques", "nonuniques", "conversions"] | None = None,
    ) -> list[Hit]:
        """`GET /clickstream`: the latest hits, newest first (at most 100)."""
        if not 1 <= page_size <= 100:
            raise ValueError("page_size must be between 1 and 100")
        params = query(
            datapoint=datapoint_id,
            group=group_id,
            conversion=conversion_id,
            pageSize=page_size,
            filter=filter,
        )
        return (await self._fetch(ClickstreamPage, "/clickstream", params)).rows
