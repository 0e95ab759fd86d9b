"""One poll's read of ClickMeter: today's click counter of every watched subject.

One cycle reads the datapoints summary (tracking links, today) and the groups summary only
when a group is watched, each in as few requests as the API allows
(`ClickMeterClient.datapoint_clicks` / `group_clicks`: 100 rows a page, the pages after the
first asked a few at a time, paced by the client's throttle); never one request per datapoint.
Each page is added to the totals as it arrives and then dropped.

Sources, chosen so that every subject adds up with the others from the same pages:
- the account = the sum over every tracking link (not `/aggregated`: the same number, but read
  apart it could be a few clicks off the per-link sums taken a moment later, and it would be a
  second source to keep consistent);
- a tag = the sum over links whose tags hold its name (case-insensitive);
- a group = the group's own row in the groups summary.
Clicks are tracking-link clicks: pixels count views, so `type=tp` is never read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from alerts.engine.intervals import local_day_of
from clickmeter import ClickCount, ClickMeterClient
from storage import utcnow
from storage.subjects import ACCOUNT, Subject


@dataclass(frozen=True)
class Reading:
    """Today's totals at `at` (aware UTC), for the account's `local_day` in `zone`.

    `totals` has an entry for every subject asked for: a link or group ClickMeter no longer
    lists reads 0 clicks (its counter reset to 0, which is a decrease, never a spike).
    """

    at: datetime
    local_day: date
    zone: ZoneInfo
    totals: dict[Subject, int]
    calls: int = 0


class DayChangedDuringRead(Exception):
    """Local midnight passed while the pages were read: the pages mix two days' counters."""


async def read_counts(
    client: ClickMeterClient,
    subjects: Iterable[Subject],
    *,
    clock: Callable[[], datetime] = utcnow,
) -> Reading:
    """Read today's totals for `subjects`. `clock()` gives the current aware time (default: the
    real time); the reading is stamped with the time after the last page came back.

    Raises `ClickMeterError` (or a subclass, or `asyncio.TimeoutError`) as the client does, and
    `DayChangedDuringRead` when local midnight fell during the read (retry next cycle)."""
    now = clock
    totals: dict[Subject, int] = dict.fromkeys(sorted(set(subjects)), 0)
    zone = await client.account_zone()
    day_before = local_day_of(now(), zone)
    calls = 0
    if any(subject.kind != "group" for subject in totals):
        async for links in client.datapoint_clicks("today", kind="tl"):
            calls += 1
            _add_datapoints(totals, links)
    if any(subject.kind == "group" for subject in totals):
        async for groups in client.group_clicks("today"):
            calls += 1
            for row in groups:
                group = Subject("group", str(row.entity_id))
                if group in totals:
                    totals[group] = row.total_clicks
    at = now()
    local_day = local_day_of(at, zone)
    if local_day != day_before:
        raise DayChangedDuringRead(f"local day went from {day_before} to {local_day}")
    return Reading(at, local_day, zone, totals, calls)


def _add_datapoints(totals: dict[Subject, int], rows: Sequence[ClickCount]) -> None:
    """Add one page of links to the totals (pages come in any order: only sums are made)."""
    tags = {subject.ref for subject in totals if subject.kind == "tag"}
    for row in rows:
        clicks = row.total_clicks
        if not clicks:
            continue  # most links are quiet on a given day: nothing to add
        if ACCOUNT in totals:
            totals[ACCOUNT] += clicks
        link = Subject("datapoint", str(row.entity_id))
        if link in totals:
            totals[link] = clicks
        if tags:
            for name in row.tags & tags:
                totals[Subject("tag", name)] += clicks
