"""The Slack side every Slack receiver shares: one Web API client, per-channel pacing, what
Slack's errors mean for an outbox item, and finding a message an earlier attempt posted.

About one message per second per channel (Slack's posting limit): calls to the same channel
are spaced by `per_channel_interval`, across all receivers built on the same poster. Errors
map to outcomes (`outcome_of`): 429 → `Retry` after Slack's Retry-After (throttled: it does
not grow the backoff); 5xx, network errors
and Slack's transient codes → `Retry`; a channel the bot cannot post to →
`Permanent(notify_creator=True)`; a bad token → `Permanent` (nobody to tell through Slack;
kept dead, retried from the App Home);
blocks or text Slack refuses → `Permanent`, logged at ERROR since it is a bug here; anything
unknown → `Retry` (an alert is not dropped on a guess).

Every post carries message metadata (`outbox_tag`) naming its outbox item; `find_tagged`
looks for that tag in the channel's (or thread's) recent history, so an item whose earlier
attempt reached Slack unrecorded is adopted instead of posted twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from alerts.deliver.receiver import Delivery, Outcome, Permanent, Retry, Sent
from messages import Message

log = logging.getLogger(__name__)

#: The channel refuses the bot: only a person can fix it, so the creator is told.
CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
#: The token is gone: nothing can be posted, and there is no way to tell anyone via Slack.
AUTH_ERRORS = frozenset(
    {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"}
)
#: Slack refuses what was sent: a bug in rendering, not something a retry fixes.
CONTENT_ERRORS = frozenset(
    {
        "msg_too_long",
        "invalid_blocks",
        "invalid_blocks_format",
        "no_text",
        "invalid_metadata_format",
        "invalid_metadata_schema",
        "metadata_too_large",
        "invalid_arguments",
    }
)
#: The post to edit or reply to is gone (deleted by someone): nothing to retry.
GONE_ERRORS = frozenset({"message_not_found", "cant_update_message", "thread_not_found"})
#: Slack is having trouble: try again later.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)
KNOWN_ERRORS = CHANNEL_ERRORS | AUTH_ERRORS | CONTENT_ERRORS | GONE_ERRORS | TRANSIENT_ERRORS
#: Failures of the connection itself (no answer from Slack at all).
NETWORK_ERRORS = (aiohttp.ClientError, TimeoutError, OSError)
#: How far before an item's creation a found post may be (clock skew between us and Slack).
HISTORY_MARGIN_SECONDS = 300.0
HISTORY_PAGE = 200
HISTORY_PAGES = 5


def error_code(error: Exception) -> str:
    """Slack's error code (`not_in_channel`, `http_503`...), or the exception's type name."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"http_{error.response.status_code}")
    return type(error).__name__


def outbox_tag(event_type: str, delivery: Delivery, **details: Any) -> Metadata:
    """The message metadata tying a post to its outbox item (read back by `find_tagged`)."""
    payload = {"outbox_id": delivery.id, "team_id": delivery.team_id, **details}
    return Metadata(event_type=event_type, event_payload=payload)


