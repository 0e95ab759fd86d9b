"""Aggregated statistics: `/aggregated`, `.../aggregated/list` and the summaries.

All of them are sums over the same hit rows (hitstore), so they agree by construction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from clickmeter._dates import NEVER, format_ymdhis
from clickmeter._timeframes import Timeframe
from devtools.sandbox import entities
from devtools.sandbox.account import Account
from devtools.sandbox.hitstore import METRICS, BoolArray, IntArray
from devtools.sandbox.params import Params, invalid
from devtools.sandbox.periods import DayRange, day_start, from_us, utc_bounds_us
from devtools.sandbox.render import JSON, compact

SUMMARY_LIMIT, SUMMARY_MAX = 20, 100


def period_rows(
    acct: Account, p: Params, dp_mask: BoolArray | None, refused: tuple[Timeframe, ...] = ()
) -> tuple[DayRange, IntArray]:
    """The requested days and the rows of hits in them that have happened by now."""
    days = p.period(acct.today(), acct.catalog.registered.astimezone(acct.zone).date(), refused)
    start, end = utc_bounds_us(days, acct.zone)
    return days, acct.store.select(start, min(end, acct.now_us() + 1), dp_mask)


def mask_of(acct: Account, indices: list[int]) -> BoolArray:
    mask = np.zeros(len(acct.catalog.datapoints), np.bool_)
    mask[indices] = True
    return mask


def _ymdhis(acct: Account, ts_us: int) -> str:
    return format_ymdhis(from_us(ts_us, acct.zone))


def _metrics(acct: Account, rows: IntArray) -> JSON:
    body: JSON = dict(acct.store.totals(rows))
    if len(rows):
        body["lastHitDate"] = _ymdhis(acct, int(acct.store.hits.ts[rows[-1]]))
    return body


def aggregated(acct: Account, p: Params, dp_mask: BoolArray | None) -> JSON:
    """Totals for the period; `hourly=true` adds `hourlyBreakDown` keyed by local hour
    ("00".."23"), each value the same metrics for that hour of the day."""
    _, rows = period_rows(acct, p, dp_mask)
    body = _metrics(acct, rows)
    if p.flag("hourly") and len(rows):
        ts = acct.store.hits.ts[rows]
        utc_hours, inverse = np.unique(ts // 3_600_000_000, return_inverse=True)
        local = np.array([from_us(int(h) * 3_600_000_000, acct.zone).hour for h in utc_hours])
        per = acct.store.totals_by(rows, local[inverse].astype(np.int64), 24)
        body["hourlyBreakDown"] = {
            f"{h:02d}": {k: int(v[h]) for k, v in per.items() if k in METRICS}
            for h in range(24)
            if any(v[h] for v in per.values())
        }
    return compact(body)


def _buckets(days: DayRange, group_by: str | None) -> list[DayRange]:
    out: list[DayRange] = []
    first = days.first
    while first <= days.last:
        if group_by == "week":
            last = first + timedelta(days=6 - first.weekday())
        elif group_by == "month":
            nxt = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
            last = nxt - timedelta(days=1)
        else:
            last = first
        out.append(DayRange(first, min(last, days.last)))
        first = out[-1].last + timedelta(days=1)
    return out


def aggregated_list(
    acct: Account, p: Params, dp_mask: BoolArray | None, entity_id: int | None = None
) -> JSON:
    """`{"rows": [...]}`, one per day (or `groupBy` week / month) of the period."""
    group_by = p.enum("groupBy", ("week", "month", "day"))
    days, rows = period_rows(acct, p, dp_mask)
    buckets = _buckets(days, group_by)
    edges = np.array([utc_bounds_us(b, acct.zone)[0] for b in buckets], np.int64)
    keys = np.searchsorted(edges, acct.store.hits.ts[rows], side="right") - 1
    per = acct.store.totals_by(rows, keys.astype(np.int64), len(buckets))
    out = []
    for i, b in enumerate(buckets):
        row: JSON = {
            "entityId": str(entity_id) if entity_id is not None else None,
            "activityDay": _day(acct, b.first),
            "fromDay": _day(acct, b.first),
            "toDay": _day(acct, b.last),
        }
        row |= {k: int(v[i]) for k, v in per.items() if k in METRICS}
        row["conversionsValue"] = round(float(per["conversionsValue"][i]), 2)
        out.append(compact(row))
    return {"rows": out}


def _day(acct: Account, day: date) -> str:
    return format_ymdhis(day_start(day, acct.zone))


def _per_entity(acct: Account, rows: IntArray, keys: IntArray, n: int) -> list[JSON]:
    per = acct.store.totals_by(rows, keys, n)
    last = acct.store.last_ts_by(rows, keys, n)
    return [_entity_metrics(acct, per, last, i) for i in range(n)]


def _entity_metrics(acct: Account, per: dict[str, np.ndarray], last: IntArray, i: int) -> JSON:
    item: JSON = {k: int(v[i]) for k, v in per.items() if k in METRICS}
    item["conversionsValue"] = round(float(per["conversionsValue"][i]), 2)
    item["activityDay"] = _ymdhis(acct, int(last[i])) if last[i] >= 0 else NEVER
    item["lastHitDate"] = _ymdhis(acct, int(last[i])) if last[i] >= 0 else None
    return item


def _summary_page(
    acct: Account,
    p: Params,
    rows: IntArray,
    keys: IntArray,
    n: int,
    chosen: list[int],
    describe: Callable[[int], JSON],
    name_of: Callable[[JSON], str],
) -> JSON:
    """A sorted page of per-entity summaries. Sorted by a click/view counter (the usual case,
    `totalClicks` by default) it sorts numbers with numpy and renders only the page's items,
    so a page of 10,000 links costs a page, not 10,000 items; other orders render everything.
    Either way the page is the same: a stable sort, descending keeping ties in entity order."""
    per = acct.store.totals_by(rows, keys, n)
    last = acct.store.last_ts_by(rows, keys, n)
    sort_by = (p.get("sortBy") or "totalClicks").lower()
    counters = {m.lower(): m for m in METRICS}
    if sort_by not in counters:
        items = [_entity_metrics(acct, per, last, i) | describe(i) for i in chosen]
        return _sort_and_page(p, items, name_of)
    desc = (p.enum("sortDirection", ("asc", "desc")) or "desc") == "desc"
    values = per[counters[sort_by]][np.asarray(chosen, np.int64)]
    order = np.argsort(-values if desc else values, kind="stable")
    offset, limit = p.offset(), p.limit(SUMMARY_LIMIT, SUMMARY_MAX)
    page = [chosen[j] for j in order[offset : offset + limit].tolist()]
    result = [_entity_metrics(acct, per, last, i) | describe(i) for i in page]
    return {"count": len(chosen), "limit": limit, "offset": offset, "result": result}


def _sort_and_page(p: Params, items: list[JSON], names: Callable[[JSON], str]) -> JSON:
    sort_by = (p.get("sortBy") or "totalClicks").lower()
    fields = {m.lower(): m for m in (*METRICS, "conversionsValue", "activityDay", "entityId")}
    desc = (p.enum("sortDirection", ("asc", "desc")) or "desc") == "desc"
    if sort_by == "name":
        items.sort(key=names, reverse=desc)
    elif sort_by in fields:
        field = fields[sort_by]
        items.sort(key=lambda x: x.get(field, 0), reverse=desc)
    else:
        raise invalid("sortBy", f"Cannot sort by '{p.get('sortBy')}'.", "0003")
    offset, limit = p.offset(), p.limit(SUMMARY_LIMIT, SUMMARY_MAX)
    page = items[offset : offset + limit]
    return {"count": len(items), "limit": limit, "offset": offset, "result": page}


def summary_datapoints(
    acct: Account, p: Params, pool: list[int] | None = None, type_required: bool = True
) -> JSON:
    """Per datapoint totals; deleted datapoints are included unless `status` says otherwise."""
    p.enum("type", ("tl", "tp"), required=type_required)
    group_id = p.integer("groupId")
    if group_id is not None:
        pool = acct.catalog.groups[entities.find_group(acct, group_id)].datapoints
    chosen = entities.filter_datapoints(acct, p, pool)
    _, rows = period_rows(acct, p, None)
    n = len(acct.catalog.datapoints)

    def describe(i: int) -> JSON:
        dp = acct.catalog.datapoints[i]
        group = acct.catalog.groups[dp.group]
        data = {
            "datapointId": dp.id,
            "datapointName": dp.name,
            "datapointTitle": dp.title,
            "datapointType": "TrackingPixel" if dp.type else "TrackingLink",
            "datapointFavourite": dp.favourite,
            "groupId": group.id,
            "groupName": group.name,
            "creationDate": format_ymdhis(dp.created, acct.zone),
            "destinationUrl": acct.catalog.destinations[dp.destinations[0]]
            if dp.destinations
            else None,
            "status": ("Active", "Paused", "Abuse", "Deleted")[dp.status] if dp.status else None,
            "tags": [entities.tag_json(t) for t in dp.tags],
            "trackingCode": dp.tracking_code,
        }
        return {"entityId": str(dp.id), "entityData": data}

    keys = acct.store.hits.dp[rows]
    body = _summary_page(
        acct, p, rows, keys, n, chosen, describe, lambda x: str(x["entityData"]["datapointName"])
    )
    return compact(body)  # keeps `result` even when empty; compacts each item


def summary_groups(acct: Account, p: Params) -> JSON:
    chosen = entities.filter_groups(acct, p)
    _, rows = period_rows(acct, p, None)
    group_of = np.array([dp.group for dp in acct.catalog.datapoints], np.int64)

    def describe(i: int) -> JSON:
        g = acct.catalog.groups[i]
        data = {
            "groupId": g.id,
            "groupName": g.name,
            "linksCount": len(g.datapoints),
            "creationDate": format_ymdhis(g.created, acct.zone),
            "tags": [entities.tag_json(t) for t in g.tags],
            "deleted": g.deleted,
        }
        return {"entityId": str(g.id), "entityData": data}

    keys = group_of[acct.store.hits.dp[rows]]
    n = len(acct.catalog.groups)
    body = _summary_page(
        acct, p, rows, keys, n, chosen, describe, lambda x: str(x["entityData"]["groupName"])
    )
    return compact(body)  # keeps `result` even when empty; compacts each item


def summary_conversions(acct: Account, p: Params) -> JSON:
    """Per conversion totals of the clicks that converted to it."""
    status = p.enum("status", ("active", "deleted"))
    text = (p.get("textSearch") or "").lower()
    _, rows = period_rows(acct, p, None)
    rows = rows[acct.store.hits.conv[rows] >= 0]
    convs = acct.catalog.conversions
    per = _per_entity(acct, rows, acct.store.hits.conv[rows], len(convs))
    items = []
    for i, conv in enumerate(convs):
        if status == "deleted" or (text and text not in conv.name.lower()):
            continue
        data = {
            "id": conv.id,
            "name": conv.name,
            "value": conv.value,
            "date": format_ymdhis(conv.created, acct.zone),
        }
        items.append(per[i] | {"entityId": str(conv.id), "entityData": data})
    body = _sort_and_page(p, items, lambda x: str(x["entityData"]["name"]))
    return compact(body)  # keeps `result` even when empty; compacts each item
