"""The outbox: idempotent enqueue, exclusive claims with leases, ordering, dependencies."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from storage import Database, OutboxItem, Transaction
from tests.storage.helpers import OTHER_TEAM, TEAM, at


async def _enqueue(
    tx: Transaction, key: str, *, team: str = TEAM, depends_on: int | None = None, seconds: int = 0
) -> OutboxItem:
    return await tx.outbox.enqueue(
        team,
        kind="slack.update" if depends_on else "slack.post",
        target="C0001",
        payload={"text": key},
        dedupe_key=key,
        depends_on=depends_on,
        now=at(seconds),
    )


async def _fill(database: Database, count: int) -> list[int]:
    async with database.transaction() as tx:
        return [(await _enqueue(tx, f"item-{n}", seconds=n)).id for n in range(count)]


async def _claim(
    database: Database, now: datetime, limit: int = 10, lease: timedelta = timedelta(seconds=60)
) -> Sequence[OutboxItem]:
    async with database.transaction() as tx:
        return await tx.outbox.claim_due(now, limit, lease=lease)


async def test_enqueue_is_idempotent_per_team(database: Database) -> None:
    async with database.transaction() as tx:
        first = await _enqueue(tx, "episode:1:post")
    async with database.transaction() as tx:
        again = await tx.outbox.enqueue(
            TEAM, kind="webhook", target="9", payload={"changed": True}, dedupe_key="episode:1:post"
        )
        elsewhere = await _enqueue(tx, "episode:1:post", team=OTHER_TEAM)
    assert again.id == first.id
    assert (again.kind, again.payload) == ("slack.post", {"text": "episode:1:post"})
    assert elsewhere.id != first.id
    async with database.transaction() as tx:
        assert await tx.outbox.depth(TEAM) == 1
        assert await tx.outbox.depth(OTHER_TEAM) == 1
        assert await tx.outbox.depth() == 2


async def test_enqueue_refuses_another_teams_references(database: Database) -> None:
    async with database.transaction() as tx:
        theirs = await _enqueue(tx, "theirs", team=OTHER_TEAM)
    with pytest.raises(LookupError):
        async with database.transaction() as tx:
            await _enqueue(tx, "mine", depends_on=theirs.id)
    with pytest.raises(LookupError):
        async with database.transaction() as tx:
            await tx.outbox.enqueue(
                TEAM, kind="slack.post", target="C", payload={}, dedupe_key="x", episode_id=12345
            )


async def test_claim_oldest_first_and_marks_sending_with_a_lease(database: Database) -> None:
    ids = await _fill(database, 3)
    claimed = await _claim(database, at(10), limit=2)
    assert [item.id for item in claimed] == ids[:2]
    assert all(item.status == "sending" and item.attempts == 1 for item in claimed)
    assert all(item.lease_expires_at == at(70) for item in claimed)
    assert [item.id for item in await _claim(database, at(10))] == ids[2:]
    assert await _claim(database, at(10)) == []


async def test_items_are_not_claimed_before_they_are_due(database: Database) -> None:
    async with database.transaction() as tx:
        later = await tx.outbox.enqueue(
            TEAM, kind="slack.post", target="C", payload={}, dedupe_key="k", not_before=at(100)
        )
    assert await _claim(database, at(99)) == []
    assert [item.id for item in await _claim(database, at(100))] == [later.id]


async def test_dependants_wait_until_their_parent_is_sent(database: Database) -> None:
    async with database.transaction() as tx:
        post = await _enqueue(tx, "post")
        update = await _enqueue(tx, "update", depends_on=post.id)
        reply = await _enqueue(tx, "reply", depends_on=update.id)
    assert [item.id for item in await _claim(database, at(1))] == [post.id]
    async with database.transaction() as tx:
        assert await tx.outbox.mark_failed(post.id, "ratelimited", retry_at=at(2))
    assert [item.id for item in await _claim(database, at(2))] == [post.id]
    async with database.transaction() as tx:
        assert await tx.outbox.mark_sent(post.id, {"channel": "C0001", "ts": "1.5"}, now=at(3))
    [claimed] = await _claim(database, at(3))
    assert claimed.id == update.id
    async with database.transaction() as tx:
        parent = await tx.outbox.get(claimed.depends_on or 0)
        assert parent is not None
        assert parent.result == {"channel": "C0001", "ts": "1.5"}
        assert parent.sent_at == at(3)
        assert parent.lease_expires_at is None
        await tx.outbox.mark_sent(update.id)
    assert [item.id for item in await _claim(database, at(4))] == [reply.id]


async def test_failed_items_retry_at_their_time(database: Database) -> None:
    [item_id] = await _fill(database, 1)
    await _claim(database, at(0))
    async with database.transaction() as tx:
        assert await tx.outbox.mark_failed(item_id, "HTTP 503", retry_at=at(30))
    assert await _claim(database, at(29)) == []
    [again] = await _claim(database, at(30))
    assert (again.id, again.attempts, again.last_error) == (item_id, 2, "HTTP 503")


async def test_expired_leases_are_claimable_again_and_released(database: Database) -> None:
    ids = await _fill(database, 2)
    assert len(await _claim(database, at(1), lease=timedelta(seconds=60))) == 2
    assert await _claim(database, at(60)) == []
    [again] = await _claim(database, at(61), limit=1)  # the sender crashed: take it over
    assert (again.id, again.attempts, again.lease_expires_at) == (ids[0], 2, at(121))
    async with database.transaction() as tx:
        assert await tx.outbox.release_expired(at(61)) == 1  # ids[1], left by the crash
        assert await tx.outbox.counts() == {"pending": 1, "sending": 1}
        released = await tx.outbox.get(ids[1])
        assert released is not None
        assert released.status == "pending"
        assert released.lease_expires_at is None
        assert released.attempts == 1


async def test_a_sent_item_stays_sent(database: Database) -> None:
    [item_id] = await _fill(database, 1)
    await _claim(database, at(0))
    async with database.transaction() as tx:
        assert await tx.outbox.mark_sent(item_id, {"ts": "1"})
        assert not await tx.outbox.mark_failed(item_id, "late", retry_at=at(5))
        assert not await tx.outbox.mark_dead(item_id, "late")
        assert not await tx.outbox.mark_sent(99999)
    async with database.transaction() as tx:
        assert await tx.outbox.counts() == {"sent": 1}
        assert await tx.outbox.depth() == 0


async def test_dead_items_are_kept_with_their_dependants_and_can_be_requeued(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        post = await _enqueue(tx, "post")
        update = await _enqueue(tx, "update", depends_on=post.id)
        reply = await _enqueue(tx, "reply", depends_on=update.id)
        other = await _enqueue(tx, "other", team=OTHER_TEAM)
    await _claim(database, at(0))
    async with database.transaction() as tx:
        assert await tx.outbox.mark_dead(post.id, "channel_not_found")
    async with database.transaction() as tx:
        assert await tx.outbox.counts(TEAM) == {"dead": 3}
        assert await tx.outbox.depth(TEAM) == 0
        dead_reply = await tx.outbox.get(reply.id)
        assert dead_reply is not None
        assert dead_reply.last_error is not None
        assert str(update.id) in dead_reply.last_error
        assert await tx.outbox.mark_dead(other.id, "gone")
    async with database.transaction() as tx:
        assert await tx.outbox.requeue_dead(TEAM, now=at(50)) == 3
        assert await tx.outbox.counts() == {"pending": 3, "dead": 1}
    assert [item.id for item in await _claim(database, at(50))] == [post.id]


async def test_concurrent_claimers_get_disjoint_items(database: Database) -> None:
    ids = await _fill(database, 12)

    async def claimer() -> list[int]:
        taken: list[int] = []
        while batch := await _claim(database, at(100), limit=2):
            taken.extend(item.id for item in batch)
        return taken

    results = await asyncio.gather(*(claimer() for _ in range(4)))
    everything = [item_id for result in results for item_id in result]
    assert sorted(everything) == ids  # each item exactly once


async def test_a_claim_in_progress_hides_its_items_from_another_claimer(
    database: Database,
) -> None:
    ids = await _fill(database, 6)
    async with database.transaction() as tx:
        first = [item.id for item in await tx.outbox.claim_due(at(10), limit=3)]
        # Another sender claims while this transaction is still open.
        other = asyncio.create_task(_claim(database, at(10), limit=10))
        if database.dialect == "postgresql":
            # SKIP LOCKED: it takes the other rows at once, without waiting for this one.
            await asyncio.wait_for(asyncio.shield(other), timeout=10)
        else:
            # BEGIN IMMEDIATE: it waits until this transaction has committed.
            await asyncio.sleep(0.1)
            assert not other.done()
    second = [item.id for item in await other]
    assert first == ids[:3]
    assert sorted(second) == ids[3:]


async def test_an_item_behind_a_dead_post_is_added_dead_and_requeued_with_it(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        post = await _enqueue(tx, "post")
        assert await tx.outbox.mark_dead(post.id, "not_in_channel")
        update = await _enqueue(tx, "update", depends_on=post.id)
        other = await _enqueue(tx, "other")
        assert await tx.outbox.mark_dead(other.id, "invalid_blocks")
    assert update.status == "dead"
    assert update.last_error == f"depends on outbox item {post.id}, dead"
    async with database.transaction() as tx:
        assert await tx.outbox.requeue_dead_in(OTHER_TEAM, channel="C0001") == 0
        requeued = await tx.outbox.requeue_dead_in(
            TEAM, channel="C0001", reasons=["not_in_channel"], now=at(5)
        )
        assert requeued == 2
        assert await tx.outbox.counts(TEAM) == {"pending": 2, "dead": 1}
        [(dead, rule_id)] = await tx.outbox.dead(TEAM)
    assert (dead.id, rule_id) == (other.id, None)


async def test_a_held_or_rate_limited_claim_is_not_counted(database: Database) -> None:
    [item_id] = await _fill(database, 1)
    await _claim(database, at(0))
    async with database.transaction() as tx:
        assert await tx.outbox.mark_failed(item_id, "Slack rate limit", at(1), tried=False)
    [again] = await _claim(database, at(1))
    assert again.attempts == 1  # the first claim was given back
    async with database.transaction() as tx:
        assert await tx.outbox.mark_failed(item_id, "HTTP 500", at(2))
    [third] = await _claim(database, at(2))
    assert third.attempts == 2


async def test_claims_can_be_limited_to_kinds(database: Database) -> None:
    async with database.transaction() as tx:
        post = await _enqueue(tx, "post")
        hook = await tx.outbox.enqueue(
            TEAM, kind="webhook", target="7", payload={}, dedupe_key="hook", now=at(0)
        )
    async with database.transaction() as tx:
        [claimed] = await tx.outbox.claim_due(at(0), 10, kinds={"webhook"})
    assert claimed.id == hook.id
    assert [item.id for item in await _claim(database, at(0))] == [post.id]


async def test_old_sent_items_are_pruned_leaves_first(database: Database) -> None:
    async with database.transaction() as tx:
        post = await _enqueue(tx, "post")
        update = await _enqueue(tx, "update", depends_on=post.id)
        recent = await _enqueue(tx, "recent")
        pending = await _enqueue(tx, "pending")
        for item in (post, update):
            await tx.outbox.mark_sent(item.id, {}, now=at(0))
        await tx.outbox.mark_sent(recent.id, {}, now=at(100))
    async with database.transaction() as tx:
        assert await tx.outbox.prune_sent(at(50)) == 1  # the update; its post still had it
    async with database.transaction() as tx:
        assert await tx.outbox.prune_sent(at(50)) == 1  # now the post
        assert await tx.outbox.prune_sent(at(50)) == 0
        assert await tx.outbox.count_capped(["pending"], 10) == 1
        assert await tx.outbox.count_capped(["sent", "pending"], 1) == 1
        assert await tx.outbox.get(recent.id) is not None
        assert await tx.outbox.get(pending.id) is not None


async def test_each_claim_gets_a_new_token_and_a_stale_claims_result_is_ignored(
    database: Database,
) -> None:
    [item_id] = await _fill(database, 1)
    [first] = await _claim(database, at(0), lease=timedelta(seconds=10))
    [second] = await _claim(database, at(11), lease=timedelta(seconds=10))  # first stalled
    assert second.claim_token == first.claim_token + 1
    stale = first.claim_token
    async with database.transaction() as tx:
        assert not await tx.outbox.mark_sent(item_id, {"ts": "1"}, claim=stale)
        assert not await tx.outbox.mark_failed(item_id, "late", retry_at=at(30), claim=stale)
        assert not await tx.outbox.mark_dead(item_id, "late", claim=stale)
        assert await tx.outbox.renew({item_id: stale}, at(40)) == set()
    async with database.transaction() as tx:
        item = await tx.outbox.get(item_id)
        assert item is not None
        assert (item.status, item.result, item.lease_expires_at) == ("sending", None, at(21))
        assert await tx.outbox.mark_sent(item_id, {"ts": "2"}, claim=second.claim_token)
    async with database.transaction() as tx:
        item = await tx.outbox.get(item_id)
        assert item is not None
        assert (item.status, item.result) == ("sent", {"ts": "2"})
        # Settled: the claim that sent it does not hold it any more either.
        assert not await tx.outbox.mark_failed(item_id, "x", at(50), claim=second.claim_token)


async def test_a_renewed_claim_is_not_taken_over(database: Database) -> None:
    ids = await _fill(database, 2)
    claimed = await _claim(database, at(0), lease=timedelta(seconds=10))
    tokens = {item.id: item.claim_token for item in claimed}
    async with database.transaction() as tx:
        assert await tx.outbox.renew({ids[0]: tokens[ids[0]]}, at(25)) == {ids[0]}
    # ids[1] was not renewed: its lease lapsed at 10 s and another sender takes it.
    assert [item.id for item in await _claim(database, at(15))] == [ids[1]]
    async with database.transaction() as tx:
        assert await tx.outbox.renew(tokens, at(40)) == {ids[0]}
        assert await tx.outbox.mark_sent(ids[0], claim=tokens[ids[0]])
        assert await tx.outbox.renew(tokens, at(40)) == set()  # sent: nothing left to hold


async def test_a_released_item_is_not_the_old_claims_any_more(database: Database) -> None:
    [item_id] = await _fill(database, 1)
    [claimed] = await _claim(database, at(0), lease=timedelta(seconds=10))
    async with database.transaction() as tx:
        assert await tx.outbox.release_expired(at(11)) == 1
        # Pending again, under the same token: still not the old claim's to record.
        assert not await tx.outbox.mark_sent(item_id, claim=claimed.claim_token)
        assert await tx.outbox.renew({item_id: claimed.claim_token}, at(30)) == set()