class SlackPoster:
    """One bot token's Web API client, paced per channel (see the module docstring)."""

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://slack.com/api/",
        per_channel_interval: float = 1.0,
        timeout: int = 15,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # No retry handlers: retrying (and not posting twice) is the pipeline's job.
        self.client = AsyncWebClient(
            token=token, base_url=base_url, timeout=timeout, retry_handlers=[]
        )
        self.per_channel_interval = per_channel_interval
        self._next_slot: dict[str, float] = {}
        # The pacing's clock and wait, replaceable so tests check the waits, not the wall clock.
        self._clock = clock
        self._sleep = sleep

    async def pace(self, channel: str) -> None:
        """Wait for the channel's next slot (and reserve the one after it)."""
        now = self._clock()
        start = max(now, self._next_slot.get(channel, 0.0))
        self._next_slot[channel] = start + self.per_channel_interval
        if len(self._next_slot) > 1000:  # forget channels whose slot is long past
            self._next_slot = {c: t for c, t in self._next_slot.items() if t > now}
        if start > now:
            await self._sleep(start - now)

    async def post(
        self, channel: str, message: Message, *, thread_ts: str | None = None
    ) -> AsyncSlackResponse:
        """`chat.postMessage` of `message` (its metadata included), once the channel's slot
        comes. Raises what the client raises."""
        await self.pace(channel)
        return await self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.block_dicts(),
            thread_ts=thread_ts,
            metadata=message.metadata_dict(),
            unfurl_links=False,
        )

    async def update(self, channel: str, ts: str, message: Message) -> AsyncSlackResponse:
        """`chat.update` of the message at `channel`/`ts`, once the channel's slot comes."""
        await self.pace(channel)
        return await self.client.chat_update(
            channel=channel, ts=ts, text=message.text, blocks=message.block_dicts()
        )

    async def attempt(
        self, delivery: Delivery, channel: str, send: Callable[[], Awaitable[AsyncSlackResponse]]
    ) -> Outcome:
        """`send`, as an outcome: `Sent({"channel", "ts"})` of what Slack answered, or what
        its failure means (`outcome_of`)."""
        try:
            response = await send()
        except SlackApiError as error:
            return self.outcome_of(delivery, error, channel)
        except NETWORK_ERRORS as error:
            return Retry(f"cannot reach Slack ({type(error).__name__}: {error})")
        return Sent({"channel": response["channel"], "ts": response["ts"]})

    def outcome_of(
        self, delivery: Delivery, error: SlackApiError, channel: str | None = None
    ) -> Outcome:
        """What Slack's refusal means for the item (see the module docstring); a rate limit
        on `channel` also pushes that channel's next slot back."""
        status, code = error.response.status_code, error_code(error)
        if status == 429 or code == "ratelimited":
            after = _retry_after(error.response.headers)
            if channel is not None:
                self._next_slot[channel] = self._clock() + after
            return Retry("Slack rate limit", after=after, throttled=True)
        if status >= 500 or code in TRANSIENT_ERRORS:
            return Retry(f"Slack answered HTTP {status} ({code})")
        if code in CHANNEL_ERRORS:
            return Permanent(code, notify_creator=True)
        if code in AUTH_ERRORS:
            log.error(
                "Slack refuses the bot token (%s): outbox item %s kept as dead (Retry it from "
                "the App Home once the app is reinstalled)",
                code,
                delivery.id,
            )
            return Permanent(code)
        if code in CONTENT_ERRORS:
            problems = (error.response.get("response_metadata") or {}).get("messages")
            log.error(
                "Slack refused outbox item %s (%s, %s): %s",
                delivery.id,
                delivery.kind,
                code,
                problems,
            )
            return Permanent(code)
        if code in GONE_ERRORS:
            return Permanent(f"{code}: the alert post was deleted")
        # Unknown: keep the item and try later rather than drop an alert on a guess.
        return Retry(f"Slack error {code}")

    async def find_tagged(
        self, delivery: Delivery, event_type: str, channel: str, *, thread_ts: str | None = None
    ) -> Outcome | None:
        """`Sent({"channel", "ts"})` of the message in `channel` (or in the thread of
        `thread_ts`) tagged with `event_type` and the item's outbox id, None if none was found
        in the recent pages, or what a failure to look means for the item."""
        oldest = history_oldest(delivery)

        async def page(cursor: str | None) -> AsyncSlackResponse:
            window: dict[str, Any] = {
                "channel": channel,
                "oldest": oldest,
                "limit": HISTORY_PAGE,
                "include_all_metadata": True,
                "cursor": cursor,
            }
            if thread_ts is None:
                return await self.client.conversations_history(**window)
            return await self.client.conversations_replies(ts=thread_ts, **window)

        try:
            return await _search(delivery, event_type, channel, page)
        except SlackApiError as error:
            if error_code(error) not in KNOWN_ERRORS and error.response.status_code < 500:
                # Looking is refused for good (e.g. `missing_scope`: no channels:history):
                # waiting would hold the item forever; a possible duplicate beats losing it.
                log.warning("cannot check history for outbox item %s: %s", delivery.id, error)
                return None
            return self.outcome_of(delivery, error)
        except NETWORK_ERRORS as error:
            return Retry(f"cannot reach Slack to check history ({type(error).__name__})")

    async def tell(self, user_id: str, text: str, blocks: list[dict[str, Any]]) -> bool:
        """A direct message to `user_id` (posting to a user id opens the DM with them); True
        if it arrived."""
        await self.pace(user_id)
        try:
            await self.client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        except (SlackApiError, *NETWORK_ERRORS) as error:
            log.warning("could not tell %s about a channel problem: %s", user_id, error)
            return False
        return True


async def _search(
    delivery: Delivery,
    event_type: str,
    channel: str,
    fetch: Callable[[str | None], Awaitable[AsyncSlackResponse]],
) -> Outcome | None:
    cursor: str | None = None
    for _ in range(HISTORY_PAGES):
        page = await fetch(cursor)
        for message in page.get("messages") or []:
            if _is_tag_of(message, delivery, event_type):
                log.info("outbox item %s was already in Slack: adopting it", delivery.id)
                return Sent({"channel": page.get("channel") or channel, "ts": message["ts"]})
        cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
        if not cursor:
            return None
    # Not within the pages looked at; a busy channel may hide it further back. Posting
    # again risks a duplicate, but never posting loses the alert: prefer the alert.
    return None


def _is_tag_of(message: dict[str, Any], delivery: Delivery, event_type: str) -> bool:
    tag = message.get("metadata") or {}
    payload = tag.get("event_payload") or {}
    return (
        tag.get("event_type") == event_type
        # Compared as text: a JSON round trip elsewhere may turn the id into a string.
        and str(payload.get("outbox_id")) == str(delivery.id)
        and payload.get("team_id") == delivery.team_id
    )


def history_oldest(delivery: Delivery) -> str:
    """Where a search for an earlier attempt starts: a margin before the item was made, and
    never later than now (an item stamped by a pinned test or replay clock still works)."""
    created = min(delivery.created_at.timestamp(), time.time())
    return f"{created - HISTORY_MARGIN_SECONDS:.6f}"


def _retry_after(headers: Any) -> float:
    try:
        return max(float(headers.get("Retry-After", 1)), 0.0)
    except (TypeError, ValueError):
        return 1.0
