"""Which hosts are the account's tracking domains: the domains ClickMeter lists (`GET
/domains`, every type) and the hosts of its links' tracking URLs, cached per workspace."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlsplit

from cachetools import TTLCache

from clickmeter import ClickMeterClient, ClickMeterError, DomainType

log = logging.getLogger(__name__)

#: Domains change when someone buys one: minutes of staleness only delay its first unfurls.
DOMAINS_TTL_S = 10 * 60.0
DOMAIN_KINDS: tuple[DomainType, ...] = ("system", "go", "dedicated", "personal")
#: Links read for their tracking URLs' hosts (one page): a domain the list misses shows there.
LINKS_SCANNED = 100


def host_of(url: str) -> str:
    """The lower-cased host of `url` ("" when it has none); `www.` is not stripped."""
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""


def _key(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url if "//" in url else f"//{url}")
    except ValueError:
        return "", url
    return (parts.hostname or "").lower(), parts.path.rstrip("/")


def same_link(url: str, tracking_code: str | None) -> bool:
    """Whether `url` (as pasted: http or https, any host case, a trailing slash, a query) is
    the tracking URL `tracking_code`."""
    if not tracking_code or "<" in tracking_code:  # a pixel's code is an <img> tag
        return False
    return _key(url) == _key(tracking_code)


class TrackingDomains:
    """The tracking hosts of each workspace's account, asked of ClickMeter at most every
    DOMAINS_TTL_S (one look-up at a time per workspace)."""

    def __init__(self, ttl_s: float = DOMAINS_TTL_S) -> None:
        self._hosts: TTLCache[str, frozenset[str]] = TTLCache(10_000, ttl_s)
        self._locks: dict[str, asyncio.Lock] = {}

    async def hosts(self, team_id: str, client: ClickMeterClient) -> frozenset[str]:
        found = self._hosts.get(team_id)
        if found is not None:
            return found
        async with self._locks.setdefault(team_id, asyncio.Lock()):
            found = self._hosts.get(team_id)
            if found is None:
                found = await self._read(client)
                self._hosts[team_id] = found
            return found

    async def _read(self, client: ClickMeterClient) -> frozenset[str]:
        # All at once: with ClickMeter slow (hundreds of ms a request), the first unfurl of a
        # workspace waits for this.
        kinds = [self._domains(client, kind) for kind in DOMAIN_KINDS]
        *listed, from_links = await asyncio.gather(*kinds, self._link_hosts(client))
        hosts = set(from_links).union(*listed)
        hosts.discard("")
        return frozenset(hosts)

    async def _domains(self, client: ClickMeterClient, kind: DomainType) -> set[str]:
        try:
            listed = await client.domains(kind=kind, limit=100)
            domains = await asyncio.gather(*(client.domain(d.id) for d in listed))
        except ClickMeterError as exc:  # one kind unreadable: the others still count
            log.info("could not list %s tracking domains: %s", kind, exc)
            return set()
        return {host_of(d.name) for d in domains if d.name}

    async def _link_hosts(self, client: ClickMeterClient) -> set[str]:
        try:
            links = await client.datapoints(expand=True, limit=LINKS_SCANNED, kind="tl")
        except ClickMeterError as exc:
            log.info("could not read the links' tracking domains: %s", exc)
            return set()
        return {host_of(dp.tracking_code) for dp in links if dp.tracking_code}
