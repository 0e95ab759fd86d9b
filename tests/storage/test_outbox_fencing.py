"""Fenced outbox claims through the real sender, on SQLite and PostgreSQL: a sender whose claim
was taken over records nothing, a slow send keeps its claim by renewing it, and two senders
side by side never both send an item."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from alerts.deliver import Delivery, DeliveryReport, Outcome, Sent, deliver_once
from storage import Database, utcnow
from storage.models import OutboxKind
from tests.alerts.deliver.helpers import FAST, fire, item
from tests.storage.conftest import Backend

LANE_KINDS: frozenset[OutboxKind] = frozenset({"slack.post", "slack.update", "slack.reply"})


@dataclass
class Slow:
    """Sends after `delay` seconds, or once `release` is set; records what it sent."""

    delay: float = 0.0
    release: asyncio.Event | None = None
    delivered: list[int] = field(default_factory=list)
    kinds: frozenset[OutboxKind] = LANE_KINDS

    async def deliver(self, delivery: Delivery) -> Outcome:
        if self.release is not None:
            await self.release.wait()
        await asyncio.sleep(self.delay)
        self.delivered.append(delivery.id)
        return Sent({"channel": "C1", "ts": f"{delivery.id}.0"})

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        return None


@dataclass
class TakenOver(Slow):
    """While sending, another sender (on its own connection) takes every claim over."""

    other: Database | None = None

    async def deliver(self, delivery: Delivery) -> Outcome:
        assert self.other is not None
        async with self.other.transaction() as tx:
            await tx.outbox.claim_due(utcnow() + timedelta(hours=1), 10)
        return await super().deliver(delivery)


async def test_a_stale_senders_result_is_ignored_and_counted(backend: Backend) -> None:
    db = backend.open()
    first = (await fire(db, "C1")).post_id
    second = (await fire(db, "C1")).post_id  # same lane, behind the first
    receiver = TakenOver(other=backend.open())
    report = await deliver_once(db, [receiver], now=utcnow() + timedelta(seconds=1))
    assert receiver.delivered == [first]  # the rest of the lane was not overtaken
    assert (report.sent, report.stale) == ([], [first])
    for item_id in (first, second):
        taken = await item(db, item_id)
        # Still the other sender's claim: neither 'sent' by the stale result nor put back.
        assert (taken.status, taken.claim_token, taken.result) == ("sending", 2, None)


async def _held_through_a_slow_send(
    backend: Backend, renew_every: float
) -> tuple[int, list[int], DeliveryReport]:
    """A send held for longer than its 2 s lease while another sender keeps trying to claim;
    returns the item, what the other sender claimed, and the slow sender's report."""
    db = backend.open()
    post = (await fire(db, "C1")).post_id
    release = asyncio.Event()
    receiver = Slow(release=release)
    sending = asyncio.create_task(
        deliver_once(db, [receiver], lease=timedelta(seconds=2), renew_every=renew_every)
    )
    other, taken = backend.open(), []
    started = asyncio.get_running_loop().time()
    while asyncio.get_running_loop().time() - started < 3.5:
        async with other.transaction() as tx:
            taken += [claimed.id for claimed in await tx.outbox.claim_due(utcnow(), 10)]
        await asyncio.sleep(0.1)
    release.set()
    report = await sending
    assert receiver.delivered == [post]
    return post, taken, report


async def test_renewal_keeps_a_slow_send_from_being_taken_over(backend: Backend) -> None:
    post, taken, report = await _held_through_a_slow_send(backend, renew_every=0.2)
    assert (taken, report.sent, report.stale) == ([], [post], [])
    sent = await item(backend.opened[0], post)
    assert (sent.status, sent.claim_token) == ("sent", 1)


async def test_without_renewal_the_lapsed_claim_is_taken_and_its_result_ignored(
    backend: Backend,
) -> None:
    post, taken, report = await _held_through_a_slow_send(backend, renew_every=3600)
    assert (taken, report.sent, report.stale) == ([post], [], [post])
    assert (await item(backend.opened[0], post)).status == "sending"  # the other's claim


async def test_two_concurrent_senders_never_both_send(backend: Backend) -> None:
    db = backend.open()
    posts = [(await fire(db, channel)).post_id for channel in ("C1", "C2") for _ in range(3)]
    receivers = [Slow(delay=0.5), Slow(delay=0.5)]

    async def sender(receiver: Slow) -> None:
        own = backend.open()
        while True:
            # A lane of three takes 1.5 s, past the 1 s lease: only renewal keeps it.
            await deliver_once(
                own, [receiver], lease=timedelta(seconds=1), renew_every=0.2, backoff=FAST
            )
            async with own.transaction() as tx:
                if await tx.outbox.depth() == 0:
                    return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(asyncio.gather(*(sender(r) for r in receivers)), timeout=60)
    sends = Counter(sent for receiver in receivers for sent in receiver.delivered)
    assert sorted(sends) == sorted(posts)
    assert set(sends.values()) == {1}
