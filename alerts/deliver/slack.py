"""The Slack alert receivers, both built on a `SlackPoster`: one posts, one edits.

- `SlackPostReceiver` (slack.post, slack.reply): `chat.postMessage` of the notice, to the
  item's channel (a post) or into the thread of the post it depends on (a reply), tagged with
  message metadata carrying the outbox id (`METADATA_EVENT_TYPE`). Before posting an item
  again (`attempts > 1`) the pipeline calls `find_delivered`, which looks for that tag in the
  channel's (or thread's) recent history and adopts the message found instead of posting a
  duplicate.
- `SlackUpdateReceiver` (slack.update): `chat.update` of the post it depends on. Editing is
  idempotent, so an edit is never looked up, just made again.

Pacing and what Slack's errors mean are the poster's (`alerts.deliver.poster`); each item goes
through the poster of its workspace (`alerts.deliver.tokens.SlackPosters`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_sdk.models.metadata import Metadata

from alerts.deliver.poster import SlackPoster, outbox_tag
from alerts.deliver.receiver import Delivery, Outcome, Sent, undeliverable
from alerts.deliver.tokens import SlackPosters, posters_of
from alerts.messages import render, thread_reply
from alerts.notice import METADATA_EVENT_TYPE, AlertNotice
from alerts.outbox import AlertPayload
from storage.models import OutboxKind


class SlackPostReceiver:
    """Delivers slack.post and slack.reply items through `slack`."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.post", "slack.reply"})

    def __init__(self, slack: SlackPoster | SlackPosters) -> None:
        self.posters = posters_of(slack)

    async def deliver(self, delivery: Delivery) -> Outcome:
        notice = _notice(delivery)
        if notice is None:
            return undeliverable(delivery, "the item carries no alert notice")
        where = _where(delivery)
        if where is None:
            return undeliverable(delivery, _nowhere(delivery))
        channel, thread_ts = where
        message = render(notice) if thread_ts is None else thread_reply(notice)
        tagged = replace(message, metadata=_tag(delivery, notice))
        outcome = await self.posters.use(
            delivery.team_id,
            lambda slack: slack.attempt(
                delivery, channel, lambda: slack.post(channel, tagged, thread_ts=thread_ts)
            ),
        )
        return _in_thread(outcome, thread_ts)

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """The post (or reply) an earlier attempt made, found by its metadata tag; None if
        there is none."""
        where = _where(delivery)
        if where is None:
            return None
        channel, thread_ts = where
        found = await self.posters.use(
            delivery.team_id,
            lambda slack: slack.find_tagged(
                delivery, METADATA_EVENT_TYPE, channel, thread_ts=thread_ts
            ),
        )
        return None if found is None else _in_thread(found, thread_ts)

    async def tell_creator(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        """A direct message to `user_id` of `team_id`; True if it arrived."""
        return await self.posters.tell(team_id, user_id, text, blocks)


class SlackUpdateReceiver:
    """Delivers slack.update items (edits of a post) through `slack`."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.update"})

    def __init__(self, slack: SlackPoster | SlackPosters) -> None:
        self.posters = posters_of(slack)

    async def deliver(self, delivery: Delivery) -> Outcome:
        notice = _notice(delivery)
        if notice is None:
            return undeliverable(delivery, "the item carries no alert notice")
        if delivery.parent_post is None:
            return undeliverable(delivery, "the post it depends on has no channel/ts")
        channel, ts = delivery.parent_post
        edit = render(notice)
        return await self.posters.use(
            delivery.team_id,
            lambda slack: slack.attempt(delivery, channel, lambda: slack.update(channel, ts, edit)),
        )

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """Never looked up: editing twice shows nothing twice."""
        return None

    async def tell_creator(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        """A direct message to `user_id` of `team_id`; True if it arrived."""
        return await self.posters.tell(team_id, user_id, text, blocks)


def _notice(delivery: Delivery) -> AlertNotice | None:
    payload = delivery.payload
    return payload.notice if isinstance(payload, AlertPayload) else None


def _where(delivery: Delivery) -> tuple[str, str | None] | None:
    """(channel, thread ts): a post goes to its channel, a reply into its post's thread."""
    if delivery.kind == "slack.reply":
        return delivery.parent_post
    return (delivery.channel, None) if delivery.channel else None


def _nowhere(delivery: Delivery) -> str:
    if delivery.kind == "slack.reply":
        return "the post it depends on has no channel/ts"
    return "the item names no channel"


def _tag(delivery: Delivery, notice: AlertNotice) -> Metadata:
    return outbox_tag(
        METADATA_EVENT_TYPE,
        delivery,
        rule_id=notice.rule_id or 0,
        episode_id=notice.episode_id or 0,
        kind=notice.kind.value,
    )


def _in_thread(outcome: Outcome, thread_ts: str | None) -> Outcome:
    # A reply's result names its thread too (what the post's later items may need).
    if isinstance(outcome, Sent) and thread_ts is not None:
        return Sent({**outcome.result, "thread_ts": thread_ts})
    return outcome
