"""The writes the sandbox takes: new tracking links (`POST /datapoints`), a datapoint updated
(`POST /datapoints/{id}`: its status, title and favourite flag), and the tracking domains.

As the real service: refusals of the values are the recorded 403 `errors[]` body (a name
already used on the domain is code 0013, "Specified name is alread used."); a plan whose
datapoints are all used answers a bare 403 with the documented error body; the answer to a
write is `{"id", "uri"}`. A new link lives like the seeded ones: it is listed, counted, in its
group and tags, and gets traffic from the next hour on (without taking any from the others).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from devtools.sandbox.account import Account
from devtools.sandbox.catalog import (
    ACTIVE,
    DELETED,
    PAUSED,
    TRACKING_LINK,
    Datapoint,
    Group,
    Tag,
)
from devtools.sandbox.params import ApiError, Params
from devtools.sandbox.render import JSON, error_body, validation_body

#: The one tracking domain of the sandbox's account (ClickMeter's system domain `s87.eu`).
DOMAIN_ID, DOMAIN_NAME = 1, "s87.eu"
MAX_URL, MAX_NAME, MAX_TITLE = 2000, 100, 200
DEFAULT_GROUP = "Default"
_NAME = re.compile(r"[A-Za-z0-9._~-]+")
_STATUS = {"active": ACTIVE, "paused": PAUSED, "abuse": 2, "deleted": DELETED}
_REDIRECTS = {"permanentredirect": 301, "temporaryredirect": 307}
_TYPES = {"trackinglink": 0, "trackingpixel": 1}

Problems = list[tuple[str, str, str]]


def _refuse(problems: Problems) -> ApiError:
    return ApiError(403, validation_body(problems))


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise _refuse([("Body", "The request body must be a JSON object.", "0001")])
    return body


def _enum(value: Any, names: dict[str, int]) -> int | None:
    """An integer enum sent as its number or its spec name (any case); None if neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in names.values() else None
    if isinstance(value, str):
        return names.get(value.strip().lower())
    return None


def url_problem(url: Any) -> str | None:
    """Why ClickMeter would refuse `url` as a destination, or None."""
    if not isinstance(url, str) or not url.strip():
        return "The destination URL is required."
    if len(url) > MAX_URL:
        return f"The destination URL is longer than {MAX_URL} characters."
    if any(c.isspace() for c in url):
        return "The destination URL cannot contain spaces."
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return "The destination URL is not valid."
    if parts.scheme.lower() not in ("http", "https") or not host:
        return "The destination URL must be an http:// or https:// address."
    return None


def _name_used(acct: Account, name: str, but: int | None = None) -> bool:
    wanted = name.lower()
    return any(
        dp.name.lower() == wanted and dp.status != DELETED and dp.id != but
        for dp in acct.catalog.datapoints
    )


def _group_index(acct: Account, raw: Any, problems: Problems) -> int | None:
    """The group a new link goes in (None: the default one, made when first needed)."""
    if raw is None or raw == 0:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        problems.append(("GroupId", "The group id must be an integer.", "0004"))
        return None
    index = acct.catalog.group_index(raw)
    if index is None or acct.catalog.groups[index].deleted:
        problems.append(("GroupId", f"Group {raw} does not exist.", "0016"))
        return None
    return index


def _tags(acct: Account, raw: Any, problems: Problems) -> list[Tag]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(("Tags", "Tags must be a list.", "0001"))
        return []
    by_id = {t.id: t for t in acct.catalog.tags}
    by_name = {t.name.lower(): t for t in acct.catalog.tags}
    chosen: list[Tag] = []
    for item in raw:
        item = {"name": item} if isinstance(item, str) else item
        tag_id, name = (item.get("id"), item.get("name")) if isinstance(item, dict) else (0, None)
        if isinstance(tag_id, int) and not isinstance(tag_id, bool) and tag_id in by_id:
            tag = by_id[tag_id]
        elif isinstance(name, str) and name.strip() and len(name) <= 100:
            tag = by_name.get(name.strip().lower()) or Tag(0, name.strip())
        else:
            problems.append(("Tags", "Each tag needs a known id or a name.", "0001"))
            continue
        if tag not in chosen:
            chosen.append(tag)
    return chosen


def _default_group(acct: Account) -> int:
    cat = acct.catalog
    for i, group in enumerate(cat.groups):
        if group.name == DEFAULT_GROUP and not group.deleted:
            return i
    cat.groups.append(Group(max(g.id for g in cat.groups) + 7, DEFAULT_GROUP, _now(acct), []))
    return len(cat.groups) - 1


def _now(acct: Account) -> Any:
    return acct.now().astimezone(acct.zone).replace(microsecond=0)


