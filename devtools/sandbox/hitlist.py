"""Single hits: `/hits` (paged with `lastKey`) and `/clickstream` (the latest few).

Both list newest first. A `lastKey` is "<epoch microseconds>-<seq>" of the last hit
returned; the next page holds the hits strictly older than it in that order, so hits that
arrive while a client pages do not shift the pages it has yet to read.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from clickmeter._dates import format_ymdhis
from clickmeter._timeframes import NOT_FOR_HITS
from devtools.sandbox import entities, vocab
from devtools.sandbox.account import Account
from devtools.sandbox.catalog import TRACKING_PIXEL
from devtools.sandbox.hitstore import BoolArray, IntArray
from devtools.sandbox.params import Params, invalid
from devtools.sandbox.periods import from_us, to_us
from devtools.sandbox.render import JSON, compact
from devtools.sandbox.stats import period_rows

HITS_LIMIT, HITS_MAX = 50, 100
CLICKSTREAM_SIZE, CLICKSTREAM_MAX = 50, 100
FILTERS = ("spiders", "uniques", "nonuniques", "conversions")


def _filtered(acct: Account, rows: IntArray, how: str | None) -> IntArray:
    h = acct.store.hits
    if how == "spiders":
        return rows[h.spider[rows]]
    if how == "uniques":
        return rows[h.unique[rows] & ~h.spider[rows]]
    if how == "nonuniques":
        return rows[~h.unique[rows] & ~h.spider[rows]]
    if how == "conversions":
        return rows[h.conv[rows] >= 0]
    return rows


def hits(acct: Account, p: Params, dp_mask: BoolArray | None) -> JSON:
    how = p.enum("filter", FILTERS)
    limit = p.limit(HITS_LIMIT, HITS_MAX)
    _, rows = period_rows(acct, p, dp_mask, tuple(NOT_FOR_HITS))
    h = acct.store.hits
    oldest = to_us(acct.now() - timedelta(days=90))
    rows = _filtered(acct, rows[h.ts[rows] >= oldest], how)[::-1]
    key = p.get("offset")
    if key is not None:
        try:
            ts_text, seq_text = key.split("-")
            ts, seq = int(ts_text), int(seq_text)
        except ValueError:
            raise invalid("offset", "The offset must be a lastKey from a previous page.") from None
        older = (h.ts[rows] < ts) | ((h.ts[rows] == ts) & (h.seq[rows] < seq))
        rows = rows[older]
    page = rows[:limit]
    body: JSON = {"hits": [hit_json(acct, int(r)) for r in page]}
    if len(rows) > limit:
        last = int(page[-1])
        body["lastKey"] = f"{int(h.ts[last])}-{int(h.seq[last])}"
    return body


def clickstream(acct: Account, p: Params) -> JSON:
    chosen = [name for name in ("group", "datapoint", "conversion") if p.get(name) is not None]
    if len(chosen) > 1:
        raise invalid(chosen[1], "group, datapoint and conversion are mutually exclusive.")
    size = p.limit(CLICKSTREAM_SIZE, CLICKSTREAM_MAX, "pageSize")
    how = p.enum("filter", ("", *FILTERS))
    h = acct.store.hits
    rows = acct.store.select(0, acct.now_us() + 1)
    group, datapoint, conversion = (
        p.integer("group"),
        p.integer("datapoint"),
        p.integer("conversion"),
    )
    if group is not None:
        members = acct.catalog.groups[entities.find_group(acct, group)].datapoints
        rows = rows[np.isin(h.dp[rows], members)]
    elif datapoint is not None:
        rows = rows[h.dp[rows] == entities.find_datapoint(acct, datapoint)]
    elif conversion is not None:
        rows = rows[h.conv[rows] == entities.find_conversion(acct, conversion)]
    rows = _filtered(acct, rows, how or None)[::-1][:size]
    return {"rows": [hit_json(acct, int(r)) for r in rows]}


def hit_json(acct: Account, row: int) -> JSON:
    cat, h = acct.catalog, acct.store.hits
    dp = cat.datapoints[int(h.dp[row])]
    group = cat.groups[dp.group]
    visitor = int(h.visitor[row])
    country = vocab.COUNTRIES[int(cat.visitors.country[visitor])]
    _, city = cat.cities[int(cat.visitors.city[visitor])]
    browser_index = int(cat.visitors.browser[visitor])
    browser = cat.browsers[browser_index]
    families = sorted({b.family for b in cat.browsers})
    os_names = sorted({b.os for b in cat.browsers})
    os_families = sorted({b.os_family for b in cat.browsers})
    isp = cat.isps[int(cat.visitors.isp[visitor])]
    at = from_us(int(h.ts[row]), acct.zone)
    referrer, keyword = int(h.referrer[row]), int(h.keyword[row])
    referer = ""
    if referrer >= 0:
        host = vocab.REFERRERS[referrer].host
        query = f"search?q={vocab.KEYWORDS[keyword].replace(' ', '+')}" if keyword >= 0 else ""
        referer = f"https://{host}/{query}"
    body: JSON = {
        "id": f"{dp.id:09d}@{format_ymdhis(at)}{at.microsecond:06d}{int(h.seq[row]) % 1000:03d}",
        "accessTime": format_ymdhis(at),
        "type": "view" if h.view[row] else "click",
        "ip": cat.visitors.ip[visitor],
        "isUnique": "1" if h.unique[row] else "0",
        "isSpider": "1" if h.spider[row] else "0",
        "isProxy": "0",
        "clientLanguage": country.language,
        "org": isp,
        "referer": referer,
        "queryParams": vocab.PARAMS[int(h.param[row])] if h.param[row] >= 0 else "",
        "realDestinationUrl": cat.destinations[int(h.dest[row])] if h.dest[row] >= 0 else "",
        "browser": {
            "id": browser_index + 1,
            "name": browser.name,
            "browserType": browser.platform,
            "familyId": families.index(browser.family) + 1,
            "familyName": browser.family,
        },
        "os": {
            "id": os_names.index(browser.os) + 1,
            "name": browser.os,
            "familyId": os_families.index(browser.os_family) + 1,
            "familyName": browser.os_family,
        },
        "location": {
            "country": country.code,
            "city": city.name,
            "region": city.region,
            "latitude": city.lat,
            "longitude": city.lon,
            "organization": isp,
        },
        "entity": {
            "datapointId": dp.id,
            "datapointName": dp.name,
            "datapointTitle": dp.title,
            "datapointType": "TrackingPixel" if dp.type == TRACKING_PIXEL else "TrackingLink",
            "groupId": group.id,
            "groupName": group.name,
            "creationDate": format_ymdhis(dp.created, acct.zone),
            "trackingCode": dp.tracking_code,
            "destinationUrl": cat.destinations[dp.destinations[0]] if dp.destinations else "",
            "tags": [entities.tag_json(t) for t in dp.tags],
        },
        "source": {"id": dp.id, "name": dp.name},
    }
    conv = int(h.conv[row])
    if conv >= 0:
        c = cat.conversions[conv]
        body["conversion1"] = {
            "id": c.id,
            "name": c.name,
            "value": float(h.value[row]),
            "date": format_ymdhis(at),
            "accessTime": format_ymdhis(at),
        }
    return compact(body)
