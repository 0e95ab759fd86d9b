"""The seeded synthetic account: datapoints, groups, tags, conversions and visitors.

Everything here is static once built; traffic.py turns it into hits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from devtools.sandbox import vocab

TRACKING_LINK = 0
TRACKING_PIXEL = 1
ACTIVE, PAUSED, ABUSE, DELETED = 0, 1, 2, 3
STATUS_NAMES = {"active": ACTIVE, "paused": PAUSED, "spam": ABUSE, "deleted": DELETED}

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(slots=True)
class Tag:
    id: int
    name: str
    datapoints: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Group:
    id: int
    name: str
    created: datetime
    tags: list[Tag]
    deleted: bool = False
    datapoints: list[int] = field(default_factory=list)  # indices into Catalog.datapoints


@dataclass(slots=True)
class Conversion:
    id: int
    name: str
    value: float
    created: datetime
    code: str


@dataclass(slots=True)
class Datapoint:
    id: int
    name: str
    title: str
    type: int
    status: int
    created: datetime
    group: int  # index into Catalog.groups
    tags: list[Tag]
    destinations: list[int]  # indices into Catalog.destinations
    conversions: list[int]  # indices into Catalog.conversions
    redirect: int
    favourite: bool
    #: Instant after which it gets no traffic (pause or deletion), None while live.
    stopped: datetime | None
    weight: float  # share of the account's traffic

    @property
    def tracking_code(self) -> str:
        if self.type == TRACKING_PIXEL:
            return f'<img src="https://pxl.clickmeter.example/{self.id}" height="1" width="1" />'
        return f"https://s87.eu/{self.name}"


@dataclass(slots=True)
class Visitors:
    """A pool of visitors; each hit is made by one, which fixes all its client dimensions."""

    country: IntArray
    city: IntArray  # index into Catalog.cities
    isp: IntArray  # index into Catalog.isps
    browser: IntArray  # index into Catalog.browsers (spiders at the end)
    ip: list[str]
    weight: FloatArray
    spider: npt.NDArray[np.bool_]


@dataclass(slots=True)
class Catalog:
    zone: ZoneInfo
    registered: datetime
    datapoints: list[Datapoint]
    groups: list[Group]
    tags: list[Tag]
    conversions: list[Conversion]
    destinations: list[str]
    cities: list[tuple[int, vocab.City]]  # (country index, city)
    isps: list[str]
    browsers: list[vocab.Browser]
    visitors: Visitors
    daily_clicks: float

    def datapoint_index(self, dp_id: int) -> int | None:
        return _index_of(self.datapoints, dp_id)

    def group_index(self, group_id: int) -> int | None:
        return _index_of(self.groups, group_id)

    def conversion_index(self, conversion_id: int) -> int | None:
        return _index_of(self.conversions, conversion_id)


class _HasId(Protocol):
    @property
    def id(self) -> int: ...


def _index_of(items: Sequence[_HasId], wanted: int) -> int | None:
    for i, item in enumerate(items):
        if item.id == wanted:
            return i
    return None


def build_catalog(seed: int, n_datapoints: int, zone: ZoneInfo, now: datetime) -> Catalog:
    """The account as of `now` (aware); identical for identical arguments."""
    rng = np.random.default_rng([seed, 1])
    registered = (now - timedelta(days=420 + int(rng.integers(0, 60)))).astimezone(zone)
    registered = registered.replace(microsecond=0)

    tags: dict[str, Tag] = {}
    for _, _, tag_names in vocab.GROUPS:
        for tag_name in tag_names:
            tags.setdefault(tag_name, Tag(20500 + 7 * len(tags), tag_name))

    groups: list[Group] = []
    for i, (name, _, tag_names) in enumerate(vocab.GROUPS):
        created = registered + timedelta(
            days=int(rng.integers(1, 380)), seconds=int(rng.integers(0, 86400))
        )
        group = Group(
            189600 + 11 * i + int(rng.integers(0, 5)), name, created, [tags[t] for t in tag_names]
        )
        groups.append(group)
        for tag in group.tags:
            tag.groups.append(group.id)

    conversions = [
        Conversion(
            7100 + 13 * i, name, value, registered + timedelta(days=30 + 20 * i), f"conv{i + 1}"
        )
        for i, (name, value) in enumerate(vocab.CONVERSIONS[: 4 + int(rng.integers(0, 3))])
    ]

    destinations: list[str] = []
    datapoints: list[Datapoint] = []
    names: set[str] = set()
    next_id = 2027400
    # Heavy tail: a few links get most of the traffic.
    weights = np.minimum(rng.pareto(1.1, n_datapoints), 25.0) + 0.05
    for i in range(n_datapoints):
        g = int(rng.integers(0, len(groups))) if i >= len(groups) else i
        group = groups[g]
        stem = vocab.GROUPS[g][1][int(rng.integers(0, len(vocab.GROUPS[g][1])))]
        name = f"{stem}-{vocab.WORDS[int(rng.integers(0, len(vocab.WORDS)))]}"
        while name in names:
            name = f"{name}-{int(rng.integers(2, 99))}"
        names.add(name)
        next_id += int(rng.integers(1, 40))
        dp_type = TRACKING_PIXEL if rng.random() < 0.05 else TRACKING_LINK
        created = group.created + timedelta(
            days=float(rng.uniform(0, max(1.0, (now - group.created).total_seconds() / 86400 - 1)))
        )
        created = created.replace(microsecond=0)
        dests: list[int] = []
        if dp_type == TRACKING_LINK:
            site = vocab.SITES[int(rng.integers(0, len(vocab.SITES)))]
            for k in range(int(rng.choice([1, 1, 1, 2, 3]))):
                destinations.append(f"{site}/{name}" + (f"?variant={k}" if k else ""))
                dests.append(len(destinations) - 1)
        convs = sorted({int(c) for c in rng.choice(len(conversions), int(rng.integers(1, 3)))})
        dp = Datapoint(
            id=next_id,
            name=name,
            title=name.replace("-", " ").capitalize(),
            type=dp_type,
            status=ACTIVE,
            created=created,
            group=g,
            tags=list(group.tags),
            destinations=dests,
            conversions=convs if rng.random() < 0.4 and dp_type == TRACKING_LINK else [],
            redirect=307 if rng.random() < 0.2 else 301,
            favourite=bool(rng.random() < 0.1),
            stopped=None,
            weight=float(weights[i]),
        )
        datapoints.append(dp)
        group.datapoints.append(i)
        for tag in dp.tags:
            tag.datapoints.append(dp.id)
    _pause_some(datapoints, rng, now)

    cities = [(c, city) for c, country in enumerate(vocab.COUNTRIES) for city in country.cities]
    isps = [(c, isp) for c, country in enumerate(vocab.COUNTRIES) for isp in country.isps]
    browsers = list(vocab.BROWSERS) + list(vocab.SPIDERS)
    visitors = _visitors(rng, max(2000, 40 * n_datapoints), cities, isps)
    return Catalog(
        zone=zone,
        registered=registered,
        datapoints=datapoints,
        groups=groups,
        tags=list(tags.values()),
        conversions=conversions,
        destinations=destinations,
        cities=cities,
        isps=[name for _, name in isps],
        browsers=browsers,
        visitors=visitors,
        daily_clicks=25.0 * n_datapoints,
    )


def _pause_some(datapoints: list[Datapoint], rng: np.random.Generator, now: datetime) -> None:
    """Two paused links and one deleted one, stopped some days ago."""
    if len(datapoints) < 8:
        return
    picks = rng.choice(np.arange(3, len(datapoints)), 3, replace=False)
    for k, idx in enumerate(picks):
        dp = datapoints[int(idx)]
        dp.status = DELETED if k == 2 else PAUSED
        dp.stopped = max(dp.created, now - timedelta(days=float(rng.uniform(3, 40))))


def _visitors(
    rng: np.random.Generator,
    n: int,
    cities: list[tuple[int, vocab.City]],
    isps: list[tuple[int, str]],
) -> Visitors:
    cw = np.array([c.weight for c in vocab.COUNTRIES])
    country = rng.choice(len(cw), n, p=cw / cw.sum())
    city = np.empty(n, np.int64)
    isp = np.empty(n, np.int64)
    for c in range(len(vocab.COUNTRIES)):
        mask = country == c
        own_cities = np.array([i for i, (cc, _) in enumerate(cities) if cc == c])
        own_isps = np.array([i for i, (cc, _) in enumerate(isps) if cc == c])
        # The first city of a country (its capital or biggest) gets the largest share.
        city_w = 1.0 / np.arange(1, len(own_cities) + 1)
        city[mask] = rng.choice(own_cities, int(mask.sum()), p=city_w / city_w.sum())
        isp[mask] = rng.choice(own_isps, int(mask.sum()))
    bw = np.array([b.weight for b in vocab.BROWSERS])
    browser = rng.choice(len(bw), n, p=bw / bw.sum())
    spider = rng.random(n) < 0.02
    sw = np.array([b.weight for b in vocab.SPIDERS])
    browser[spider] = len(bw) + rng.choice(len(sw), int(spider.sum()), p=sw / sw.sum())
    country[spider] = 0  # crawlers come from US data centres
    city[spider] = 0
    isp[spider] = 0
    octets = rng.integers(1, 255, (n, 4))
    ip = [f"{a}.{b}.{c}.{d}" for a, b, c, d in octets.tolist()]
    weight = rng.pareto(1.5, n) + 0.2
    weight[spider] *= 1.5  # few crawlers, each busy
    return Visitors(country, city, isp, browser, ip, weight / weight.sum(), spider)
