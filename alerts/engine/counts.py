"""One poll's read of ClickMeter: today's click counters for every watched subject.

Subjects are strings: "account", "datapoint:ID", "group:ID" and "tag:NAME". One cycle reads
`/aggregated/summary/datapoints?timeframe=today&type=tl` at 100 per page (the API's maximum),
and `/aggregated/summary/groups` the same way only when a group is watched; never one request
per datapoint. The first page tells how many there are; the rest are requested a few at a
time, paced by the client's throttle, so a cycle takes about pages / rate seconds, not pages x
latency. Pages are read through the client's HTTP core (its key, pacing, retries and errors)
but not validated into models: the poller needs three fields of each row, and validating
10,000 rows with their dates cost over a second of CPU per cycle.

Sources, chosen so that every subject adds up with the others from the same pages:
- account = the sum over every tracking link (not `/aggregated`: the same number, but read apart
  it could be a few clicks off the per-link sums taken a moment later, and it would be a second
  source to keep consistent);
- tag:NAME = the sum over links whose `entityData.tags` holds NAME (case-insensitive);
- group:ID = the group's own row in the groups summary.
Clicks are tracking-link clicks: pixels count views, so `type=tp` is never read.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from alerts.engine.intervals import local_day_of
from clickmeter import BadResponseError, ClickMeterClient
from storage import AlertRule, utcnow

PAGE = 100
#: Page requests in flight at once (the client's throttle sets the pace; see `_all_pages`).
IN_FLIGHT = 4
ACCOUNT = "account"


def subject_of(rule: AlertRule) -> str:
    """The subject a rule watches. `scope_ref` holds the datapoint id (link), group id (group)
    or tag name (tag) as text; it is ignored for the account. Raises ValueError when a link or
    group rule's `scope_ref` is not a numeric id."""
    if rule.scope_kind == "account":
        return ACCOUNT
    if rule.scope_kind in ("link", "group"):
        ref = rule.scope_ref.strip()
        if not ref.isdigit():
            raise ValueError(f"rule {rule.id}: {rule.scope_kind} scope {ref!r} is not an id")
        return f"{'datapoint' if rule.scope_kind == 'link' else 'group'}:{int(ref)}"
    return f"tag:{rule.scope_ref.strip().lower()}"


@dataclass(frozen=True)
class Needs:
    """Which summaries a set of subjects requires."""

    datapoints: bool
    groups: bool

    @classmethod
    def of(cls, subjects: Iterable[str]) -> Needs:
        subjects = list(subjects)
        return cls(
            datapoints=any(not s.startswith("group:") for s in subjects),
            groups=any(s.startswith("group:") for s in subjects),
        )


@dataclass(frozen=True)
class Reading:
    """Today's totals at `at` (aware UTC), for the account's `local_day` in `zone`.

    `totals` has an entry for every subject asked for: a link or group ClickMeter no longer
    lists reads 0 clicks (its counter reset to 0, which is a decrease, never a spike).
    """

    at: datetime
    local_day: date
    zone: ZoneInfo
    totals: dict[str, int]
    calls: int = 0
    datapoints_seen: int = 0
    groups_seen: int = 0
    notes: list[str] = field(default_factory=list)


class DayChangedDuringRead(Exception):
    """Local midnight passed while the pages were read: the pages mix two days' counters."""


Row = dict[str, Any]  # a summary row as ClickMeter sends it (zero counters omitted)


def _clicks(row: Row, path: str) -> int:
    clicks = row.get("totalClicks") or 0
    if not isinstance(clicks, int):
        raise BadResponseError(f"ClickMeter GET {path}: totalClicks is not a number", endpoint=path)
    return clicks


def _tags(row: Row) -> set[str]:
    data = row.get("entityData")
    tags = data.get("tags") if isinstance(data, dict) else None
    return {str(t.get("name") or "").strip().lower() for t in tags or () if isinstance(t, dict)}


