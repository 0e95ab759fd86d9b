"""`link_shared`: a message (or a draft) holds links on a domain the app unfurls; those that are
the connected account's tracking links get their live stats in one `chat.unfurl` call.

The work is Bolt's lazy listener (the event is acked at once). Links ClickMeter does not know
are left alone: no `chat.unfurl` at all when none is ours. Calls are paced per workspace
under Slack's limit for `chat.unfurl` (Tier 3: 50 a minute, bursts allowed): at most 50 in any
60 s, sent as soon as they are ready while under it; a 429 is retried after its Retry-After
(slack_sdk's rate-limit retry handler), once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast

from cachetools import TTLCache
from pyrate_limiter import Duration, InMemoryBucket, Rate
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from alerts.deliver.poster import error_code
from bot.listeners.events.app_home import event_team
from bot.services import Services
from bot.unfurls import Unfurler
from clickmeter import BucketPacer, ClickMeterError

log = logging.getLogger(__name__)

#: chat.unfurl calls per workspace in any 60 s: Slack's Tier 3. A sliding window, not an even
#: pace: links pasted together are answered at once, and a slow first unfurl (the workspace's
#: domains being read) does not make later ones wait in line behind it.
UNFURLS_PER_MINUTE = 50
#: Links one event may carry that are answered (Slack sends a handful at most).
MAX_LINKS = 10


class UnfurlPacers:
    """One sliding window per workspace for its `chat.unfurl` calls (Slack limits each
    workspace)."""

    def __init__(self, per_minute: int = UNFURLS_PER_MINUTE) -> None:
        self._rate = Rate(per_minute, Duration.MINUTE)
        self._pacers: TTLCache[str, BucketPacer] = TTLCache(10_000, 3600.0)

    async def wait(self, team_id: str) -> None:
        pacer = self._pacers.get(team_id)
        if pacer is None:
            pacer = self._pacers[team_id] = BucketPacer(
                InMemoryBucket([self._rate]), name="chat.unfurl"
            )
        # No leaker thread per workspace: calls older than the window are dropped here
        # (pyrate-limiter leaves the bucket's clock, `now`, unannotated).
        pacer.bucket.leak(cast("int", pacer.bucket.now()))  # type: ignore[no-untyped-call]
        await pacer.wait()


def _unfurl_client(client: AsyncWebClient) -> AsyncWebClient:
    """Bolt's client (the workspace's token), retrying a 429 once after its Retry-After."""
    return AsyncWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        logger=client.logger,
        retry_handlers=[*client.retry_handlers, AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )


def _urls(event: dict[str, Any]) -> list[str]:
    links = event.get("links")
    urls = (
        [link.get("url") for link in links if isinstance(link, dict)]
        if isinstance(links, list)
        else []
    )
    return [url for url in urls if isinstance(url, str) and url][:MAX_LINKS]


def _target(event: dict[str, Any]) -> dict[str, Any] | None:
    """Where the unfurl goes: the posted message (channel + ts), or a draft being written
    (source `composer`, whose channel is `COMPOSER`: unfurl_id + source)."""
    channel, ts = event.get("channel"), event.get("message_ts")
    unfurl_id, source = event.get("unfurl_id"), event.get("source")
    draft = source == "composer" or channel == "COMPOSER"
    if draft and isinstance(unfurl_id, str) and unfurl_id and isinstance(source, str) and source:
        return {"unfurl_id": unfurl_id, "source": source}
    if not draft and isinstance(channel, str) and channel and isinstance(ts, str) and ts:
        return {"channel": channel, "ts": ts}
    return None


def unfurl_links(
    services: Services, unfurler: Unfurler, pacers: UnfurlPacers
) -> Callable[..., Awaitable[None]]:
    async def unfurl_links(
        body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient
    ) -> None:
        urls, target, team = _urls(event), _target(event), event_team(body)
        if not urls or target is None or not team:
            return
        cm = await services.clickmeter_for(team)
        if cm is None:
            return  # no account connected: nothing is ours to unfurl
        try:
            unfurls = await unfurler.unfurls(team, cm, urls)
        except ClickMeterError as exc:  # Slack shows the plain link, as without clickbot
            log.info("not unfurling: ClickMeter could not answer (%s)", exc)
            return
        if not unfurls:
            return
        await pacers.wait(team)
        try:
            await _unfurl_client(client).chat_unfurl(**target, unfurls=unfurls)
        except Exception as exc:  # the message is gone, Slack is down: the link stays plain
            log.warning("could not unfurl %d link(s): %s", len(unfurls), error_code(exc))

    return unfurl_links
