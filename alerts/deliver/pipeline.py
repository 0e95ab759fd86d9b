"""The delivery pipeline: the stages (`stages.py`) composed once, and the sender loop.

`deliver_once` is one pass: claim → order → prepare (in one transaction), then per lane, in
parallel across lanes and in order within one: send → record, while the pass's claims are
renewed beside (`claims.Claims`). No transaction is held across a network call, so a crash
loses at most the record of sends in flight, which the send stage's look-up recovers on the
next claim. A pass whose claim on an item was taken over (it stalled past the lease) neither
sends it nor records its result: that is the new holder's. `run_sender` repeats passes until
told to stop, one sender for Slack and one for webhooks, so neither family waits for the
other's slowest receiver; it is the one sender loop (the worker runs it).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.deliver.claims import Claims
from alerts.deliver.receiver import Delivery, Permanent, Receiver, Retry, Sent
from alerts.deliver.stages import (
    DEFAULT_DEADLINE,
    Backoff,
    Claim,
    Order,
    Prepare,
    Record,
    Send,
)
from alerts.observer import NO_OBSERVER, Observer
from storage import DEFAULT_LEASE, Database, OutboxItem, utcnow
from storage.models import OutboxKind

log = logging.getLogger(__name__)


@dataclass
class DeliveryReport:
    """What one pass did, by outbox item id."""

    claimed: int = 0
    sent: list[int] = field(default_factory=list)
    #: Sent items that an earlier, unrecorded attempt had already delivered (also in `sent`).
    adopted: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    #: Retried items a rate limit turned away (also in `retried`): not failed attempts.
    throttled: list[int] = field(default_factory=list)
    #: How many of `throttled` went to each receiver (by outbox kind), for the metrics.
    throttled_by_receiver: Counter[str] = field(default_factory=Counter)
    #: Put back untried, behind an older item of the same lane.
    held: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    #: Users told (by direct message) that a channel refuses what they set up.
    told: list[str] = field(default_factory=list)
    #: Items whose claim another sender took over (this one stalled past the lease): not
    #: sent, or their result not recorded; the new holder settles them.
    stale: list[int] = field(default_factory=list)


Lane = list[tuple[OutboxItem, Delivery | Permanent]]


@dataclass(frozen=True)
class Pipeline:
    """The stages of a pass, composed; `run` is one pass over the due items."""

    claim: Claim
    order: Order
    prepare: Prepare
    send: Send
    record: Record
    #: Seconds between renewals of the pass's claims (None: a third of the lease).
    renew_every: float | None = None

    async def run(self, db: Database, clock: Callable[[], datetime]) -> DeliveryReport:
        report = DeliveryReport()
        lanes: list[Lane] = []
        async with db.transaction() as tx:
            items = await self.claim(tx, clock())
            report.claimed = len(items)
            ordered, held = await self.order(tx, items, clock())
            report.held.extend(h.item_id for h in held)
            for lane in ordered:
                lanes.append([(item, await self.prepare(tx, item)) for item in lane])
        if not lanes:
            return report
        claims = Claims(
            (item for lane in lanes for item, _ in lane), self.claim.lease, clock, self.renew_every
        )
        keeper = asyncio.create_task(claims.keep(db))
        try:
            results = await asyncio.gather(
                *(self._run_lane(db, clock, lane, claims, report) for lane in lanes),
                return_exceptions=True,
            )
        finally:
            keeper.cancel()
            await asyncio.wait([keeper])  # stopped: no renewal outlives the pass
        for failed in (r for r in results if isinstance(r, BaseException)):
            # E.g. the database went away mid-pass: the items' leases lapse and they are
            # claimed again (and looked up before any resend); the other lanes went on.
            log.error("a delivery lane failed", exc_info=failed)
        return report

    async def _run_lane(
        self,
        db: Database,
        clock: Callable[[], datetime],
        lane: Lane,
        claims: Claims,
        report: DeliveryReport,
    ) -> None:
        for index, (item, prepared) in enumerate(lane):
            if not claims.holds(item.id):
                # Lost, or lapsed unrenewed (the database away): another sender may hold it,
                # and the rest of the lane must not overtake it.
                log.warning("outbox item %s: claim lost before sending; left for later", item.id)
                unsent = [waiting.id for waiting, _ in lane[index:]]
                claims.done(*unsent)  # lapsing, they are claimed again (by whoever is first)
                report.stale.extend(unsent)
                return
            attempt = await self.send(item.kind, prepared)
            outcome = attempt.outcome
            receiver = self.send.receiver_for(item.kind)
            recorded = await self.record(
                db, item, prepared, outcome, receiver, clock(), claim=claims.token(item.id)
            )
            claims.done(item.id)
            if recorded.stale:
                report.stale.append(item.id)
                # What is still this pass's in the lane goes back due now, behind the item
                # (the order stage holds it again until the new holder has settled that one).
                later = [waiting for waiting, _ in lane[index + 1 :]]
                async with db.transaction() as tx:
                    await self.order.hold(tx, later, item.id, clock())
                claims.done(*(waiting.id for waiting in later))
                return
            if attempt.adopted:
                report.adopted.append(item.id)
            if recorded.told is not None:
                report.told.append(recorded.told)
            if isinstance(outcome, Sent):
                report.sent.append(item.id)
            elif recorded.retry_at is None:
                report.dead.append(item.id)
            else:
                report.retried.append(item.id)
                if isinstance(outcome, Retry) and outcome.throttled:
                    report.throttled.append(item.id)
                    report.throttled_by_receiver[item.kind] += 1
                later = [waiting for waiting, _ in lane[index + 1 :]]
                async with db.transaction() as tx:
                    await self.order.hold(tx, later, item.id, recorded.retry_at)
                claims.done(*(waiting.id for waiting in later))
                report.held.extend(waiting.id for waiting in later)
                return


def pipeline(
    receivers: Iterable[Receiver],
    *,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    deadline: float = DEFAULT_DEADLINE,
    kinds: frozenset[OutboxKind] | None = None,
    renew_every: float | None = None,
) -> Pipeline:
    """The stages over `receivers`: at most `limit` items a pass (of `kinds` only, if given),
    each leased for `lease` and the lease renewed every `renew_every` seconds (default: a
    third of it) until its outcome is recorded, each send given at most `deadline` seconds."""
    return Pipeline(
        claim=Claim(limit, lease, kinds),
        order=Order(),
        prepare=Prepare(),
        send=Send(receivers, deadline),
        record=Record(backoff or Backoff(), rng),
        renew_every=renew_every,
    )


async def deliver_once(
    db: Database,
    receivers: Iterable[Receiver],
    *,
    now: datetime | None = None,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
    deadline: float = DEFAULT_DEADLINE,
    renew_every: float | None = None,
) -> DeliveryReport:
    """One pass over the due items (at most `limit`); returns what happened to each. `now`
    pins the clock (claims, retry times) for tests; None is the real time."""
    stages = pipeline(
        receivers,
        limit=limit,
        lease=lease,
        backoff=backoff,
        rng=rng,
        deadline=deadline,
        renew_every=renew_every,
    )
    return await stages.run(db, (lambda: now) if now is not None else utcnow)


def families(receivers: Iterable[Receiver]) -> dict[str, list[Receiver]]:
    """The receivers by the family of lanes they serve ('slack', 'webhook'): each family gets
    a sender of its own, so a slow webhook never holds a Slack pass (nor the reverse)."""
    grouped: dict[str, list[Receiver]] = {}
    for receiver in receivers:
        family = "webhook" if receiver.kinds <= {"webhook"} else "slack"
        grouped.setdefault(family, []).append(receiver)
    return grouped


async def run_sender(
    db: Database,
    receivers: Sequence[Receiver],
    stop: asyncio.Event,
    interval: float = 1.0,
    *,
    wake: asyncio.Event | None = None,
    observer: Observer = NO_OBSERVER,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff | None = None,
    deadline: float = DEFAULT_DEADLINE,
) -> None:
    """Deliver until `stop` is set: one sender per family of receivers (`families`), side by
    side, each claiming only its own kinds; each makes a pass every `interval` seconds, right
    away while passes come back full, and as soon as `wake` is set (new items queued). Starts
    by releasing claims a crashed sender left behind. Each pass is reported to `observer`; a
    failing pass (e.g. the database is briefly away) is logged and tried again next
    interval."""
    async with db.transaction() as tx:
        released = await tx.outbox.release_expired()
    if released:
        log.info("released %d outbox item(s) a previous sender left unfinished", released)
    senders: list[tuple[Pipeline, asyncio.Event]] = []
    # No receivers at all: one sender still makes its passes (and retries what it claims).
    for group in families(receivers).values() or [[]]:
        kinds = frozenset(kind for receiver in group for kind in receiver.kinds) or None
        stages = pipeline(
            group, limit=limit, lease=lease, backoff=backoff, deadline=deadline, kinds=kinds
        )
        senders.append((stages, asyncio.Event()))
    async with asyncio.TaskGroup() as tasks:
        if wake is not None:
            tasks.create_task(_relay(wake, [own for _, own in senders], stop))
        for stages, own in senders:
            tasks.create_task(_send_until(db, stages, stop, interval, own, observer, limit))


async def _send_until(
    db: Database,
    stages: Pipeline,
    stop: asyncio.Event,
    interval: float,
    wake: asyncio.Event,
    observer: Observer,
    limit: int,
) -> None:
    while not stop.is_set():
        report: DeliveryReport | None = None
        try:
            report = await stages.run(db, utcnow)
        except Exception:
            log.exception("delivery pass failed; trying again in %.1fs", interval)
        if report is not None:
            observer.deliveries("sent", len(report.sent))
            observer.deliveries("retried", len(report.retried))
            observer.deliveries("dead", len(report.dead))
            observer.deliveries("stale", len(report.stale))
            for receiver, count in report.throttled_by_receiver.items():
                observer.throttled(receiver, count)
            if report.claimed >= limit:
                continue
        wake.clear()
        await _first_of(stop, wake, within=interval)


async def _relay(wake: asyncio.Event, senders: list[asyncio.Event], stop: asyncio.Event) -> None:
    """Pass each setting of `wake` on to every sender (each clears its own event)."""
    while not stop.is_set():
        await _first_of(stop, wake, within=60.0)
        if wake.is_set():
            wake.clear()
            for sender in senders:
                sender.set()


async def _first_of(stop: asyncio.Event, wake: asyncio.Event | None, *, within: float) -> None:
    """Wait until `stop` or `wake` is set, or `within` seconds pass."""
    waiters = [asyncio.ensure_future(event.wait()) for event in (stop, wake) if event is not None]
    try:
        await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
