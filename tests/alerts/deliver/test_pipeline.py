"""The pipeline's own rules, with a scripted receiver: retry times, lanes, dedup on re-claims,
receivers that crash or are missing, and telling a creator once per breakage."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from alerts.deliver import (
    Backoff,
    Delivery,
    Outcome,
    Permanent,
    Retry,
    Sent,
    deliver_once,
    run_sender,
)
from alerts.outbox import enqueue_webhook
from storage import Database, utcnow
from storage.models import OutboxKind
from tests.alerts.deliver.helpers import CREATOR, TEAM, enqueue, fire, item, notice


@pytest.fixture
def now() -> datetime:
    """A pinned clock a little ahead of the real one (items are enqueued at the real time)."""
    return utcnow() + timedelta(seconds=5)


@dataclass
class Scripted:
    """Answers the queued outcomes in order (then `Sent`), and records what it was asked."""

    outcomes: list[Outcome | Exception] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    looked_up: list[int] = field(default_factory=list)
    found: Outcome | None = None
    told: list[tuple[str, str]] = field(default_factory=list)
    kinds: frozenset[OutboxKind] = frozenset({"slack.post", "slack.update", "slack.reply"})

    async def deliver(self, delivery: Delivery) -> Outcome:
        self.delivered.append(delivery.id)
        answer = self.outcomes.pop(0) if self.outcomes else Sent({"channel": "C1", "ts": "1.0"})
        if isinstance(answer, Exception):
            raise answer
        return answer

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        self.looked_up.append(delivery.id)
        return self.found

    async def tell_creator(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        self.told.append((user_id, text))
        return True


async def test_retry_after_is_used_as_given_else_jittered_backoff(
    db: Database, now: datetime
) -> None:
    first, second = (await fire(db, "C1")).post_id, (await fire(db, "C2")).post_id
    receiver = Scripted([Retry("429", after=30.0), Retry("503")])
    backoff = Backoff(base=10, factor=2, cap=100)
    report = await deliver_once(db, [receiver], now=now, backoff=backoff, rng=random.Random(1))
    assert sorted(report.retried) == [first, second]
    waits = {
        item_id: (await item(db, item_id)).next_attempt_at - now for item_id in (first, second)
    }
    assert waits[first] == timedelta(seconds=30)
    assert timedelta(seconds=5) <= waits[second] <= timedelta(seconds=10)
    assert (await item(db, second)).last_error == "503"


def test_backoff_grows_caps_and_jitters() -> None:
    backoff = Backoff(base=5, factor=2, cap=900)
    rng = random.Random(3)
    assert all(2.5 <= backoff.delay(1, rng) <= 5 for _ in range(50))
    assert all(20 <= backoff.delay(4, rng) <= 40 for _ in range(50))
    assert all(450 <= backoff.delay(10_000, rng) <= 900 for _ in range(50))
    assert len({backoff.delay(3, rng) for _ in range(20)}) > 1


async def test_a_retry_holds_the_rest_of_its_lane_only(db: Database, now: datetime) -> None:
    a1, b1 = (await fire(db, "CA")).post_id, (await fire(db, "CB")).post_id
    a2 = (await fire(db, "CA")).post_id
    receiver = Scripted([Retry("503", after=5)])
    report = await deliver_once(db, [receiver], now=now)
    assert report.retried == [a1]
    assert report.held == [a2]
    assert report.sent == [b1]
    held = await item(db, a2)
    assert (held.status, held.last_error) == ("failed", f"waiting for outbox item {a1}")
    assert held.next_attempt_at == now + timedelta(seconds=5)


async def test_a_reclaimed_item_is_looked_up_and_adopted(db: Database, now: datetime) -> None:
    post = (await fire(db)).post_id
    async with db.transaction() as tx:
        await tx.outbox.claim_due(now, lease=timedelta(seconds=60))  # a sender that then died
    receiver = Scripted(found=Sent({"channel": "C0GENERAL", "ts": "9.9"}))
    assert (await deliver_once(db, [receiver], now=now)).claimed == 0  # its lease holds
    report = await deliver_once(db, [receiver], now=now + timedelta(seconds=61))
    assert report.adopted == report.sent == [post]
    assert receiver.looked_up == [post]
    assert receiver.delivered == []
    assert (await item(db, post)).result == {"channel": "C0GENERAL", "ts": "9.9"}


async def test_a_crashing_receiver_means_retry_and_a_missing_one_waits(
    db: Database, now: datetime
) -> None:
    post = (await fire(db)).post_id
    async with db.transaction() as tx:
        hook = await tx.webhooks.add(TEAM, url="https://example.com/h", created_by=CREATOR)
        queued = await enqueue_webhook(tx, notice(), hook.id, dedupe_key="webhook")
    receiver = Scripted([RuntimeError("bug")])
    report = await deliver_once(db, [receiver], now=now)
    assert sorted(report.retried) == [post, queued.id]
    assert (await item(db, post)).last_error == "unexpected RuntimeError: bug"
    waiting = await item(db, queued.id)
    assert waiting.next_attempt_at == now + timedelta(seconds=60)


async def test_an_unreadable_notice_is_dead(db: Database, now: datetime) -> None:
    async with db.transaction() as tx:
        broken = await tx.outbox.enqueue(
            TEAM, kind="slack.post", target="C1", payload={"text": "old"}, dedupe_key="x"
        )
    report = await deliver_once(db, [Scripted()], now=now)
    assert report.dead == [broken.id]


async def test_the_creator_is_told_again_only_after_the_channel_worked(
    db: Database, now: datetime
) -> None:
    episode = await fire(db, "C1")
    receiver = Scripted([Permanent("not_in_channel", notify_creator=True)] * 2)
    await deliver_once(db, [receiver], now=now)
    await fire(db, "C1", rule_id=episode.rule_id)
    await deliver_once(db, [receiver], now=now)
    assert [user for user, _ in receiver.told] == [CREATOR]  # once for the two dead items

    await fire(db, "C1", rule_id=episode.rule_id)  # fixed: this one gets through
    await deliver_once(db, [receiver], now=now)
    receiver.outcomes = [Permanent("not_in_channel", notify_creator=True)]
    await fire(db, "C1", rule_id=episode.rule_id)  # broken again: worth saying again
    await deliver_once(db, [receiver], now=now)
    assert [user for user, _ in receiver.told] == [CREATOR, CREATOR]


async def test_run_sender_releases_stale_claims_delivers_and_stops(db: Database) -> None:
    post = (await fire(db)).post_id
    async with db.transaction() as tx:
        # Claimed by a sender that died; the claim has lapsed by the time we start.
        [stale] = await tx.outbox.claim_due(lease=timedelta(milliseconds=1))
        later = await enqueue(tx, "slack.post", "C9", notice(), "later")
    receiver = Scripted()
    stop = asyncio.Event()
    task = asyncio.create_task(run_sender(db, [receiver], stop, interval=0.02))
    for _ in range(200):
        if len(receiver.delivered) >= 2:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(task, timeout=2)
    assert sorted(receiver.delivered) == [post, later.id]
    assert stale.id == post
    assert receiver.looked_up == [post]  # it may have been sent before the crash: looked up
