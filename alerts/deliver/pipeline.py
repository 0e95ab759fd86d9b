"""The delivery pipeline: claim due outbox items, hand each to its receiver, record the outcome.

One pass (`deliver_once`) goes through these stages, each small enough to test alone:

1. claim: up to `limit` due items, leased (`Outbox.claim_due`);
2. order: items go out in id order per lane (a Slack channel, a webhook). An item with an older
   undelivered item in its lane waits for it (it is put back, due when that one is), and when an
   item must be retried the later items of its lane in the batch wait with it;
3. prepare: read what delivering needs (the notice, the parent post's channel/ts, the webhook's
   URL and secret) in the claiming transaction;
4. dedup: an item claimed before (`attempts > 1`) may have arrived although it was not recorded
   (a crash between send and record): the receiver's `find_delivered` is asked first, and an
   earlier delivery it finds is adopted instead of sent again;
5. send: `Receiver.deliver`, lanes in parallel, each lane in order;
6. record, one short transaction per item: `Sent` → 'sent' with its result (a post also
   becomes its episode's message); `Retry` → 'failed', due again after Retry-After or a jittered
   exponential backoff; `Permanent` → 'dead', and for channel errors the rule's creator gets one
   direct message (remembered on the rule, so the next item of that rule does not repeat it;
   forgotten once a post of the rule gets through again).

No transaction is held across a network call, so a crash loses at most the record of sends in
flight, which step 4 recovers. `run_sender` repeats passes until told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select

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
from alerts.messages import channel_problem
from alerts.notice import AlertNotice
from storage import DEFAULT_LEASE, Database, OutboxItem, Transaction, utcnow
from storage.outbox import UNDELIVERED

log = logging.getLogger(__name__)

#: A held item is looked at again no sooner than this (its blocker may be in flight elsewhere).
HOLD_AT_LEAST = timedelta(seconds=1)
#: When no receiver in this process handles an item's kind (e.g. a webhook-less setup).
NO_RECEIVER_RETRY = 60.0


@dataclass(frozen=True)
class Backoff:
    """Delay before retry number `attempts`: `base * factor**(attempts-1)`, capped, with "equal
    jitter" (between half and all of it) so failed items spread out instead of coming back in
    one burst."""

    base: float = 5.0
    factor: float = 2.0
    cap: float = 900.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        exponent = min(max(attempts - 1, 0), 64)
        full = min(self.cap, self.base * self.factor**exponent)
        return full / 2 + (rng or random).uniform(0, full / 2)


@dataclass
class DeliveryReport:
    """What one pass did, by outbox item id."""

    claimed: int = 0
    sent: list[int] = field(default_factory=list)
    #: Sent items that an earlier, unrecorded attempt had already delivered (also in `sent`).
    adopted: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    #: Put back untried, behind an older item of the same lane.
    held: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    #: Users told (by direct message) that their rule's channel refuses alerts.
    told: list[str] = field(default_factory=list)


@dataclass
class _Pass:
    db: Database
    routes: dict[str, Receiver]
    now: datetime | None
    backoff: Backoff
    rng: random.Random | None
    report: DeliveryReport = field(default_factory=DeliveryReport)

    def clock(self) -> datetime:
        return self.now if self.now is not None else utcnow()


async def deliver_once(
    db: Database,
    receivers: Iterable[Receiver],
    *,
    now: datetime | None = None,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff | None = None,
    rng: random.Random | None = None,
) -> DeliveryReport:
    """One pass over the due items (at most `limit`); returns what happened to each.

    `now` pins the clock (claims, retry times) for tests; None is the real time. The lease
    must outlast the pass: with Slack pacing, up to `limit` seconds for one busy channel."""
    run = _Pass(db, {k: r for r in receivers for k in r.kinds}, now, backoff or Backoff(), rng)
    lanes: dict[str, list[tuple[OutboxItem, Delivery | Permanent]]] = {}
    async with db.transaction() as tx:
        items = await tx.outbox.claim_due(run.clock(), limit, lease=lease)
        run.report.claimed = len(items)
        held_lanes = await _blockers(tx, items, run.clock())
        for item in items:
            lane = _lane(item)
            if lane in held_lanes:
                blocker, retry_at = held_lanes[lane]
                await tx.outbox.mark_failed(item.id, f"waiting for outbox item {blocker}", retry_at)
                run.report.held.append(item.id)
                continue
            lanes.setdefault(lane, []).append((item, await _prepare(tx, item)))
    results = await asyncio.gather(
        *(_run_lane(run, lane) for lane in lanes.values()), return_exceptions=True
    )
    for failed in (r for r in results if isinstance(r, BaseException)):
        # E.g. the database went away mid-pass: the items' leases lapse and they are claimed
        # again (and looked up before any resend); the other lanes were not disturbed.
        log.error("a delivery lane failed", exc_info=failed)
    return run.report


async def run_sender(
    db: Database,
    receivers: Iterable[Receiver],
    stop_event: asyncio.Event,
    interval: float = 1.0,
    *,
    limit: int = 20,
    lease: timedelta = DEFAULT_LEASE,
    backoff: Backoff | None = None,
) -> None:
    """Deliver until `stop_event` is set: a pass every `interval` seconds, or right away while
    passes come back full. Starts by releasing claims a crashed sender left behind. A failing
    pass (e.g. the database is briefly away) is logged and tried again next interval."""
    chosen = list(receivers)
    async with db.transaction() as tx:
        released = await tx.outbox.release_expired()
    if released:
        log.info("released %d outbox item(s) a previous sender left unfinished", released)
    while not stop_event.is_set():
        report: DeliveryReport | None = None
        try:
            report = await deliver_once(db, chosen, limit=limit, lease=lease, backoff=backoff)
        except Exception:
            log.exception("delivery pass failed; trying again in %.1fs", interval)
        if report is not None and report.claimed >= limit:
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval)


# --- stages --------------------------------------------------------------------------------------


def _lane(item: OutboxItem) -> str:
    family = "webhook" if item.kind == "webhook" else "slack"
    return f"{family}:{item.target}"


async def _blockers(
    tx: Transaction, items: Sequence[OutboxItem], now: datetime
) -> dict[str, tuple[int, datetime]]:
    """Lanes of this batch that an older undelivered item outside it blocks: lane → (that
    item's id, when to look again)."""
    if not items:
        return {}
    ids = [item.id for item in items]
    rows = await tx.session.execute(
        select(OutboxItem.id, OutboxItem.kind, OutboxItem.target, OutboxItem.next_attempt_at)
        .where(
            OutboxItem.target.in_({item.target for item in items}),
            OutboxItem.status.in_(UNDELIVERED),
            OutboxItem.id.not_in(ids),
            OutboxItem.id < max(ids),
        )
        .order_by(OutboxItem.id)
    )
    oldest: dict[str, tuple[int, datetime]] = {}
    for item_id, kind, target, due in rows:
        lane = f"{'webhook' if kind == 'webhook' else 'slack'}:{target}"
        oldest.setdefault(lane, (item_id, max(due, now + HOLD_AT_LEAST)))
    first: dict[str, int] = {}
    for item in items:
        first.setdefault(_lane(item), item.id)
    return {lane: hit for lane, hit in oldest.items() if lane in first and hit[0] < first[lane]}


async def _prepare(tx: Transaction, item: OutboxItem) -> Delivery | Permanent:
    try:
        notice = AlertNotice.model_validate(item.payload["notice"])
    except (KeyError, TypeError, ValidationError) as error:
        log.error("outbox item %s has an unreadable notice: %s", item.id, error)
        return Permanent(f"unreadable notice: {type(error).__name__}")
    parent: dict[str, Any] | None = None
    if item.depends_on is not None:
        post = await tx.outbox.get(item.depends_on)
        parent = dict(post.result) if post is not None and post.result else None
    webhook: WebhookTarget | None = None
    if item.kind == "webhook":
        try:
            webhook_id = int(item.payload.get("webhook_id", item.target))
        except (TypeError, ValueError):
            log.error("outbox item %s names no webhook id", item.id)
            return Permanent("no webhook id")
        found = await tx.webhooks.get(item.team_id, webhook_id)
        if found is None:
            return Permanent("the webhook was removed")
        webhook = WebhookTarget(found.id, found.url, found.secret)
    channel = (item.payload.get("channel") or item.target) if item.kind != "webhook" else None
    return Delivery(
        id=item.id,
        team_id=item.team_id,
        kind=item.kind,
        notice=notice,
        attempts=item.attempts,
        created_at=item.created_at,
        channel=channel,
        parent=parent,
        webhook=webhook,
    )


async def _run_lane(run: _Pass, lane: list[tuple[OutboxItem, Delivery | Permanent]]) -> None:
    for index, (item, prepared) in enumerate(lane):
        receiver = run.routes.get(item.kind)
        if isinstance(prepared, Permanent):
            outcome: Outcome = prepared
        elif receiver is None:
            outcome = Retry(f"no receiver for {item.kind} here", after=NO_RECEIVER_RETRY)
        else:
            outcome = await _attempt(run, receiver, prepared)
        retry_at = await _record(run, item, prepared, outcome, receiver)
        if retry_at is not None:
            # Order within the lane: what comes after waits for this one.
            async with run.db.transaction() as tx:
                for later, _ in lane[index + 1 :]:
                    await tx.outbox.mark_failed(
                        later.id, f"waiting for outbox item {item.id}", retry_at
                    )
                    run.report.held.append(later.id)
            return


async def _attempt(run: _Pass, receiver: Receiver, delivery: Delivery) -> Outcome:
    try:
        if delivery.attempts > 1:
            found = await receiver.find_delivered(delivery)
            if found is not None:
                if isinstance(found, Sent):
                    run.report.adopted.append(delivery.id)
                return found
        return await receiver.deliver(delivery)
    except Exception as error:
        # A receiver bug must not stop the other lanes, nor lose the item.
        log.exception("delivering outbox item %s failed unexpectedly", delivery.id)
        return Retry(f"unexpected {type(error).__name__}: {error}")


async def _record(
    run: _Pass,
    item: OutboxItem,
    prepared: Delivery | Permanent,
    outcome: Outcome,
    receiver: Receiver | None,
) -> datetime | None:
    """Store the outcome; returns when the item is due again if it is to be retried."""
    notice = prepared.notice if isinstance(prepared, Delivery) else None
    tell: tuple[str, str, list[dict[str, Any]]] | None = None
    retry_at: datetime | None = None
    async with run.db.transaction() as tx:
        if isinstance(outcome, Sent):
            await tx.outbox.mark_sent(item.id, outcome.result, now=run.clock())
            run.report.sent.append(item.id)
            if item.kind == "slack.post" and notice is not None:
                await _remember_post(tx, item, notice, outcome.result)
        elif isinstance(outcome, Retry):
            delay = outcome.after
            if delay is None:
                delay = run.backoff.delay(item.attempts, run.rng)
            retry_at = run.clock() + timedelta(seconds=delay)
            await tx.outbox.mark_failed(item.id, outcome.reason, retry_at)
            run.report.retried.append(item.id)
        else:
            await tx.outbox.mark_dead(item.id, outcome.reason)
            run.report.dead.append(item.id)
            if outcome.notify_creator and isinstance(prepared, Delivery):
                tell = await _creator_to_tell(tx, prepared, outcome.reason)
    if tell is not None and isinstance(receiver, CreatorMessenger):
        user, text, blocks = tell
        if await receiver.tell_creator(user, text, blocks):
            run.report.told.append(user)
    return retry_at


async def _remember_post(
    tx: Transaction, item: OutboxItem, notice: AlertNotice, result: dict[str, Any]
) -> None:
    episode_id = item.episode_id or notice.episode_id
    channel, ts = result.get("channel"), result.get("ts")
    if episode_id is not None and isinstance(channel, str) and isinstance(ts, str):
        await tx.episodes.set_message(item.team_id, episode_id, channel=channel, ts=ts)
    if notice.rule_id is not None:
        rule = await tx.rules.get(item.team_id, notice.rule_id)
        if rule is not None and rule.last_error_notified is not None:
            # The channel works again: a later breakage deserves a new message.
            await tx.rules.set_error_notified(item.team_id, rule.id, None)


async def _creator_to_tell(
    tx: Transaction, delivery: Delivery, error: str
) -> tuple[str, str, list[dict[str, Any]]] | None:
    """The DM for the rule's creator, unless they were already told about this error here.
    Recorded before sending: better to miss one DM after a crash than to repeat it."""
    rule_id = delivery.notice.rule_id
    if rule_id is None:
        return None
    rule = await tx.rules.get(delivery.team_id, rule_id)
    channel = delivery.channel or str((delivery.parent or {}).get("channel", "")) or "?"
    key = f"{error}:{channel}"
    if rule is None or rule.last_error_notified == key:
        return None
    await tx.rules.set_error_notified(delivery.team_id, rule.id, key)
    message = channel_problem(
        rule_id=rule.id, subject_label=rule.scope_label, channel=channel, error=error
    )
    return rule.created_by, message.text, message.block_dicts()
