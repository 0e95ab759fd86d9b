"""The Slack alert receiver: alert posts, their edits and thread replies, through a `SlackPoster`.

- slack.post: `chat.postMessage` to the item's channel, tagged with message metadata carrying
  the outbox id (`METADATA_EVENT_TYPE`). Before posting an item again (`attempts > 1`) the
  pipeline calls `find_delivered`, which looks for that tag in the channel's recent history
  and adopts the message found instead of posting a duplicate.
- slack.update: `chat.update` of the post's channel/ts (idempotent, so never looked up).
- slack.reply: `chat.postMessage` with `thread_ts`, tagged and looked up like a post.

Pacing and what Slack's errors mean are the poster's (`alerts.deliver.poster`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from alerts.deliver.poster import SlackPoster, outbox_tag
from alerts.deliver.receiver import Delivery, Outcome, Sent, undeliverable
from alerts.messages import render, thread_reply
from alerts.notice import METADATA_EVENT_TYPE, AlertNotice
from alerts.outbox import AlertPayload
from messages import Message
from storage.models import OutboxKind


class SlackReceiver:
    """Delivers slack.post / slack.update / slack.reply items through `slack`."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.post", "slack.update", "slack.reply"})

    def __init__(self, slack: SlackPoster) -> None:
        self.slack = slack

    async def deliver(self, delivery: Delivery) -> Outcome:
        notice = _notice(delivery)
        if notice is None:
            return undeliverable(delivery, "the item carries no alert notice")
        if delivery.kind == "slack.post":
            to = delivery.channel
            if not to:
                return undeliverable(delivery, "the item names no channel")
            post = _tagged(render(notice), delivery, notice)
            return await self.slack.attempt(delivery, to, lambda: self.slack.post(to, post))
        parent = delivery.parent_post
        if parent is None:
            return undeliverable(delivery, "the post it depends on has no channel/ts")
        channel, ts = parent
        if delivery.kind == "slack.update":
            edit = render(notice)
            return await self.slack.attempt(
                delivery, channel, lambda: self.slack.update(channel, ts, edit)
            )
        reply = _tagged(thread_reply(notice), delivery, notice)
        outcome = await self.slack.attempt(
            delivery, channel, lambda: self.slack.post(channel, reply, thread_ts=ts)
        )
        return _in_thread(outcome, ts)

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """The post (or reply) an earlier attempt made, found by its metadata tag; None if
        there is none. Updates are never looked up: editing twice shows nothing twice."""
        if delivery.kind == "slack.update":
            return None
        if delivery.kind == "slack.post":
            if not delivery.channel:
                return None
            return await self.slack.find_tagged(delivery, METADATA_EVENT_TYPE, delivery.channel)
        channel, ts = delivery.parent_post or ("", "")
        found = await self.slack.find_tagged(delivery, METADATA_EVENT_TYPE, channel, thread_ts=ts)
        return None if found is None else _in_thread(found, ts)

    async def tell_creator(self, user_id: str, text: str, blocks: list[dict[str, Any]]) -> bool:
        """A direct message to `user_id`; True if it arrived."""
        return await self.slack.tell(user_id, text, blocks)


def _notice(delivery: Delivery) -> AlertNotice | None:
    payload = delivery.payload
    return payload.notice if isinstance(payload, AlertPayload) else None


def _tagged(message: Message, delivery: Delivery, notice: AlertNotice) -> Message:
    tag = outbox_tag(
        METADATA_EVENT_TYPE,
        delivery,
        rule_id=notice.rule_id or 0,
        episode_id=notice.episode_id or 0,
        kind=notice.kind.value,
    )
    return replace(message, metadata=tag)


def _in_thread(outcome: Outcome, thread_ts: str) -> Outcome:
    # A reply's result names its thread too (what the post's later items may need).
    if isinstance(outcome, Sent):
        return Sent({**outcome.result, "thread_ts": thread_ts})
    return outcome
