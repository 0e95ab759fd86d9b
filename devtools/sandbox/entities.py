"""Account objects as the service renders them, and the list/count/detail endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from tzlocal.windows_tz import win_tz

from clickmeter._dates import format_ymdhis
from devtools.sandbox.account import Account
from devtools.sandbox.catalog import (
    DELETED,
    STATUS_NAMES,
    TRACKING_LINK,
    TRACKING_PIXEL,
    Conversion,
    Datapoint,
    Group,
    Tag,
)
from devtools.sandbox.params import Params, invalid, not_found
from devtools.sandbox.render import JSON, compact

LIST_LIMIT, LIST_MAX = 20, 100
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def path_id(raw: str, name: str = "id") -> int:
    try:
        return int(raw)
    except ValueError:
        raise invalid(name, f"The {name} must be an integer.", "0004") from None


def tag_json(tag: Tag, full: bool = False) -> JSON:
    body: JSON = {"id": tag.id, "name": tag.name}
    if full:
        body |= {"datapoints": list(tag.datapoints), "groups": list(tag.groups)}
    return body


def datapoint_json(acct: Account, dp: Datapoint) -> JSON:
    cat = acct.catalog
    group = cat.groups[dp.group]
    body: JSON = {
        "id": dp.id,
        "name": dp.name,
        "title": dp.title,
        "type": dp.type,
        "status": dp.status,
        "creationDate": format_ymdhis(dp.created, acct.zone),
        "groupId": group.id,
        "groupName": group.name,
        "trackingCode": dp.tracking_code,
        "preferred": dp.favourite,
        "tags": [tag_json(t) for t in dp.tags],
    }
    for ordinal, conv_index in zip(_ORDINALS, dp.conversions, strict=False):
        conv = cat.conversions[conv_index]
        body[f"{ordinal}ConversionId"] = conv.id
        body[f"{ordinal}ConversionName"] = conv.name
    if dp.type == TRACKING_LINK:
        urls = [cat.destinations[d] for d in dp.destinations]
        body["typeTL"] = {
            "url": urls[0],
            "redirectType": dp.redirect,
            "domainId": 1,
            "destinationMode": "RandomDestination" if len(urls) > 1 else None,
            "randomDestinationItems": [{"url": u} for u in urls] if len(urls) > 1 else None,
        }
    return compact(body)


def group_json(acct: Account, group: Group) -> JSON:
    return compact(
        {
            "id": group.id,
            "name": group.name,
            "creationDate": format_ymdhis(group.created, acct.zone),
            "deleted": group.deleted,
            "tags": [tag_json(t) for t in group.tags],
            "writePermited": True,
        }
    )


def conversion_json(acct: Account, conv: Conversion) -> JSON:
    return compact(
        {
            "id": conv.id,
            "name": conv.name,
            "value": conv.value,
            "code": conv.code,
            "creationDate": format_ymdhis(conv.created, acct.zone),
            "protocol": "Https",
        }
    )


def _page(
    p: Params, items: list[JSON], expand: Callable[[int], JSON], uri: str, paged: bool = True
) -> JSON:
    """`{"entities": [...]}` of `{id, uri}` (or the full object with `_expand=true`)."""
    offset, limit = p.offset(), p.limit(LIST_LIMIT, LIST_MAX)
    chosen = items[offset : offset + limit] if paged else items
    if p.flag("_expand"):
        return {"entities": [expand(int(x["id"])) for x in chosen]}
    return {"entities": [{"id": x["id"], "uri": f"{uri}/{x['id']}"} for x in chosen]}


def _created_filter(p: Params, created: datetime, acct: Account) -> bool:
    after, before = p.moment("createdAfter"), p.moment("createdBefore")
    local = created.astimezone(acct.zone).replace(tzinfo=None)
    return (after is None or local >= after) and (before is None or local <= before)


def filter_datapoints(acct: Account, p: Params, pool: list[int] | None = None) -> list[int]:
    """Indices of datapoints passing the documented list filters, sorted as asked."""
    kind = p.enum("type", ("tl", "tp"))
    status = p.enum("status", tuple(STATUS_NAMES))
    tags = set(p.ids("tags") or p.ids("tag"))
    text = (p.get("textSearch") or "").lower()
    favourites = p.flag("onlyFavorites") or p.flag("favourite")
    # Checked once, not per datapoint: with 10,000 links the per-item parsing dominated.
    dated = p.get("createdAfter") is not None or p.get("createdBefore") is not None
    out = []
    for i in pool if pool is not None else range(len(acct.catalog.datapoints)):
        dp = acct.catalog.datapoints[i]
        if kind is not None and dp.type != (TRACKING_PIXEL if kind == "tp" else TRACKING_LINK):
            continue
        if status is not None and dp.status != STATUS_NAMES[status]:
            continue
        if tags and not tags & ({t.name.lower() for t in dp.tags} | {str(t.id) for t in dp.tags}):
            continue
        if text and text not in dp.name.lower() and text not in dp.title.lower():
            continue
        if favourites and not dp.favourite:
            continue
        if not dated or _created_filter(p, dp.created, acct):
            out.append(i)
    return out


def _sorted_datapoints(acct: Account, p: Params, idx: list[int]) -> list[int]:
    sort_by = (p.get("sortBy") or "").lower()
    desc = p.enum("sortDirection", ("asc", "desc")) == "desc"
    keys: dict[str, Callable[[int], object]] = {
        "name": lambda i: acct.catalog.datapoints[i].name,
        "title": lambda i: acct.catalog.datapoints[i].title,
        "creationdate": lambda i: acct.catalog.datapoints[i].created,
        "id": lambda i: acct.catalog.datapoints[i].id,
    }
    if sort_by and sort_by not in keys:
        raise invalid("sortBy", f"Cannot sort by '{p.get('sortBy')}'.", "0003")
    key = keys.get(sort_by, keys["id"])
    return sorted(idx, key=key, reverse=desc)  # type: ignore[arg-type]


def list_datapoints(acct: Account, p: Params, pool: list[int] | None = None) -> JSON:
    idx = _sorted_datapoints(acct, p, filter_datapoints(acct, p, pool))
    items = [{"id": acct.catalog.datapoints[i].id} for i in idx]
    return _page(p, items, lambda dp_id: get_datapoint(acct, dp_id), "/datapoints")


def count_datapoints(acct: Account, p: Params, pool: list[int] | None = None) -> JSON:
    return compact({"count": len(filter_datapoints(acct, p, pool))})


def find_datapoint(acct: Account, dp_id: int) -> int:
    index = acct.catalog.datapoint_index(dp_id)
    if index is None:
        raise not_found(f"Datapoint {dp_id}")
    return index


def find_group(acct: Account, group_id: int) -> int:
    index = acct.catalog.group_index(group_id)
    if index is None:
        raise not_found(f"Group {group_id}")
    return index


def find_conversion(acct: Account, conversion_id: int) -> int:
    index = acct.catalog.conversion_index(conversion_id)
    if index is None:
        raise not_found(f"Conversion {conversion_id}")
    return index


def get_datapoint(acct: Account, dp_id: int) -> JSON:
    return datapoint_json(acct, acct.catalog.datapoints[find_datapoint(acct, dp_id)])


def filter_groups(acct: Account, p: Params) -> list[int]:
    status = p.enum("status", ("active", "deleted"))
    tags = set(p.ids("tags") or p.ids("tag"))
    text = (p.get("textSearch") or "").lower()
    out = []
    for i, g in enumerate(acct.catalog.groups):
        if status is not None and g.deleted != (status == "deleted"):
            continue
        if tags and not tags & ({t.name.lower() for t in g.tags} | {str(t.id) for t in g.tags}):
            continue
        if text and text not in g.name.lower():
            continue
        if _created_filter(p, g.created, acct):
            out.append(i)
    return out


def list_groups(acct: Account, p: Params) -> JSON:
    items = [{"id": acct.catalog.groups[i].id} for i in filter_groups(acct, p)]
    expand: Callable[[int], JSON] = lambda gid: group_json(  # noqa: E731
        acct, acct.catalog.groups[find_group(acct, gid)]
    )
    return _page(p, items, expand, "/groups")


def count_of(listing: JSON) -> JSON:
    return compact({"count": len(listing["entities"])})


def get_tag(acct: Account, tag_id: int) -> JSON:
    for tag in acct.catalog.tags:
        if tag.id == tag_id:
            return tag_json(tag, full=True)
    raise not_found(f"Tag {tag_id}")


def get_conversion(acct: Account, conversion_id: int) -> JSON:
    conv = acct.catalog.conversions[find_conversion(acct, conversion_id)]
    return conversion_json(acct, conv)


def list_tags(acct: Account, p: Params, paged: bool = True) -> JSON:
    name = (p.get("name") or "").lower()
    dps = set(p.ids("datapoints"))
    groups = set(p.ids("groups"))
    kind = p.enum("type", ("tp", "tl", "dp", "gr"))
    by_id = {dp.id: dp for dp in acct.catalog.datapoints}
    items: list[JSON] = []
    for tag in acct.catalog.tags:
        if name and name not in tag.name.lower():
            continue
        if dps and not dps & {str(d) for d in tag.datapoints}:
            continue
        if groups and not groups & {str(g) for g in tag.groups}:
            continue
        if kind == "gr" and not tag.groups:
            continue
        if kind in ("tp", "tl", "dp"):
            wanted = {"tp": {TRACKING_PIXEL}, "tl": {TRACKING_LINK}}.get(
                kind or "", {TRACKING_LINK, TRACKING_PIXEL}
            )
            if not any(by_id[d].type in wanted for d in tag.datapoints):
                continue
        items.append({"id": tag.id})
    tags = {t.id: t for t in acct.catalog.tags}
    return _page(p, items, lambda tid: tag_json(tags[tid], full=True), "/tags", paged)


def list_conversions(acct: Account, p: Params, paged: bool = True) -> JSON:
    status = p.enum("status", ("active", "deleted"))
    text = (p.get("textSearch") or "").lower()
    items: list[JSON] = [
        {"id": c.id}
        for c in acct.catalog.conversions
        if status != "deleted"
        and (not text or text in c.name.lower())
        and _created_filter(p, c.created, acct)
    ]
    convs = {c.id: c for c in acct.catalog.conversions}
    return _page(p, items, lambda cid: conversion_json(acct, convs[cid]), "/conversions", paged)


def me(acct: Account) -> JSON:
    names = sorted(win_tz)
    # ClickMeter's numeric zone ids are not published; the sandbox numbers the CLDR names.
    number = names.index(acct.timezone_name) + 1 if acct.timezone_name in win_tz else 1
    return compact(
        {
            "email": "marketing@example.com",
            "firstName": "Dana",
            "lastName": "Rossi",
            "companyName": acct.company,
            "companyRole": "Marketing manager",
            "registrationDate": format_ymdhis(acct.catalog.registered, acct.zone),
            "timeframeMinDate": format_ymdhis(acct.catalog.registered, acct.zone),
            "timezone": number,
            "timezonename": acct.timezone_name if acct.timezone_name in win_tz else "UTC",
        }
    )


def plan(acct: Account, used_events: int, period_start: datetime) -> JSON:
    end = period_start + timedelta(days=30)
    dps = [d for d in acct.catalog.datapoints if d.status != DELETED]
    return compact(
        {
            "name": "Business",
            "profileId": 4,
            "price": 99.0,
            "recurring": True,
            "recurringPeriod": 1,
            "maximumDatapoints": acct.max_datapoints,
            "usedDatapoints": len(dps),
            "monthlyEvents": 1_000_000,
            "usedMonthlyEvents": used_events,
            "maximumGuests": 5,
            "billingPeriodStart": format_ymdhis(period_start, acct.zone),
            "billingPeriodEnd": format_ymdhis(end, acct.zone),
        }
    )
