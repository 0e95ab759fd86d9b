"""Hit generation: the account's rhythm (day, week, link popularity) as Poisson traffic.

Traffic is generated one UTC hour at a time from a generator seeded by (seed, hour), so the
hits of an hour do not depend on when a request happened to look at it; history is one
vectorised batch. Spikes add their own Poisson stream on top.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from devtools.sandbox import vocab
from devtools.sandbox.catalog import TRACKING_PIXEL, Catalog
from devtools.sandbox.hitstore import Hits, IntArray
from devtools.sandbox.periods import EPOCH, to_us

HOUR_US = 3_600_000_000
# Relative traffic per local hour: quiet nights, a morning peak and an evening one.
_HOURLY = np.array(
    [
        0.25,
        0.15,
        0.1,
        0.08,
        0.08,
        0.15,
        0.35,
        0.7,
        1.1,
        1.45,
        1.6,
        1.55,
        1.4,
        1.4,
        1.45,
        1.4,
        1.3,
        1.25,
        1.3,
        1.45,
        1.5,
        1.3,
        0.9,
        0.5,
    ]
)
HOURLY = _HOURLY / _HOURLY.mean()
#: Monday..Sunday.
WEEKDAY = np.array([1.08, 1.12, 1.1, 1.06, 0.98, 0.6, 0.56])
DIRECT_SHARE = 0.3
KEYWORD_SHARE = 0.6  # search visits whose keyword is known
PARAM_SHARE = 0.35
UNIQUE_SHARE = 0.72
CONVERSION_RATE = 0.04


def expected_per_hour(catalog: Catalog, hour_starts: IntArray) -> npt.NDArray[np.float64]:
    """Expected hits, shape (hours, datapoints), for UTC hours beginning at `hour_starts`."""
    dps = catalog.datapoints
    share = np.array([dp.weight for dp in dps])
    share = share / share.sum()
    rhythm = np.empty(len(hour_starts))
    for i, start in enumerate(hour_starts.tolist()):
        local = (EPOCH + timedelta(microseconds=start + HOUR_US // 2)).astimezone(catalog.zone)
        rhythm[i] = HOURLY[local.hour] * WEEKDAY[local.weekday()]
    created = np.array([to_us(dp.created) for dp in dps])
    stopped = np.array([to_us(dp.stopped) if dp.stopped else np.iinfo(np.int64).max for dp in dps])
    alive = (created[None, :] <= hour_starts[:, None]) & (hour_starts[:, None] < stopped[None, :])
    per_hour = catalog.daily_clicks / 24.0
    expected: npt.NDArray[np.float64] = per_hour * rhythm[:, None] * share[None, :] * alive
    return expected


def generate_hours(
    catalog: Catalog, first_hour: int, n_hours: int, rng: np.random.Generator
) -> Hits:
    """All hits of `n_hours` UTC hours starting at hour number `first_hour` (epoch hours)."""
    starts = (np.arange(first_hour, first_hour + n_hours, dtype=np.int64)) * HOUR_US
    counts = rng.poisson(expected_per_hour(catalog, starts)).ravel()
    n_dp = len(catalog.datapoints)
    dp = np.repeat(np.tile(np.arange(n_dp, dtype=np.int64), n_hours), counts)
    hour = np.repeat(np.repeat(np.arange(n_hours, dtype=np.int64), n_dp), counts)
    ts = starts[hour] + rng.integers(0, HOUR_US, len(dp))
    return describe(catalog, dp, ts, rng)


def generate_spike(
    catalog: Catalog,
    dp_index: int,
    start: datetime,
    per_minute: float,
    minutes: float,
    rng: np.random.Generator,
) -> Hits:
    """Extra Poisson traffic on one datapoint: `per_minute` hits a minute for `minutes`."""
    span = int(minutes * 60_000_000)
    n = int(rng.poisson(per_minute * minutes))
    dp = np.full(n, dp_index, np.int64)
    ts = to_us(start) + rng.integers(0, max(span, 1), n)
    return describe(catalog, dp, ts, rng)


def describe(catalog: Catalog, dp: IntArray, ts: IntArray, rng: np.random.Generator) -> Hits:
    """Who made each hit and how: visitor, referrer, destination, params, conversion."""
    n = len(dp)
    vis = catalog.visitors
    visitor = rng.choice(len(vis.weight), n, p=vis.weight).astype(np.int64)
    spider = vis.spider[visitor]
    pixel = np.array([d.type == TRACKING_PIXEL for d in catalog.datapoints], np.bool_)
    view = pixel[dp]

    rw = np.array([r.weight for r in vocab.REFERRERS])
    referrer = rng.choice(len(rw), n, p=rw / rw.sum()).astype(np.int64)
    referrer[(rng.random(n) < DIRECT_SHARE) | spider] = -1
    search = np.array([r.search for r in vocab.REFERRERS])
    has_kw = (referrer >= 0) & search[np.maximum(referrer, 0)] & (rng.random(n) < KEYWORD_SHARE)
    keyword = np.where(has_kw, rng.integers(0, len(vocab.KEYWORDS), n), -1).astype(np.int64)

    dest = _pick_from_lists([d.destinations for d in catalog.datapoints], dp, rng)
    param = np.where(rng.random(n) < PARAM_SHARE, rng.integers(0, len(vocab.PARAMS), n), -1)
    conv = _pick_from_lists([d.conversions for d in catalog.datapoints], dp, rng)
    conv[(rng.random(n) >= CONVERSION_RATE) | spider | view] = -1
    base_value = np.array([c.value for c in catalog.conversions] + [0.0])
    # Purchases vary around the conversion's value; fixed-value goals keep theirs.
    value = np.where(conv >= 0, base_value[conv] * rng.uniform(0.5, 2.0, n), 0.0).round(2)
    unique = rng.random(n) < np.where(spider, 0.2, UNIQUE_SHARE)
    empty = np.zeros(n, np.int64)
    return Hits(
        ts=ts.astype(np.int64),
        seq=empty,
        dp=dp,
        visitor=visitor,
        view=view,
        unique=unique,
        spider=spider,
        referrer=referrer,
        keyword=keyword,
        dest=dest,
        param=param.astype(np.int64),
        conv=conv,
        value=value,
    )


def _pick_from_lists(lists: list[list[int]], dp: IntArray, rng: np.random.Generator) -> IntArray:
    """For each row, a uniform pick from its datapoint's list (-1 for an empty list)."""
    counts = np.array([len(x) for x in lists], np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    flat = np.array([v for x in lists for v in x] + [-1], np.int64)
    c = counts[dp]
    offset = (rng.random(len(dp)) * np.maximum(c, 1)).astype(np.int64)
    return np.where(c > 0, flat[np.minimum(starts[dp] + offset, len(flat) - 1)], -1)