async def _page(
    client: ClickMeterClient, path: str, params: dict[str, Any]
) -> tuple[int, list[Row]]:
    # Raw rows, not models (see the docstring): only a few fields of each are read.
    body = await client.get_json(path, {**params, "limit": PAGE})
    if not isinstance(body, dict) or not isinstance(body.get("result", []), list):
        raise BadResponseError(f"ClickMeter GET {path}: not a summary page", endpoint=path)
    rows = body.get("result") or []
    if not all(isinstance(row, dict) for row in rows):
        raise BadResponseError(f"ClickMeter GET {path}: a row is not an object", endpoint=path)
    return int(body.get("count") or 0), rows


async def _all_pages(
    client: ClickMeterClient, path: str, params: dict[str, Any]
) -> tuple[list[Row], int]:
    """Every row of a summary: the first page says how many; the others are asked together
    (the client's throttle paces them). Returns the rows and how many requests it took."""
    count, rows = await _page(client, path, params)
    offsets = list(range(PAGE, count, PAGE)) if rows else []
    pages: dict[int, list[Row]] = {}

    async def fetch_some() -> None:
        while offsets:
            offset = offsets.pop(0)
            pages[offset] = (await _page(client, path, {**params, "offset": offset}))[1]

    # A few requests in flight keep the throttle's pace with ~100 ms of latency; more would
    # only open more connections (and httpx's pool costs CPU per queued request).
    await asyncio.gather(*(fetch_some() for _ in range(min(IN_FLIGHT, len(offsets)))))
    for offset in sorted(pages):
        rows.extend(pages[offset])
    return rows, 1 + len(pages)


async def read_counts(
    client: ClickMeterClient,
    subjects: Iterable[str],
    *,
    clock: Callable[[], datetime] = utcnow,
) -> Reading:
    """Read today's totals for `subjects`. `clock()` gives the current aware time (default: the
    real time); the reading is stamped with the time after the last page came back.

    Raises `ClickMeterError` (or a subclass, or `asyncio.TimeoutError`) as the client does, and
    `DayChangedDuringRead` when local midnight fell during the read (retry next cycle)."""
    now = clock
    wanted = sorted(set(subjects))
    needs = Needs.of(wanted)
    zone = await client.account_zone()
    day_before = local_day_of(now(), zone)
    totals: dict[str, int] = dict.fromkeys(wanted, 0)
    calls = 0
    datapoints_seen = groups_seen = 0
    if needs.datapoints:
        params = {"timeFrame": "today", "type": "tl"}
        rows, pages = await _all_pages(client, "/aggregated/summary/datapoints", params)
        calls += pages
        datapoints_seen = len(rows)
        _add_datapoints(totals, rows)
    if needs.groups:
        params = {"timeFrame": "today"}
        rows, pages = await _all_pages(client, "/aggregated/summary/groups", params)
        calls += pages
        groups_seen = len(rows)
        for row in rows:
            key = f"group:{row.get('entityId')}"
            if key in totals:
                totals[key] = _clicks(row, "/aggregated/summary/groups")
    at = now()
    local_day = local_day_of(at, zone)
    if local_day != day_before:
        raise DayChangedDuringRead(f"local day went from {day_before} to {local_day}")
    return Reading(at, local_day, zone, totals, calls, datapoints_seen, groups_seen)


def _add_datapoints(totals: dict[str, int], rows: Sequence[Row]) -> None:
    tags = {s[4:] for s in totals if s.startswith("tag:")}
    account = 0
    for row in rows:
        clicks = _clicks(row, "/aggregated/summary/datapoints")
        if not clicks:
            continue  # most links are quiet on a given day: nothing to add
        account += clicks
        key = f"datapoint:{row.get('entityId')}"
        if key in totals:
            totals[key] = clicks
        if tags:
            # A set: a tag listed twice on one link must not count its clicks twice.
            for name in _tags(row) & tags:
                totals[f"tag:{name}"] += clicks
    if ACCOUNT in totals:
        totals[ACCOUNT] = account