def create_datapoint(acct: Account, body: Any) -> JSON:
    """`POST /datapoints`: a new tracking link, or the refusal the service would give."""
    data = _object(body)
    problems: Problems = []
    kind = _enum(data.get("type", 0), _TYPES)
    if kind != TRACKING_LINK:
        problems.append(("Type", "The sandbox creates tracking links (type 0) only.", "0003"))
    name = data.get("name")
    if not isinstance(name, str) or not name:
        problems.append(("Name", "The name is required.", "0002"))
    elif len(name) > MAX_NAME or not _NAME.fullmatch(name):
        problems.append(
            ("Name", "The name may have up to 100 letters, digits, '-', '_', '.', '~'.", "0012")
        )
    elif _name_used(acct, name):
        problems.append(("Name", "Specified name is alread used.", "0013"))
    title = data.get("title")
    if title is not None and (not isinstance(title, str) or len(title) > MAX_TITLE):
        problems.append(("Title", f"The title must be text of up to {MAX_TITLE}.", "0001"))
    settings = data.get("typeTL")
    if not isinstance(settings, dict):
        problems.append(("TypeTL", "A tracking link needs typeTL with its url.", "0002"))
        settings = {}
    if (problem := url_problem(settings.get("url"))) is not None:
        problems.append(("Url", problem, "0014"))
    if settings.get("domainId", DOMAIN_ID) != DOMAIN_ID:
        problems.append(("DomainId", "The domain does not exist.", "0015"))
    redirect = _enum(settings.get("redirectType", 301), _REDIRECTS)
    if redirect is None:
        problems.append(("RedirectType", "The redirect type must be 301 or 307.", "0003"))
    group = _group_index(acct, data.get("groupId"), problems)
    tags = _tags(acct, data.get("tags"), problems)
    if problems:
        raise _refuse(problems)
    cat = acct.catalog
    if len([d for d in cat.datapoints if d.status != DELETED]) >= acct.max_datapoints:
        raise ApiError(
            403,
            error_body(403, "You have reached the maximum number of datapoints of your plan."),
        )
    assert isinstance(name, str)
    return _add(acct, data, name, title, settings["url"], redirect or 301, group, tags)


def _add(
    acct: Account,
    data: dict[str, Any],
    name: str,
    title: Any,
    url: str,
    redirect: int,
    group: int | None,
    tags: list[Tag],
) -> JSON:
    cat = acct.catalog
    group_index = _default_group(acct) if group is None else group
    next_tag = max((t.id for t in cat.tags), default=20500) + 7
    for tag in tags:
        if tag.id == 0:
            tag.id, next_tag = next_tag, next_tag + 7
            cat.tags.append(tag)
    cat.destinations.append(url)
    weights = sum(dp.weight for dp in cat.datapoints)
    weight = sorted(dp.weight for dp in cat.datapoints)[len(cat.datapoints) // 2]
    # The account's traffic grows by the new link's share, so the others keep theirs.
    cat.daily_clicks *= (weights + weight) / weights
    dp = Datapoint(
        id=max(d.id for d in cat.datapoints) + 3,
        name=name,
        title=title or name,
        type=TRACKING_LINK,
        status=ACTIVE,
        created=_now(acct),
        group=group_index,
        tags=tags,
        destinations=[len(cat.destinations) - 1],
        conversions=[],
        redirect=redirect,
        favourite=data.get("preferred") is True,
        stopped=None,
        weight=weight,
    )
    cat.datapoints.append(dp)
    cat.groups[group_index].datapoints.append(len(cat.datapoints) - 1)
    for tag in tags:
        tag.datapoints.append(dp.id)
    return {"id": dp.id, "uri": f"/datapoints/{dp.id}"}


def update_datapoint(acct: Account, index: int, body: Any) -> JSON:
    """`POST /datapoints/{id}`: the datapoint posted back whole. The sandbox applies its
    `status` (active or paused), `title` and `preferred`; the rest is taken as it is."""
    data = _object(body)
    dp = acct.catalog.datapoints[index]
    problems: Problems = []
    if dp.status == DELETED:
        problems.append(("Status", "A deleted datapoint cannot be changed.", "0017"))
    status = dp.status if "status" not in data else _enum(data["status"], _STATUS)
    if status not in (ACTIVE, PAUSED, dp.status):
        problems.append(("Status", "The status can be set to Active or Paused.", "0003"))
    title = data.get("title", dp.title)
    if not isinstance(title, str) or not title or len(title) > MAX_TITLE:
        problems.append(("Title", f"The title must be text of up to {MAX_TITLE}.", "0001"))
    if problems:
        raise _refuse(problems)
    assert isinstance(status, int)
    assert isinstance(title, str)
    dp.title = title
    if "preferred" in data:
        dp.favourite = data["preferred"] is True
    if status != dp.status:
        _set_status(acct, index, status)
    return {"id": dp.id, "uri": f"/datapoints/{dp.id}"}


def _set_status(acct: Account, index: int, status: int) -> None:
    dp = acct.catalog.datapoints[index]
    dp.status = status
    if status == PAUSED:
        # A paused link counts nothing more: also none of the hits of this hour not yet seen.
        dp.stopped = acct.now()
        acct.store.discard(index, acct.now_us(), 2**62)
    else:
        dp.stopped = None


def _domain_matches(p: Params) -> bool:
    kind = p.enum("type", ("system", "go", "personal", "dedicated")) or "system"
    return kind == "system" and (p.get("name") or "").lower() in DOMAIN_NAME


def list_domains(p: Params) -> JSON:
    """`GET /domains`: the system domain (the default type); no go, personal or dedicated."""
    shown = _domain_matches(p) and p.offset() == 0 and p.limit(20, 100) > 0
    return {"entities": [{"id": DOMAIN_ID, "uri": f"/domains/{DOMAIN_ID}"}] if shown else []}


def count_domains(p: Params) -> JSON:
    return {"count": 1} if _domain_matches(p) else {}


def get_domain(domain_id: int) -> JSON:
    if domain_id != DOMAIN_ID:
        raise ApiError(404, error_body(404, f"Domain {domain_id} not found"))
    return {"id": DOMAIN_ID, "name": DOMAIN_NAME}  # type System, the default: omitted
