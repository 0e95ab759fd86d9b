"""Each stage of the pipeline on its own: ordering into lanes, preparing, sending, recording
(with the payload's hooks), without a whole pass around it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from alerts.deliver import Delivery, Outcome, Permanent, Retry, Sent
from alerts.deliver.hooks import DigestHooks
from alerts.deliver.stages import NO_RECEIVER_RETRY, Claim, Order, Prepare, Record, Send
from alerts.outbox import AlertPayload, DigestPayload, enqueue_webhook
from storage import Database, utcnow
from tests.alerts.deliver.helpers import (
    CREATOR,
    TEAM,
    digest_envelope,
    enqueue,
    fire,
    item,
    notice,
)
from tests.alerts.deliver.test_pipeline import Scripted


@pytest.fixture
def now() -> datetime:
    return utcnow() + timedelta(seconds=5)


async def test_order_makes_one_lane_per_channel_and_holds_behind_older_items(
    db: Database, now: datetime
) -> None:
    older = (await fire(db, "CA")).post_id
    async with db.transaction() as tx:
        await tx.outbox.claim_due(now, 1)  # `older` is in flight elsewhere
        batch = await Claim(limit=10)(tx, now)
        lanes, held = await Order()(tx, batch, now)
    assert batch == []  # nothing else yet
    assert (lanes, held) == ([], [])

    a, b = (await fire(db, "CA")).post_id, (await fire(db, "CB")).post_id
    async with db.transaction() as tx:
        batch = await Claim(limit=10)(tx, now)
        lanes, held = await Order()(tx, batch, now)
    assert [[i.id for i in lane] for lane in lanes] == [[b]]
    assert [(h.item_id, h.blocker) for h in held] == [(a, older)]
    assert (await item(db, a)).last_error == f"waiting for outbox item {older}"


async def test_prepare_decodes_the_payload_and_reads_the_parent_and_webhook(
    db: Database, now: datetime
) -> None:
    episode = await fire(db)
    async with db.transaction() as tx:
        hook = await tx.webhooks.add(TEAM, url="https://example.com/h", created_by=CREATOR)
        queued = await enqueue_webhook(tx, notice(), hook.id, dedupe_key="wh")
        gone = await enqueue_webhook(tx, notice(), hook.id + 1, dedupe_key="gone")
        await tx.outbox.mark_sent(episode.post_id, {"channel": "C0GENERAL", "ts": "1.5"})
        update = await enqueue(
            tx, "slack.update", "C0GENERAL", notice(), "edit", depends_on=episode.post_id
        )
        prepared = {i.id: await Prepare()(tx, i) for i in (queued, gone)}
        edit = await Prepare()(tx, update)
    webhook = prepared[queued.id]
    assert isinstance(webhook, Delivery)
    assert webhook.webhook is not None
    assert webhook.webhook.url == "https://example.com/h"
    assert prepared[gone.id] == Permanent("the webhook was removed")
    assert isinstance(edit, Delivery)
    assert isinstance(edit.payload, AlertPayload)
    assert edit.parent_post == ("C0GENERAL", "1.5")
    assert edit.channel == "C0GENERAL"


async def test_send_routes_by_kind_looks_up_reclaims_and_never_raises(
    db: Database, now: datetime
) -> None:
    await fire(db)
    async with db.transaction() as tx:
        [claimed] = await Claim()(tx, now)
        delivery = await Prepare()(tx, claimed)
    assert isinstance(delivery, Delivery)
    nobody = await Send([])("slack.post", delivery)
    assert nobody.outcome == Retry("no receiver for slack.post here", after=NO_RECEIVER_RETRY)

    crashing = Scripted([RuntimeError("bug")])
    assert (await Send([crashing])("slack.post", delivery)).outcome == Retry(
        "unexpected RuntimeError: bug"
    )
    again = Delivery(**{**delivery.__dict__, "attempts": 2})
    finder = Scripted(found=Sent({"channel": "C0GENERAL", "ts": "2.0"}))
    adopted = await Send([finder])("slack.post", again)
    assert adopted.adopted
    assert finder.delivered == []


async def test_record_runs_the_alert_hooks_and_tells_the_creator_once(
    db: Database, now: datetime
) -> None:
    episode = await fire(db, "C1")
    await fire(db, "C1", rule_id=episode.rule_id)
    async with db.transaction() as tx:
        items = await Claim()(tx, now)
        prepared = [await Prepare()(tx, i) for i in items]
    receiver = Scripted()
    record = Record()
    refused: Outcome = Permanent("not_in_channel", notify_creator=True)
    first = await record(db, items[0], prepared[0], refused, receiver, now)
    repeat = await record(db, items[1], prepared[1], refused, receiver, now)
    assert (first.told, repeat.told) == (CREATOR, None)
    assert [user for user, _ in receiver.told] == [CREATOR]

    posted = await fire(db, "C1", rule_id=episode.rule_id)
    async with db.transaction() as tx:
        [claimed] = await Claim()(tx, now)
        delivery = await Prepare()(tx, claimed)
    await record(db, claimed, delivery, Sent({"channel": "C1", "ts": "7.7"}), receiver, now)
    async with db.transaction() as tx:
        stored = await tx.episodes.get(TEAM, posted.episode_id)
        rule = await tx.rules.get(TEAM, episode.rule_id)
    assert stored is not None
    assert stored.slack_ts == "7.7"
    assert rule is not None
    assert rule.last_error_notified is None


async def test_a_dead_digest_tells_its_creator_unless_it_was_a_preview(db: Database) -> None:
    refused = Permanent("not_in_channel", notify_creator=True)

    def dead(channel: str) -> Delivery:
        payload = DigestPayload(channel=channel, digest=digest_envelope())
        return Delivery(1, TEAM, "slack.digest", payload, attempts=1, created_at=utcnow())

    async with db.transaction() as tx:
        told = await DigestHooks().on_dead(tx, dead("C0RANDOM"), refused)
        preview = await DigestHooks().on_dead(tx, dead("U0BOB"), refused)
    assert told is not None
    assert told.user_id == "U0ALICE"
    assert "not a member" in told.text
    assert "<#C0RANDOM>" in told.text
    assert preview is None  # a DM that failed: there is no channel to fix
