"""The transactional outbox: messages to Slack and webhooks, written in the same transaction as
the change they announce and delivered later by a sender.

Life of an item: 'pending' -> (claim) 'sending' -> 'sent', or -> 'failed' (retried from
`next_attempt_at`) or 'dead' (kept, never retried until `requeue_dead`). What callers may rely on:

- `enqueue` is idempotent per (team, dedupe_key): the second call returns the first item.
- `claim_due` hands each due item to one claimer only (PostgreSQL: `FOR UPDATE SKIP LOCKED`;
  SQLite: transactions are serialised by `BEGIN IMMEDIATE`), oldest first, and never an item
  whose `depends_on` item is not 'sent' yet. A claim is a lease: an item still 'sending' when
  its lease lapses (its sender crashed or stalled) is claimable again, and `release_expired`
  puts such items back to 'pending' at start-up. The sender keeps its claims with `renew`
  while it works on them. `attempts` counts claims, the current one included, but not those
  put back untried (`mark_failed(tried=False)`), so `attempts > 1` means an earlier attempt
  may have reached Slack: look for the item's id in the message metadata of recent channel
  history before posting again.
- Claims are fenced: each claim raises the item's `claim_token`, and `mark_*` given the
  `claim` a sender was handed apply only while the item is still 'sending' under that token.
  A sender whose claim was taken over gets False, and its result is not recorded.
- Once 'sent', an item stays 'sent': a late `mark_failed` or `mark_dead` is ignored, fenced
  or not.

`enqueue` and the upkeep inherited from `OutboxUpkeep` (counts, requeues, pruning) are scoped
by team; `claim_due`, `renew`, `get` and the `mark_*` methods work by item id across teams:
they are the sender's, not for Slack commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from storage.models import AlertEpisode, OutboxItem, OutboxKind
from storage.outbox_upkeep import UNDELIVERED, OutboxUpkeep
from storage.types import utcnow

#: How long a claim lasts unless the sender says otherwise or renews it. Short, because a
#: killed sender's items wait this long to be taken over; the sender renews its claims every
#: third of it while it works on them (`alerts.deliver.stages.Renew`).
DEFAULT_LEASE = timedelta(seconds=20)


class Outbox(OutboxUpkeep):
    async def enqueue(
        self,
        team_id: str,
        *,
        kind: OutboxKind,
        target: str,
        payload: dict[str, Any],
        dedupe_key: str,
        episode_id: int | None = None,
        depends_on: int | None = None,
        not_before: datetime | None = None,
        now: datetime | None = None,
    ) -> OutboxItem:
        """Add an item, or return the team's existing item with the same `dedupe_key` (which
        is left exactly as it was). `depends_on` and `episode_id` must be the team's own
        (LookupError otherwise). The item is due from `not_before` (default: now); if the item
        it depends on is dead, it is added dead too (with that reason), never left waiting."""
        if episode_id is not None:
            episode = await self.session.get(AlertEpisode, episode_id)
            if episode is None or episode.team_id != team_id:
                raise LookupError(f"team {team_id} has no episode {episode_id}")
        parent = None if depends_on is None else await self._get_for_team(team_id, depends_on)
        if depends_on is not None and parent is None:
            raise LookupError(f"team {team_id} has no outbox item {depends_on}")
        now = now or utcnow()
        # Behind a dead post the item could never go out, and would hold its lane: it is
        # settled dead with it (and requeued with it, `requeue_dead_in`).
        settled = parent is not None and parent.status == "dead"
        values: dict[str, Any] = {
            "team_id": team_id,
            "kind": kind,
            "target": target,
            "payload": payload,
            "dedupe_key": dedupe_key,
            "episode_id": episode_id,
            "depends_on": depends_on,
            "status": "dead" if settled else "pending",
            "last_error": f"depends on outbox item {depends_on}, dead" if settled else None,
            "attempts": 0,
            "next_attempt_at": not_before or now,
            "created_at": now,
        }
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = (
            dialect.insert(OutboxItem)
            .values(values)
            .on_conflict_do_nothing(index_elements=["team_id", "dedupe_key"])
        )
        await self.session.execute(statement)
        query = select(OutboxItem).where(
            OutboxItem.team_id == team_id, OutboxItem.dedupe_key == dedupe_key
        )
        return (await self.session.scalars(query)).one()

    async def get(self, item_id: int) -> OutboxItem | None:
        """Any team's item by id (for the sender, e.g. to read a parent's `result`)."""
        return await self.session.get(OutboxItem, item_id)

    async def claim_due(
        self,
        now: datetime | None = None,
        limit: int = 10,
        *,
        lease: timedelta = DEFAULT_LEASE,
        kinds: Iterable[OutboxKind] | None = None,
    ) -> Sequence[OutboxItem]:
        """Take up to `limit` due items (any team; of `kinds` only, if given), oldest first,
        marking them 'sending' with a lease until `now + lease` and a new `claim_token` each
        (the fencing token to give `renew` and `mark_*`). Due: 'pending' or 'failed' with
        `next_attempt_at <= now`, or 'sending' with a lapsed lease; and no `depends_on`, or
        that item is 'sent'."""
        now = now or utcnow()
        parent = aliased(OutboxItem)
        parent_sent = (
            select(parent.id).where(parent.id == OutboxItem.depends_on, parent.status == "sent")
        ).exists()
        due = or_(
            OutboxItem.status.in_(("pending", "failed")) & (OutboxItem.next_attempt_at <= now),
            (OutboxItem.status == "sending") & (OutboxItem.lease_expires_at <= now),
        )
        candidates = (
            select(OutboxItem.id)
            .where(due, OutboxItem.depends_on.is_(None) | parent_sent)
            .where(OutboxItem.kind.in_(set(kinds)) if kinds is not None else true())
            .order_by(OutboxItem.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=OutboxItem)
        )
        ids = list((await self.session.scalars(candidates)).all())
        if not ids:
            return []
        await self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .values(
                status="sending",
                attempts=OutboxItem.attempts + 1,
                lease_expires_at=now + lease,
                claim_token=OutboxItem.claim_token + 1,
            )
            .execution_options(synchronize_session=False)
        )
        claimed = (
            select(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .order_by(OutboxItem.id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(claimed)).all()

    async def renew(self, claims: Mapping[int, int], until: datetime) -> set[int]:
        """Extend the leases of the claims still held (item id → `claim_token`) to `until`;
        returns the ids of those, so the rest are the claims lost (taken over, or settled)."""
        if not claims:
            return set()
        held = and_(
            OutboxItem.status == "sending",
            or_(*((OutboxItem.id == i) & (OutboxItem.claim_token == t) for i, t in claims.items())),
        )
        rows = await self.session.execute(
            update(OutboxItem)
            .where(held)
            .values(lease_expires_at=until)
            .returning(OutboxItem.id)
            .execution_options(synchronize_session=False)
        )
        return set(rows.scalars().all())

    async def older_undelivered(
        self, targets: Iterable[str], batch: Sequence[int]
    ) -> Sequence[tuple[int, OutboxKind, str, datetime]]:
        """Undelivered items for `targets` that are older than the newest of the `batch` ids
        and not in it, oldest first, as (id, kind, target, next_attempt_at): what a sender's
        batch may have to wait for."""
        if not batch:
            return []
        rows = await self.session.execute(
            select(OutboxItem.id, OutboxItem.kind, OutboxItem.target, OutboxItem.next_attempt_at)
            .where(
                OutboxItem.target.in_(set(targets)),
                OutboxItem.status.in_(UNDELIVERED),
                OutboxItem.id.not_in(batch),
                OutboxItem.id < max(batch),
            )
            .order_by(OutboxItem.id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    async def mark_sent(
        self,
        item_id: int,
        result: dict[str, Any] | None = None,
        *,
        now: datetime | None = None,
        claim: int | None = None,
    ) -> bool:
        """Record delivery and what it produced (e.g. the Slack channel and ts). With `claim`,
        only while that claim holds the item (False otherwise)."""
        item = await self._locked(item_id, claim)
        if item is None:
            return False
        item.status = "sent"
        item.sent_at = now or utcnow()
        item.result = result
        item.lease_expires_at = None
        item.last_error = None
        await self.session.flush()
        return True

    async def mark_failed(
        self,
        item_id: int,
        error: str,
        retry_at: datetime,
        *,
        tried: bool = True,
        claim: int | None = None,
    ) -> bool:
        """Record a failed attempt; the item is due again at `retry_at`. With `tried=False`
        (put back untried, or turned away unread by a rate limit) the claim is not counted in
        `attempts`. False if the item is unknown or already 'sent', or `claim` (if given) no
        longer holds it."""
        item = await self._locked(item_id, claim)
        if item is None or item.status == "sent":
            return False
        if not tried:
            item.attempts = max(item.attempts - 1, 0)
        item.status = "failed"
        item.last_error = error
        item.next_attempt_at = retry_at
        item.lease_expires_at = None
        await self.session.flush()
        return True

    async def mark_dead(self, item_id: int, error: str, *, claim: int | None = None) -> bool:
        """Give up on the item (kept for inspection and `requeue_dead`), and on the items that
        wait for it. False if the item is unknown or already 'sent', or `claim` (if given) no
        longer holds it."""
        item = await self._locked(item_id, claim)
        if item is None or item.status == "sent":
            return False
        item.status = "dead"
        item.last_error = error
        item.lease_expires_at = None
        waiting = [item_id]
        while waiting:
            dependants = await self.session.scalars(
                select(OutboxItem).where(
                    OutboxItem.depends_on.in_(waiting), OutboxItem.status.in_(("pending", "failed"))
                )
            )
            waiting = []
            for dependant in dependants:
                dependant.status = "dead"
                dependant.last_error = f"depends on outbox item {dependant.depends_on}, dead"
                waiting.append(dependant.id)
        await self.session.flush()
        return True

    async def release_expired(self, now: datetime | None = None) -> int:
        """Put items whose lease lapsed back to 'pending' (run at start-up: what a crashed
        sender left 'sending'). Returns how many."""
        result = await self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.status == "sending", OutboxItem.lease_expires_at <= (now or utcnow()))
            .values(status="pending", lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _get_for_team(self, team_id: str, item_id: int) -> OutboxItem | None:
        item = await self.session.get(OutboxItem, item_id)
        return item if item is not None and item.team_id == team_id else None

    async def _locked(self, item_id: int, claim: int | None = None) -> OutboxItem | None:
        """The item, locked for the rest of the transaction; None if unknown, or if `claim` is
        given and no longer holds it (the row lock keeps a new claim from slipping in between
        this check and the write)."""
        item = await self.session.get(
            OutboxItem, item_id, with_for_update=True, populate_existing=True
        )
        if item is None or claim is None:
            return item
        return item if item.status == "sending" and item.claim_token == claim else None
