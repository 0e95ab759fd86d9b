"""Click counts of every datapoint or group of the account, in as few requests as the API
allows: the alert poller's hot path, read every cycle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from clickmeter._client_base import ClientBase, PeriodLike, to_period
from clickmeter._client_stats import SUMMARY_PAGE, Kind
from clickmeter._http import Query
from clickmeter._models_stats import ClickCount, ClickCountPage
from clickmeter._paging import PageCheck

#: Page requests in flight at once; the client's pacing, not this, sets the request rate.
IN_FLIGHT = 4


class ClicksMixin(ClientBase):
    """Summaries read for their clicks (and tags) only, a page at a time as pages arrive.

    Each page is handed over as soon as it is read, in whatever order the pages come back, and
    is not kept: a caller that sums them as they come holds about `IN_FLIGHT` pages at once,
    not 10,000 rows (which kept alive made Python's garbage collector cost more than reading).
    Every page yielded is one request; a row is yielded once even if ClickMeter repeats it.
    An answer that breaks its own paging (a short, overlong or repeated page, a `count` that
    changes or passes `_paging.MAX_ROWS`) raises BadResponseError, so a caller never sums a
    partial or doubled read.
    """

    def datapoint_clicks(
        self, period: PeriodLike, *, kind: Kind = "tl"
    ) -> AsyncIterator[list[ClickCount]]:
        """Every datapoint's clicks over `period` from `GET /aggregated/summary/datapoints`
        (tracking links unless `kind` says "tp"), deleted ones included as ClickMeter does."""
        params = to_period(period).query("timeFrame") | {"type": kind}
        return self._click_pages("/aggregated/summary/datapoints", params)

    def group_clicks(self, period: PeriodLike) -> AsyncIterator[list[ClickCount]]:
        """Every group's clicks over `period` from `GET /aggregated/summary/groups`."""
        return self._click_pages("/aggregated/summary/groups", to_period(period).query("timeFrame"))

    async def _click_page(self, path: str, params: Query, offset: int) -> ClickCountPage:
        # ClickMeter leaves `offset` out when it is 0; so do we.
        paging = {"limit": SUMMARY_PAGE} | ({"offset": offset} if offset else {})
        return await self._fetch_lean(ClickCountPage, path, {**params, **paging})

    async def _click_pages(self, path: str, params: Query) -> AsyncIterator[list[ClickCount]]:
        # The first page says how many rows there are; the others are asked a few at a time,
        # so a read takes about pages / rate seconds rather than pages x latency. More in
        # flight would only open more connections (httpx's pool costs CPU per queued request).
        # Every page is checked against what the first implies (see `_paging`), and a row
        # already read (by id) is not handed over twice.
        first = await self._click_page(path, params, 0)
        pages = PageCheck(path, first.count, SUMMARY_PAGE)
        pages.check(0, first.count, len(first.result))
        yield pages.fresh(first.result, [row.entity_id for row in first.result])
        offsets = iter(pages.offsets())
        pending: dict[asyncio.Task[ClickCountPage], int] = {}
        try:
            while True:
                while len(pending) < IN_FLIGHT and (offset := next(offsets, None)) is not None:
                    task = asyncio.ensure_future(self._click_page(path, params, offset))
                    pending[task] = offset
                if not pending:
                    return
                done, _ = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                # Every finished task's outcome is read, so a second failure is not logged
                # as "never retrieved"; the first one is raised.
                errors = [error for task in done if (error := task.exception()) is not None]
                if errors:
                    raise errors[0]
                for task in done:
                    page, offset = task.result(), pending.pop(task)
                    pages.check(offset, page.count, len(page.result))
                    yield pages.fresh(page.result, [row.entity_id for row in page.result])
        finally:
            for task in pending:
                task.cancel()
