"""From the links of a `link_shared` event to `chat.unfurl`'s `unfurls`: each link on one of
the account's tracking domains is found by its tracking URL through the API (never fetched:
a preview must not count as a click) and answered with its card; other links are left out.

Found links and cards are cached briefly (CARD_TTL_S): a link pasted in several channels, or
unfurled again when Slack re-renders a message, costs ClickMeter nothing more for a minute.
The account's first page of links (INDEXED, read once a minute) is kept by tracking URL, so
most links are found without a search of their own: with ClickMeter slow, each request in
line before the numbers is time the person pasting waits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cachetools import TTLCache

from bot.answers.base import Clock
from bot.answers.link import top_report
from bot.unfurls.card import LinkCard, card_blocks
from bot.unfurls.domains import TrackingDomains, host_of, same_link
from clickmeter import ClickMeterClient, Datapoint, DayRange, Period, Timeframe, TopReport
from storage import as_utc

log = logging.getLogger(__name__)

CARD_TTL_S = 60.0
#: Search results read to find a link by its name (the tracking URL's path).
SEARCHED = 100
#: Links read in one request to find pasted ones without searching.
INDEXED = 100
CACHE_SIZE = 10_000


def _name_in(url: str) -> str:
    try:
        return urlsplit(url if "//" in url else f"//{url}").path.strip("/")
    except ValueError:
        return ""


class Unfurler:
    """Cards for tracking links, per workspace (the caches never mix two accounts)."""

    def __init__(
        self,
        domains: TrackingDomains | None = None,
        *,
        now: Callable[[], datetime | None] = lambda: None,
        ttl_s: float = CARD_TTL_S,
    ) -> None:
        self.domains = domains or TrackingDomains()
        self._now = now
        self._links: TTLCache[tuple[str, str], Datapoint | None] = TTLCache(CACHE_SIZE, ttl_s)
        self._cards: TTLCache[tuple[str, int], list[dict[str, Any]]] = TTLCache(CACHE_SIZE, ttl_s)
        self._index: TTLCache[str, list[Datapoint]] = TTLCache(CACHE_SIZE, ttl_s)
        self._index_locks: dict[str, asyncio.Lock] = {}

    async def unfurls(
        self, team_id: str, client: ClickMeterClient, urls: list[str]
    ) -> dict[str, dict[str, Any]]:
        """url -> `{"blocks": [...]}` for each of `urls` that is one of the account's links."""
        # Read together: a workspace's first unfurl waits for both.
        hosts, _ = await asyncio.gather(
            self.domains.hosts(team_id, client), self._indexed(team_id, client)
        )
        ours = list(dict.fromkeys(u for u in urls if host_of(u) in hosts))
        found = await asyncio.gather(*(self._card(team_id, client, url) for url in ours))
        return {url: {"blocks": blocks} for url, blocks in zip(ours, found, strict=True) if blocks}

    async def _card(
        self, team_id: str, client: ClickMeterClient, url: str
    ) -> list[dict[str, Any]] | None:
        link = await self._find(team_id, client, url)
        if link is None:
            return None
        key = (team_id, link.id)
        blocks = self._cards.get(key)
        if blocks is None:
            blocks = card_blocks(await self.card(client, link))
            self._cards[key] = blocks
        return blocks

    async def _find(self, team_id: str, client: ClickMeterClient, url: str) -> Datapoint | None:
        key = (team_id, url)
        if key in self._links:
            return self._links[key]
        name = _name_in(url)
        indexed = await self._indexed(team_id, client)
        found = next((dp for dp in indexed if same_link(url, dp.tracking_code)), None)
        if name and found is None and len(indexed) >= INDEXED:
            candidates = await client.datapoints(expand=True, limit=SEARCHED, text=name)
            found = next((dp for dp in candidates if same_link(url, dp.tracking_code)), None)
        self._links[key] = found
        return found

    async def _indexed(self, team_id: str, client: ClickMeterClient) -> list[Datapoint]:
        """The account's first INDEXED links, read once per CARD_TTL_S (one read at a time)."""
        found = self._index.get(team_id)
        if found is not None:
            return found
        async with self._index_locks.setdefault(team_id, asyncio.Lock()):
            found = self._index.get(team_id)
            if found is None:
                found = await client.datapoints(expand=True, limit=INDEXED, kind="tl")
                self._index[team_id] = found
            return found

    async def card(self, client: ClickMeterClient, link: Datapoint) -> LinkCard:
        """The numbers of `link`'s card: 14 days of daily counters in one request (today, the
        7 days ending today and the 7 before all come from them) and its TOP countries and
        referrers over the 7 days."""
        zone = await client.account_zone()
        clock = Clock(as_utc(self._now()).astimezone(zone), zone)
        days = DayRange(clock.today - timedelta(days=6), clock.today)
        previous = DayRange(days.first - timedelta(days=7), days.first - timedelta(days=1))
        last7 = Period(Timeframe.LAST7)
        rows, countries, referrers = await asyncio.gather(
            client.datapoint_aggregated_list(link.id, Period.custom(previous.first, days.last)),
            top_report(client, TopReport.COUNTRIES, link.id, last7),
            top_report(client, TopReport.REFERRERS, link.id, last7),
        )
        rows = sorted(rows, key=lambda r: r.from_day or previous.first)
        return LinkCard(link, rows, days, previous, countries, referrers, clock)
