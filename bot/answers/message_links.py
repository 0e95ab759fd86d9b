"""The links a Slack message mentions: its ClickMeter tracking URLs, and words that are a link's
exact name (`spring-sale`), for the "ClickMeter stats for links in this message" shortcut.

A tracking URL is matched against the account's own (`tracking_code`, found by ClickMeter's
text search for its path), never requested: fetching it would count a click.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from clickmeter import ClickMeterClient, Datapoint, DatapointStatus

#: At most this many links are answered for one message (each answer is a message).
MAX_LINKS = 5
#: Words looked up as names: the first few that could be one (each costs a search).
MAX_NAME_WORDS = 10
# Slack writes links as <url> or <url|label>; people paste them bare.
_URL = re.compile(r"https?://[^\s<>|]+", re.IGNORECASE)
# A word that could be a link's name: ClickMeter's name characters, with a separator in it
# (`spring-sale`), so ordinary words cost no search.
_NAME_WORD = re.compile(r"(?<![\w/.-])[A-Za-z0-9][A-Za-z0-9._~-]*[-_.][A-Za-z0-9._~-]*[A-Za-z0-9]")


def _normal(url: str) -> str:
    parts = urlsplit(url.strip().rstrip(".,;:!?)"))
    return f"{parts.netloc.casefold()}{parts.path.rstrip('/')}"


def candidates(text: str) -> tuple[list[str], list[str]]:
    """(tracking URL candidates normalised as host/path, name words), in the message's order,
    without repeats."""
    urls = list(dict.fromkeys(_normal(u) for u in _URL.findall(text)))
    rest = _URL.sub(" ", text)
    words = list(dict.fromkeys(w for w in _NAME_WORD.findall(rest)))[:MAX_NAME_WORDS]
    return [u for u in urls if "/" in u], words


async def _search(client: ClickMeterClient, text: str) -> list[Datapoint]:
    found = []
    async for link in client.iter_datapoints(expand=True, kind="tl", text=text):
        if link.status is not DatapointStatus.DELETED:
            found.append(link)
        if len(found) >= 50:
            break
    return found


async def links_in(client: ClickMeterClient, text: str) -> list[Datapoint]:
    """The account's live tracking links the message `text` mentions, at most MAX_LINKS."""
    urls, words = candidates(text)
    found: dict[int, Datapoint] = {}
    for url in urls:
        path = url.split("/", 1)[1]
        for link in await _search(client, path.rsplit("/", 1)[-1]):
            if link.tracking_code and _normal(link.tracking_code) == url:
                found.setdefault(link.id, link)
        if len(found) >= MAX_LINKS:
            return list(found.values())
    for word in words:
        wanted = word.casefold()
        for link in await _search(client, word):
            if (link.name or "").casefold() == wanted:
                found.setdefault(link.id, link)
        if len(found) >= MAX_LINKS:
            break
    return list(found.values())[:MAX_LINKS]
