"""TOP reports (`/reports` and its datapoint / group forms): hits counted per dimension value.

Hits with no value for the dimension (direct visits for `referrers`, no keyword, no query
string, pixels for `destinations`) are left out of that report, as an empty value has no row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from clickmeter._dates import format_ymdhis
from clickmeter._timeframes import NOT_FOR_REPORTS
from devtools.sandbox import entities, vocab
from devtools.sandbox.account import Account
from devtools.sandbox.catalog import Catalog
from devtools.sandbox.hitstore import BoolArray, Hits, IntArray
from devtools.sandbox.params import Params
from devtools.sandbox.periods import from_us
from devtools.sandbox.render import JSON, compact
from devtools.sandbox.stats import period_rows

Dimension = Callable[[Catalog, Hits, IntArray], tuple[list[str], IntArray]]


def _labelled(values: list[str], per_item: IntArray) -> tuple[list[str], IntArray]:
    """Distinct labels of `values`, and for each row the label index of its item."""
    labels = sorted(set(values))
    index = np.array([labels.index(v) for v in values] + [-1], np.int64)
    return labels, index[per_item]


def _visitor_attr(attr: Callable[[Catalog], list[str]], key: str) -> Dimension:
    def dimension(cat: Catalog, hits: Hits, rows: IntArray) -> tuple[list[str], IntArray]:
        items: IntArray = getattr(cat.visitors, key)[hits.visitor[rows]]
        return _labelled(attr(cat), items)

    return dimension


def _hit_attr(attr: Callable[[Catalog], list[str]], column: str) -> Dimension:
    def dimension(cat: Catalog, hits: Hits, rows: IntArray) -> tuple[list[str], IntArray]:
        return _labelled(attr(cat), getattr(hits, column)[rows])

    return dimension


def _ips(cat: Catalog, hits: Hits, rows: IntArray) -> tuple[list[str], IntArray]:
    return cat.visitors.ip, hits.visitor[rows]


DIMENSIONS: dict[str, Dimension] = {
    "countries": _visitor_attr(lambda c: [x.code for x in vocab.COUNTRIES], "country"),
    "languages": _visitor_attr(lambda c: [x.language for x in vocab.COUNTRIES], "country"),
    "cities": _visitor_attr(lambda c: [city.name for _, city in c.cities], "city"),
    "isps": _visitor_attr(lambda c: c.isps, "isp"),
    "ips": _ips,
    "browsers": _visitor_attr(lambda c: [b.name for b in c.browsers], "browser"),
    "browsersfamilies": _visitor_attr(lambda c: [b.family for b in c.browsers], "browser"),
    "platforms": _visitor_attr(lambda c: [b.platform for b in c.browsers], "browser"),
    "oss": _visitor_attr(lambda c: [b.os for b in c.browsers], "browser"),
    "ossfamilies": _visitor_attr(lambda c: [b.os_family for b in c.browsers], "browser"),
    "keywords": _hit_attr(lambda c: list(vocab.KEYWORDS), "keyword"),
    "referrers": _hit_attr(lambda c: [r.host for r in vocab.REFERRERS], "referrer"),
    "destinations": _hit_attr(lambda c: c.destinations, "dest"),
    "params": _hit_attr(lambda c: list(vocab.PARAMS), "param"),
}


def report(acct: Account, p: Params, dp_mask: BoolArray | None) -> JSON:
    """A `Top`: `data` items sorted by total, `id` the dimension value."""
    kind = p.enum("type", tuple(DIMENSIONS), required=True)
    views = p.enum("hittype", ("clicks", "views")) == "views"
    assert kind is not None
    if dp_mask is None:
        dp_mask = _filter_mask(acct, p)
    _, rows = period_rows(acct, p, dp_mask, tuple(NOT_FOR_REPORTS))
    hits = acct.store.hits
    conversion = p.integer("conversion")
    if conversion is not None:
        rows = rows[hits.conv[rows] == entities.find_conversion(acct, conversion)]
    rows = rows[hits.view[rows] == views]
    labels, keys = DIMENSIONS[kind](acct.catalog, hits, rows)
    known = keys >= 0
    rows, keys = rows[known], keys[known]
    per = acct.store.totals_by(rows, keys, len(labels))
    last = acct.store.last_ts_by(rows, keys, len(labels))
    total, unique = ("totalViews", "uniqueViews") if views else ("totalClicks", "uniqueClicks")
    data = []
    for i in np.flatnonzero(last >= 0).tolist():
        data.append(
            compact(
                {
                    "id": labels[i],
                    total: int(per[total][i]),
                    unique: int(per[unique][i]),
                    "spiderViews" if views else "spiderClicks": int(per["spiderHitsCount"][i]),
                    "totalConversions": int(per["convertedClicks"][i]),
                    "totalConversionsValue": round(float(per["conversionsValue"][i]), 2),
                    "lastHitDate": format_ymdhis(from_us(int(last[i]), acct.zone)),
                }
            )
        )
    data.sort(key=lambda x: (-x.get(total, 0), -x.get(unique, 0), x["id"]))
    created = format_ymdhis(acct.now(), acct.zone)
    return {"createdAt": created, "key": kind, "data": data}


def _filter_mask(acct: Account, p: Params) -> BoolArray | None:
    """`/reports` narrows to one group or datapoint with `group=` / `datapoint=`."""
    group, datapoint = p.integer("group"), p.integer("datapoint")
    if group is not None:
        indices = acct.catalog.groups[entities.find_group(acct, group)].datapoints
    elif datapoint is not None:
        indices = [entities.find_datapoint(acct, datapoint)]
    else:
        return None
    mask = np.zeros(len(acct.catalog.datapoints), np.bool_)
    mask[indices] = True
    return mask
