"""Retention: the worker's hourly job deletes delivered outbox items past their retention
(never a post an item still depends on, nor one of an episode still open) and old counter
snapshots."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from alerts.notice import NoticeKind
from alerts.worker import Retention, Worker
from clickmeter import ClickMeterClient
from storage import Database, Snapshot, utcnow
from storage.subjects import Subject
from tests.alerts.deliver.helpers import TEAM, fire, follow_up


async def count(db: Database) -> int:
    async with db.transaction() as tx:
        return sum((await tx.outbox.counts()).values())


async def test_old_sent_items_and_snapshots_are_pruned_on_schedule(db: Database) -> None:
    now = utcnow()
    long_ago = now - timedelta(days=30)
    closed = await fire(db, "C0GENERAL")
    closed_items = [closed.post_id, *await follow_up(db, closed, NoticeKind.RESOLVED)]
    still_open = await fire(db, "C0MARKETING")
    recent = await fire(db, "C0RANDOM")
    async with db.transaction() as tx:
        for item_id in [*closed_items, still_open.post_id]:
            await tx.outbox.mark_sent(item_id, {"channel": "C", "ts": "1.0"}, now=long_ago)
        await tx.outbox.mark_sent(recent.post_id, {}, now=now - timedelta(days=1))
        await tx.episodes.resolve(TEAM, closed.episode_id)
        await tx.episodes.resolve(TEAM, recent.episode_id)
        link = Subject("datapoint", "1")
        await tx.polls.put_snapshots(
            TEAM,
            [
                Snapshot(link, (now - timedelta(days=20)).date(), 5, long_ago),
                Snapshot(link, now.date(), 9, now),
            ],
        )

    worker = Worker(db, cast(ClickMeterClient, None), retention=Retention(7, 7), clock=lambda: now)
    deleted, snapshots = await worker.prune()

    assert (deleted, snapshots) == (3, 1)  # the closed episode's post, edit and reply
    async with db.transaction() as tx:
        assert await tx.outbox.get(still_open.post_id) is not None  # its episode is open
        assert await tx.outbox.get(recent.post_id) is not None  # within the retention
        assert [s.local_day for s in await tx.polls.snapshots_for_day(TEAM, now.date())]
    assert await count(db) == 2


async def test_questions_answered_more_than_a_day_ago_are_forgotten(db: Database) -> None:
    now = utcnow()
    async with db.transaction() as tx:
        await tx.answered.claim(TEAM, "C0GENERAL", "1.000001", now=now - timedelta(hours=25))
        await tx.answered.claim(TEAM, "C0GENERAL", "1.000002", now=now - timedelta(hours=23))

    await Worker(db, cast(ClickMeterClient, None), clock=lambda: now).prune()

    async with db.transaction() as tx:
        assert await tx.answered.claim(TEAM, "C0GENERAL", "1.000001", now=now)  # forgotten
        assert not await tx.answered.claim(TEAM, "C0GENERAL", "1.000002", now=now)
