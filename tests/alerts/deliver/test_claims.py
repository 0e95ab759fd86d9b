"""A pass's claims: renewed while held, lost when taken over, not held once their lease lapsed
unrenewed; and a lane whose claim was lost sends nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from alerts.deliver import Delivery, Outcome, Sent
from alerts.deliver.claims import Claims
from alerts.deliver.pipeline import pipeline
from storage import Database, utcnow
from storage.models import OutboxKind
from tests.alerts.deliver.helpers import fire, item

LEASE = timedelta(seconds=20)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def _claim(db: Database, now: datetime) -> Claims:
    async with db.transaction() as tx:
        claimed = await tx.outbox.claim_due(now, 10, lease=LEASE)
    return Claims(claimed, LEASE, Clock(now))


async def test_renewed_claims_hold_and_taken_ones_are_lost(db: Database) -> None:
    first, second = (await fire(db, "C1")).post_id, (await fire(db, "C2")).post_id
    start = utcnow() + timedelta(seconds=1)
    claims = await _claim(db, start)
    assert isinstance(claims.clock, Clock)
    assert claims.every == LEASE.total_seconds() / 3
    claims.clock.now = start + timedelta(seconds=15)
    await claims.renew(db)  # both until start + 35 s
    assert (await item(db, first)).lease_expires_at == start + timedelta(seconds=35)
    claims.clock.now = start + timedelta(seconds=30)
    assert claims.holds(first)
    assert claims.holds(second)
    async with db.transaction() as tx:  # another sender, far ahead, takes the second over
        assert await tx.outbox.mark_sent(first, claim=claims.token(first))
        [taken] = await tx.outbox.claim_due(start + timedelta(hours=1), 1)
    claims.done(first)
    assert taken.id == second
    await claims.renew(db)
    assert claims.lost == {second}
    assert not claims.holds(second)


async def test_an_unrenewed_claim_stops_holding_when_its_lease_lapses(db: Database) -> None:
    post = (await fire(db, "C1")).post_id
    start = utcnow() + timedelta(seconds=1)
    claims = await _claim(db, start)
    assert isinstance(claims.clock, Clock)
    claims.clock.now = start + LEASE - timedelta(microseconds=1)
    assert claims.holds(post)
    claims.clock.now = start + LEASE
    assert not claims.holds(post)  # another sender may have it now: do not send


class Counting:
    kinds: frozenset[OutboxKind] = frozenset({"slack.post"})

    def __init__(self) -> None:
        self.delivered: list[int] = []

    async def deliver(self, delivery: Delivery) -> Outcome:
        self.delivered.append(delivery.id)
        return Sent({"channel": "C1", "ts": "1.0"})

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        return None


class Stalling:
    """The real time for the pass's claim and order; then, as if the pass had stalled, a
    whole lease later."""

    def __init__(self, start: datetime) -> None:
        self.start, self.calls = start, 0

    def __call__(self) -> datetime:
        self.calls += 1
        return self.start if self.calls <= 2 else self.start + LEASE


async def test_a_lane_whose_claims_lapsed_unrenewed_sends_nothing(db: Database) -> None:
    posts = [(await fire(db, "C1")).post_id for _ in range(2)]
    receiver = Counting()
    stages = pipeline([receiver], lease=LEASE, renew_every=3600)
    report = await stages.run(db, Stalling(utcnow() + timedelta(seconds=1)))
    assert receiver.delivered == []
    assert report.stale == posts
    # Left 'sending' under their lapsed claims: the next claimer takes them.
    assert {(await item(db, post)).status for post in posts} == {"sending"}
