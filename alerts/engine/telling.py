"""What a team's part of a cycle shares and counts, and how a notice goes into the outbox.

Everything runs inside the caller's transaction. Every item has a dedupe key, so running the
same step twice (a retried cycle) never adds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.notice import AlertNotice
from alerts.outbox import AlertKind, enqueue_alert, enqueue_webhook
from storage import OutboxItem, Transaction, Webhook

#: How often a lasting episode is told again (an UPDATE).
REPEAT_INTERVAL = timedelta(hours=1)


@dataclass(frozen=True)
class Context:
    """What a team's part of a cycle shares: the time, the zone, the team's webhooks, and the
    detectors' nominal interval (how alerts word a rate, where a level shift began)."""

    now: datetime
    timezone: str
    webhooks: Sequence[Webhook]
    repeat_interval: timedelta = REPEAT_INTERVAL
    interval_seconds: float = 300.0


@dataclass
class Tally:
    """What a cycle did (for logs, tests and the bench)."""

    fired: int = 0
    announced: int = 0
    updated: int = 0
    resolved: int = 0
    items: int = 0
    outages: int = 0
    recoveries: int = 0
    events: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in ("fired", "announced", "updated", "resolved", "items", "outages", "recoveries"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.events += other.events


async def enqueue_notice(
    tx: Transaction,
    notice: AlertNotice,
    *,
    kind: AlertKind,
    channel: str,
    key: str,
    episode_id: int | None,
    depends_on: int | None,
    ctx: Context,
    tally: Tally,
) -> OutboxItem:
    """Put `notice` in the outbox as one `kind` item to `channel` (deduplicated by `key`)."""
    item = await enqueue_alert(
        tx,
        notice,
        kind=kind,
        channel=channel,
        dedupe_key=key,
        episode_id=episode_id,
        depends_on=depends_on,
        now=ctx.now,
    )
    tally.items += 1
    return item


async def enqueue_webhooks(
    tx: Transaction,
    notice: AlertNotice,
    key: str,
    episode_id: int | None,
    ctx: Context,
    tally: Tally,
) -> None:
    """Put `notice` in the outbox once per webhook of the team (keys `{key}:wh{id}`)."""
    for webhook in ctx.webhooks:
        await enqueue_webhook(
            tx,
            notice,
            webhook.id,
            dedupe_key=f"{key}:wh{webhook.id}",
            episode_id=episode_id,
            now=ctx.now,
        )
        tally.items += 1
