"""The one interface every receiver (Slack, webhooks, digests) implements, and what it answers.

A receiver turns one `Delivery` into one `Outcome` and nothing else: it never touches the
database, never sleeps for a retry and never decides twice. The pipeline (`pipeline.py`) claims
items, asks the receiver, and records the outcome:

- `Sent(result)`: delivered; `result` is kept on the outbox item (Slack: channel and ts).
- `Retry(reason, after, throttled)`: a passing failure (rate limit, 5xx, network); try again in
  `after` seconds when the other side said so (Retry-After), else after the pipeline's backoff.
  `throttled` says the other side turned the attempt away unread (a rate limit): it did not
  arrive, and it does not grow the backoff.
- `Permanent(reason, notify_creator)`: retrying cannot help; the item is given up on (kept as
  'dead'). With `notify_creator`, whoever set up what failed is told in a direct message (see
  `hooks.py`: a rule's creator once per breakage, a digest's creator).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from alerts.outbox import AlertPayload, DigestPayload, WebhookPayload
from storage.models import OutboxKind

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WebhookTarget:
    """Where a webhook item goes, read from the team's webhook when the item is claimed."""

    id: int
    url: str
    secret: str


@dataclass(frozen=True)
class Delivery:
    """One claimed outbox item with everything a receiver needs to deliver it."""

    id: int
    team_id: str
    kind: OutboxKind
    payload: AlertPayload | WebhookPayload | DigestPayload
    #: How many times the item was claimed, this claim included: > 1 means an earlier attempt
    #: may have reached the other side.
    attempts: int
    created_at: datetime
    #: The alert episode the item announces, if any.
    episode_id: int | None = None
    #: slack.update / slack.reply: what the post this item depends on produced
    #: (`{"channel", "ts"}`).
    parent: dict[str, Any] | None = None
    webhook: WebhookTarget | None = None

    @property
    def channel(self) -> str | None:
        """Where a Slack item goes (a post, a digest); None for a webhook."""
        return None if isinstance(self.payload, WebhookPayload) else self.payload.channel

    @property
    def parent_post(self) -> tuple[str, str] | None:
        """slack.update / slack.reply: the (channel, ts) of the post it edits or replies to,
        None until that post is known."""
        parent = self.parent or {}
        channel, ts = parent.get("channel"), parent.get("ts")
        if not isinstance(channel, str) or not isinstance(ts, str):
            return None
        return channel, ts


@dataclass(frozen=True)
class Sent:
    """Delivered; `result` is stored on the item (and read by the items that depend on it)."""

    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    """Not delivered this time, may be next time: due again in `after` seconds if given.
    `throttled`: refused unread (a rate limit), so not counted as an attempt that failed."""

    reason: str
    after: float | None = None
    throttled: bool = False


@dataclass(frozen=True)
class Permanent:
    """Never deliverable as it is. `reason` is kept on the dead item; with `notify_creator`
    the pipeline tells the creator (`reason` is then Slack's error code)."""

    reason: str
    notify_creator: bool = False


Outcome = Sent | Retry | Permanent


def undeliverable(delivery: Delivery, why: str) -> Permanent:
    """Give up on an item that is wrong as queued (logged as a bug: it is one here)."""
    log.error("outbox item %s cannot be delivered: %s", delivery.id, why)
    return Permanent(why)


class Receiver(Protocol):
    """Delivers the outbox kinds it names in `kinds`."""

    @property
    def kinds(self) -> frozenset[OutboxKind]: ...

    async def deliver(self, delivery: Delivery) -> Outcome:
        """Send the item once. Expected failures come back as `Retry` / `Permanent`; an
        exception is treated by the pipeline as a `Retry` (and logged as a bug)."""
        ...

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """Called instead of trusting `deliver` when `delivery.attempts > 1`: `Sent` when an
        earlier attempt is known to have arrived (so it is adopted, not repeated), None when
        it did not (or cannot be known), `Retry` / `Permanent` when looking failed."""
        ...


@runtime_checkable
class CreatorMessenger(Protocol):
    """A receiver that can also write to a user directly (Slack): used to tell a creator that
    a channel refuses what they set up."""

    async def tell_creator(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        """Send a direct message to `user_id` of workspace `team_id`; True if it arrived."""
        ...
