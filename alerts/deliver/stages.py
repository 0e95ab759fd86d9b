"""The stages of one delivery pass, each small enough to test alone (`pipeline` composes them).

- `Claim`: up to `limit` due items, leased (`Outbox.claim_due`);
- `Order`: items go out in id order per lane (a Slack channel, a webhook). An item with an
  older undelivered item in its lane waits for it (it is put back, due when that one is), and
  when an item must be retried the later items of its lane in the batch wait with it (`hold`);
- `Prepare`: decode the payload and read what delivering needs (the parent post's channel/ts,
  the webhook's URL and secret) in the claiming transaction;
- `Send`: dedup, then deliver, within an overall deadline per attempt (`asyncio.timeout`: a
  receiver that answers slowly cannot hold its lane longer). An item claimed before
  (`attempts > 1`) may have arrived although it was not recorded (a crash between send and
  record): the receiver's `find_delivered` is asked first, and an earlier delivery it finds is
  adopted instead of sent again;
- `Record`, one short transaction per item, fenced by the item's claim (a sender whose claim
  was taken over records nothing: `Recorded.stale`): `Sent` → 'sent' with its result; `Retry` →
  'failed', due again after Retry-After (a rate limit's plus a little jitter; it does not count
  as a failed attempt, so it never grows the backoff) or a jittered exponential backoff capped at
  `Backoff.cap`; `Permanent` → 'dead'. The payload's hooks (`hooks.py`) write what else the
  outcome changes, and name the creator to tell by direct message, which is sent after the
  transaction.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from alerts.deliver.hooks import hooks_for
from alerts.deliver.receiver import (
    CreatorMessenger,
    Delivery,
    Outcome,
    Permanent,
    Receiver,
    Retry,
    Sent,
    WebhookTarget,
)
from alerts.outbox import WebhookPayload, decode_payload
from storage import DEFAULT_LEASE, Database, OutboxItem, Transaction
from storage.models import OutboxKind

log = logging.getLogger(__name__)

#: A held item is looked at again no sooner than this (its blocker may be in flight elsewhere).
HOLD_AT_LEAST = timedelta(seconds=1)
#: When no receiver in this process handles an item's kind (e.g. a webhook-less setup).
NO_RECEIVER_RETRY = 60.0
#: The longest one send may take, look-up included (`Send`), unless set otherwise.
DEFAULT_DEADLINE = 30.0
#: The longest wait between two attempts after a failure (`Backoff.cap`), unless set otherwise.
#: Alerts are promised within 30 s of Slack's recovery: a lane's head may have just failed and
#: wait the whole cap, then the items behind it go at Slack's pace of 1 s per channel, so the
#: cap leaves room for those (a 30 s cap made the storm bench 30.7 s).
DEFAULT_BACKOFF_CAP = 20.0


def lane_of(kind: OutboxKind, target: str) -> str:
    """The lane an item goes out in: one per Slack channel (posts, edits, replies, digests
    alike) and one per webhook."""
    family = "webhook" if kind == "webhook" else "slack"
    return f"{family}:{target}"


@dataclass(frozen=True)
class Claim:
    limit: int = 20
    lease: timedelta = DEFAULT_LEASE
    #: Only items of these kinds (one sender per family: see `pipeline.run_sender`).
    kinds: frozenset[OutboxKind] | None = None

    async def __call__(self, tx: Transaction, now: datetime) -> Sequence[OutboxItem]:
        """The due items, oldest first, leased to this pass until `now + lease`."""
        return await tx.outbox.claim_due(now, self.limit, lease=self.lease, kinds=self.kinds)


@dataclass(frozen=True)
class Held:
    """An item put back untried: it waits for `blocker`, and is due again at `retry_at`."""

    item_id: int
    blocker: int
    retry_at: datetime


class Order:
    async def __call__(
        self, tx: Transaction, items: Sequence[OutboxItem], now: datetime
    ) -> tuple[list[list[OutboxItem]], list[Held]]:
        """The batch as lanes, each in id order, and the items put back behind an older
        undelivered item of their lane outside the batch."""
        blocked = await self._blockers(tx, items, now)
        lanes: dict[str, list[OutboxItem]] = {}
        held: list[Held] = []
        for item in items:
            lane = lane_of(item.kind, item.target)
            if lane in blocked:
                blocker, retry_at = blocked[lane]
                await self.hold(tx, [item], blocker, retry_at)
                held.append(Held(item.id, blocker, retry_at))
            else:
                lanes.setdefault(lane, []).append(item)
        return list(lanes.values()), held

    async def hold(
        self, tx: Transaction, items: Iterable[OutboxItem], blocker: int, retry_at: datetime
    ) -> None:
        """Put `items` back untried (their claim not counted), due at `retry_at`, behind item
        `blocker`; those whose claim was taken over meanwhile are left to their new holder."""
        for item in items:
            await tx.outbox.mark_failed(
                item.id,
                f"waiting for outbox item {blocker}",
                retry_at,
                tried=False,
                claim=item.claim_token,
            )

    async def _blockers(
        self, tx: Transaction, items: Sequence[OutboxItem], now: datetime
    ) -> dict[str, tuple[int, datetime]]:
        """Lanes of this batch that an older undelivered item outside it blocks: lane → (that
        item's id, when to look again)."""
        older = await tx.outbox.older_undelivered(
            {item.target for item in items}, [item.id for item in items]
        )
        oldest: dict[str, tuple[int, datetime]] = {}
        for item_id, kind, target, due in older:
            oldest.setdefault(lane_of(kind, target), (item_id, max(due, now + HOLD_AT_LEAST)))
        first: dict[str, int] = {}
        for item in items:
            first.setdefault(lane_of(item.kind, item.target), item.id)
        return {lane: hit for lane, hit in oldest.items() if lane in first and hit[0] < first[lane]}


class Prepare:
    async def __call__(self, tx: Transaction, item: OutboxItem) -> Delivery | Permanent:
        """What delivering `item` needs, or why it can never be delivered."""
        try:
            payload = decode_payload(item)
        except (TypeError, ValidationError) as error:
            log.error("outbox item %s has an unreadable payload: %s", item.id, error)
            return Permanent(f"unreadable notice: {type(error).__name__}")
        parent: dict[str, Any] | None = None
        if item.depends_on is not None:
            post = await tx.outbox.get(item.depends_on)
            parent = dict(post.result) if post is not None and post.result else None
        webhook: WebhookTarget | None = None
        if isinstance(payload, WebhookPayload):
            found = await tx.webhooks.get(item.team_id, payload.webhook_id)
            if found is None:
                return Permanent("the webhook was removed")
            webhook = WebhookTarget(found.id, found.url, found.secret)
        return Delivery(
            id=item.id,
            team_id=item.team_id,
            kind=item.kind,
            payload=payload,
            attempts=item.attempts,
            created_at=item.created_at,
            episode_id=item.episode_id,
            parent=parent,
            webhook=webhook,
        )


@dataclass(frozen=True)
class Attempt:
    """What sending came to; `adopted` when an earlier, unrecorded attempt had delivered."""

    outcome: Outcome
    adopted: bool = False


class Send:
    def __init__(self, receivers: Iterable[Receiver], deadline: float = DEFAULT_DEADLINE) -> None:
        self.routes: dict[OutboxKind, Receiver] = {k: r for r in receivers for k in r.kinds}
        self.deadline = deadline

    def receiver_for(self, kind: OutboxKind) -> Receiver | None:
        return self.routes.get(kind)

    async def __call__(self, kind: OutboxKind, prepared: Delivery | Permanent) -> Attempt:
        """Deliver once (or adopt an earlier delivery) within `deadline` seconds, look-up
        included; never raises. Past the deadline the attempt is a `Retry` (it may have
        arrived: the next attempt looks first)."""
        if isinstance(prepared, Permanent):
            return Attempt(prepared)
        receiver = self.receiver_for(kind)
        if receiver is None:
            return Attempt(Retry(f"no receiver for {kind} here", after=NO_RECEIVER_RETRY))
        try:
            async with asyncio.timeout(self.deadline):
                if prepared.attempts > 1:
                    found = await receiver.find_delivered(prepared)
                    if found is not None:
                        return Attempt(found, adopted=isinstance(found, Sent))
                return Attempt(await receiver.deliver(prepared))
        except TimeoutError:
            log.warning(
                "outbox item %s (%s): no answer within %gs", prepared.id, kind, self.deadline
            )
            return Attempt(Retry(f"no answer within {self.deadline:g}s"))
        except Exception as error:
            # A receiver bug must not stop the other lanes, nor lose the item.
            log.exception("delivering outbox item %s failed unexpectedly", prepared.id)
            return Attempt(Retry(f"unexpected {type(error).__name__}: {error}"))


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number `attempts`: `base * factor**(attempts-1)`, capped, with "equal
    jitter" (between half and all of it) so failed items spread out instead of coming back in
    one burst."""

    base: float = 5.0
    factor: float = 2.0
    #: Alerts are worth little late: a failing receiver is tried at least this often.
    cap: float = DEFAULT_BACKOFF_CAP
    #: A rate limit's wait (Retry-After) gets up to this share on top, so the items it
    #: turned away do not all come back in the same instant.
    after_jitter: float = 0.1

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        exponent = min(max(attempts - 1, 0), 64)
        full = min(self.cap, self.base * self.factor**exponent)
        return full / 2 + (rng or random).uniform(0, full / 2)

    def asked(self, after: float, rng: random.Random | None = None) -> float:
        """The wait for a rate limit's Retry-After of `after` seconds: that, plus a little
        jitter."""
        return after + (rng or random).uniform(0, after * self.after_jitter)


@dataclass(frozen=True)
class Recorded:
    """What recording did beyond the item: when it is due again (if retried), and the user
    told by direct message (if any); `stale` when nothing was recorded because the claim had
    been taken over by another sender."""

    retry_at: datetime | None = None
    told: str | None = None
    stale: bool = False


@dataclass(frozen=True)
class Record:
    backoff: Backoff = Backoff()
    rng: random.Random | None = None

    async def __call__(
        self,
        db: Database,
        item: OutboxItem,
        prepared: Delivery | Permanent,
        outcome: Outcome,
        receiver: Receiver | None,
        now: datetime,
        *,
        claim: int | None = None,
    ) -> Recorded:
        """Store the outcome and run the payload's hooks, in one transaction, if the item's
        claim (`claim`, default: the one `item` was claimed with) still holds it; then send the
        direct message the hooks asked for, if `receiver` can."""
        delivery = prepared if isinstance(prepared, Delivery) else None
        hooks = hooks_for(delivery.payload) if delivery is not None else None
        retry_at: datetime | None = None
        tell = None
        token = item.claim_token if claim is None else claim
        async with db.transaction() as tx:
            if isinstance(outcome, Sent):
                if not await tx.outbox.mark_sent(item.id, outcome.result, now=now, claim=token):
                    return self._stale(item, outcome)
                if delivery is not None and hooks is not None:
                    await hooks.after_sent(tx, delivery, outcome.result)
            elif isinstance(outcome, Retry):
                if outcome.after is None:
                    delay = self.backoff.delay(item.attempts, self.rng)
                elif outcome.throttled:
                    delay = self.backoff.asked(outcome.after, self.rng)
                else:
                    delay = outcome.after
                retry_at = now + timedelta(seconds=delay)
                if not await tx.outbox.mark_failed(
                    item.id, outcome.reason, retry_at, tried=not outcome.throttled, claim=token
                ):
                    return self._stale(item, outcome)
            else:
                if not await tx.outbox.mark_dead(item.id, outcome.reason, claim=token):
                    return self._stale(item, outcome)
                if delivery is not None and hooks is not None:
                    tell = await hooks.on_dead(tx, delivery, outcome)
        told = (
            tell is not None
            and delivery is not None
            and isinstance(receiver, CreatorMessenger)
            and await receiver.tell_creator(delivery.team_id, tell.user_id, tell.text, tell.blocks)
        )
        if told and tell is not None:
            return Recorded(retry_at, told=tell.user_id)
        return Recorded(retry_at)

    @staticmethod
    def _stale(item: OutboxItem, outcome: Outcome) -> Recorded:
        # Another sender holds the item now and will settle it; if this one's send arrived,
        # that sender finds it in the channel (attempts > 1) and adopts it, not resending.
        log.warning(
            "outbox item %s: %s not recorded, its claim was taken over by another sender",
            item.id,
            type(outcome).__name__.lower(),
        )
        return Recorded(stale=True)
