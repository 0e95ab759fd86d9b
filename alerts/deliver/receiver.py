"""The one interface every receiver (Slack, webhooks) implements, and what it answers.

A receiver turns one `Delivery` into one `Outcome` and nothing else: it never touches the
database, never sleeps for a retry and never decides twice. The pipeline (`pipeline.py`) claims
items, asks the receiver, and records the outcome:

- `Sent(result)`: delivered; `result` is kept on the outbox item (Slack: channel and ts).
- `Retry(reason, after)`: a passing failure (rate limit, 5xx, network); try again in `after`
  seconds when the other side said so (Retry-After), else after the pipeline's backoff.
- `Permanent(reason, notify_creator)`: retrying cannot help; the item is given up on (kept as
  'dead'). With `notify_creator`, the rule's creator is told once, in a direct message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from alerts.notice import AlertNotice
from storage.models import OutboxKind


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
    notice: AlertNotice
    #: How many times the item was claimed, this claim included: > 1 means an earlier attempt
    #: may have reached the other side.
    attempts: int
    created_at: datetime
    #: Slack kinds: the channel the payload names (for a post, where it goes).
    channel: str | None = None
    #: slack.update / slack.reply: what the post this item depends on produced
    #: (`{"channel", "ts"}`).
    parent: dict[str, Any] | None = None
    webhook: WebhookTarget | None = None


@dataclass(frozen=True)
class Sent:
    """Delivered; `result` is stored on the item (and read by the items that depend on it)."""

    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Retry:
    """Not delivered this time, may be next time: due again in `after` seconds if given."""

    reason: str
    after: float | None = None


@dataclass(frozen=True)
class Permanent:
    """Never deliverable as it is. `reason` is kept on the dead item; with `notify_creator`
    the pipeline tells the rule's creator once (`reason` is then Slack's error code)."""

    reason: str
    notify_creator: bool = False


Outcome = Sent | Retry | Permanent


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
    """A receiver that can also write to a user directly (Slack): used to tell a rule's
    creator that its channel refuses alerts."""

    async def tell_creator(self, user_id: str, text: str, blocks: list[dict[str, Any]]) -> bool:
        """Send a direct message; True if it arrived."""
        ...
