"""The Slack receiver: alert posts, their edits and thread replies, through the Web API.

- slack.post: `chat.postMessage` to the item's channel, tagged with message metadata carrying
  the outbox id (`alerts.notice.metadata`). Before posting an item again (`attempts > 1`) the
  pipeline calls `find_delivered`, which looks for that tag in the channel's recent history
  and adopts the message found instead of posting a duplicate.
- slack.update: `chat.update` of the post's channel/ts (idempotent, so never looked up).
- slack.reply: `chat.postMessage` with `thread_ts`, tagged and looked up like a post.

About one message per second per channel (Slack's posting limit): calls to the same channel
are spaced by `per_channel_interval`. Errors map to outcomes: 429 → `Retry` after Slack's
Retry-After; 5xx, network errors and Slack's transient codes → `Retry`; a channel the bot cannot
post to → `Permanent(notify_creator=True)`; a bad token → `Permanent` (nobody to tell through
Slack); blocks or text Slack refuses → `Permanent`, logged at ERROR since it is a bug here.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from alerts.deliver.receiver import Delivery, Outcome, Permanent, Retry, Sent
from alerts.messages import render, thread_reply
from alerts.notice import METADATA_EVENT_TYPE, metadata
from messages import Message
from storage.models import OutboxKind

log = logging.getLogger(__name__)

#: The channel refuses the bot: only a person can fix it, so the rule's creator is told.
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
#: How far before an item's creation a found post may be (clock skew between us and Slack).
HISTORY_MARGIN_SECONDS = 300.0
HISTORY_PAGE = 200
HISTORY_PAGES = 5


class SlackReceiver:
    """Delivers slack.post / slack.update / slack.reply items with one bot token."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.post", "slack.update", "slack.reply"})
    #: The metadata `event_type` its posts carry, by which an earlier attempt is found.
    tag_event_type: str = METADATA_EVENT_TYPE

    def __init__(
        self,
        token: str,
        *,
        base_url: str = "https://slack.com/api/",
        per_channel_interval: float = 1.0,
        timeout: int = 15,
        client: AsyncWebClient | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        # No retry handlers: retrying (and not posting twice) is the pipeline's job.
        self.client = client or AsyncWebClient(
            token=token, base_url=base_url, timeout=timeout, retry_handlers=[]
        )
        self.per_channel_interval = per_channel_interval
        self._next_slot: dict[str, float] = {}
        # The pacing's clock and wait, replaceable so tests check the waits, not the wall clock.
        self._clock = clock
        self._sleep = sleep

    async def deliver(self, delivery: Delivery) -> Outcome:
        if delivery.kind == "slack.post":
            target = delivery.channel
            if not target:
                return self._bug(delivery, "the item names no channel")
            message = render(delivery.notice)
            return await self._call(delivery, target, lambda: self._post(delivery, target, message))
        parent = delivery.parent or {}
        channel, ts = parent.get("channel"), parent.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):
            return self._bug(delivery, "the post it depends on has no channel/ts")
        if delivery.kind == "slack.update":
            message = render(delivery.notice)
            return await self._call(
                delivery,
                channel,
                lambda: self.client.chat_update(
                    channel=channel, ts=ts, text=message.text, blocks=message.block_dicts()
                ),
            )
        reply = thread_reply(delivery.notice)
        return await self._call(
            delivery, channel, lambda: self._post(delivery, channel, reply, thread_ts=ts)
        )

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """The post (or reply) an earlier attempt made, found by its metadata tag; None if
        there is none. Updates are never looked up: editing twice shows nothing twice."""
        if delivery.kind == "slack.update":
            return None
        oldest = history_oldest(delivery)
        if delivery.kind == "slack.post":
            if not delivery.channel:
                return None
            target: str = delivery.channel
            return await self._look_up(
                delivery,
                target,
                lambda cursor: self.client.conversations_history(
                    channel=target,
                    oldest=oldest,
                    limit=HISTORY_PAGE,
                    include_all_metadata=True,
                    cursor=cursor,
                ),
            )
        parent = delivery.parent or {}
        channel, ts = str(parent.get("channel", "")), str(parent.get("ts", ""))
        return await self._look_up(
            delivery,
            channel,
            lambda cursor: self.client.conversations_replies(
                channel=channel,
                ts=ts,
                oldest=oldest,
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            ),
        )

    async def _look_up(
        self,
        delivery: Delivery,
        channel: str,
        fetch: Callable[[str | None], Awaitable[AsyncSlackResponse]],
    ) -> Outcome | None:
        """`_search`, with what Slack's answers to the search mean for the item."""
        try:
            return await self._search(delivery, channel, fetch)
        except SlackApiError as error:
            if _code(error) not in KNOWN_ERRORS and error.response.status_code < 500:
                # Looking is refused for good (e.g. `missing_scope`: no channels:history):
                # waiting would hold the alert forever; a possible duplicate beats no alert.
                log.warning("cannot check history for outbox item %s: %s", delivery.id, error)
                return None
            return self._failure(delivery, error)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Retry(f"cannot reach Slack to check history ({type(error).__name__})")

    async def tell_creator(self, user_id: str, text: str, blocks: list[dict[str, Any]]) -> bool:
        """A direct message to `user_id` (posting to a user id opens the DM with them)."""
        await self._pace(user_id)
        try:
            await self.client.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as error:
            log.warning("could not tell %s about a channel problem: %s", user_id, error)
            return False
        return True

    # --- internals ---------------------------------------------------------------------------

    async def _post(
        self, delivery: Delivery, channel: str, message: Message, thread_ts: str | None = None
    ) -> AsyncSlackResponse:
        return await self.client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=message.block_dicts(),
            thread_ts=thread_ts,
            metadata=metadata(delivery.id, delivery.notice),
            unfurl_links=False,
        )

    async def _call(
        self,
        delivery: Delivery,
        channel: str,
        send: Callable[[], Awaitable[AsyncSlackResponse]],
    ) -> Outcome:
        await self._pace(channel)
        try:
            response = await send()
        except SlackApiError as error:
            return self._failure(delivery, error, channel)
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Retry(f"cannot reach Slack ({type(error).__name__}: {error})")
        result: dict[str, Any] = {"channel": response["channel"], "ts": response["ts"]}
        if delivery.kind == "slack.reply" and delivery.parent:
            result["thread_ts"] = delivery.parent.get("ts")
        return Sent(result)

    async def _search(
        self,
        delivery: Delivery,
        channel: str,
        fetch: Callable[[str | None], Awaitable[AsyncSlackResponse]],
    ) -> Outcome | None:
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await fetch(cursor)
            for message in page.get("messages") or []:
                if _is_tag_of(message, delivery, self.tag_event_type):
                    log.info("outbox item %s was already in Slack: adopting it", delivery.id)
                    result: dict[str, Any] = {
                        "channel": page.get("channel") or channel,
                        "ts": message["ts"],
                    }
                    if delivery.kind == "slack.reply" and delivery.parent:
                        result["thread_ts"] = delivery.parent.get("ts")
                    return Sent(result)
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        # Not within the pages looked at; a busy channel may hide it further back. Posting
        # again risks a duplicate, but never posting loses the alert: prefer the alert.
        return None

    async def _pace(self, channel: str) -> None:
        """Wait for the channel's next slot (and reserve the one after it)."""
        now = self._clock()
        start = max(now, self._next_slot.get(channel, 0.0))
        self._next_slot[channel] = start + self.per_channel_interval
        if len(self._next_slot) > 1000:  # forget channels whose slot is long past
            self._next_slot = {c: t for c, t in self._next_slot.items() if t > now}
        if start > now:
            await self._sleep(start - now)

    def _failure(
        self, delivery: Delivery, error: SlackApiError, channel: str | None = None
    ) -> Outcome:
        status, code = error.response.status_code, _code(error)
        if status == 429 or code == "ratelimited":
            after = _retry_after(error.response.headers)
            if channel is not None:
                self._next_slot[channel] = self._clock() + after
            return Retry("Slack rate limit", after=after)
        if status >= 500 or code in TRANSIENT_ERRORS:
            return Retry(f"Slack answered HTTP {status} ({code})")
        if code in CHANNEL_ERRORS:
            return Permanent(code, notify_creator=True)
        if code in AUTH_ERRORS:
            log.error("Slack refuses the bot token (%s): outbox item %s dropped", code, delivery.id)
            return Permanent(code)
        if code in CONTENT_ERRORS:
            problems = (error.response.get("response_metadata") or {}).get("messages")
            log.error(
                "Slack refused outbox item %s (%s, %s): %s",
                delivery.id,
                delivery.notice.kind.value,
                code,
                problems,
            )
            return Permanent(code)
        if code in GONE_ERRORS:
            return Permanent(f"{code}: the alert post was deleted")
        # Unknown: keep the item and try later rather than drop an alert on a guess.
        return Retry(f"Slack error {code}")

    def _bug(self, delivery: Delivery, why: str) -> Outcome:
        log.error("outbox item %s cannot be delivered: %s", delivery.id, why)
        return Permanent(why)


def _code(error: SlackApiError) -> str:
    return str(error.response.get("error") or f"http_{error.response.status_code}")


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
