"""Lanes never wedge: an item queued behind a dead post is settled dead with it (not left
waiting for ever, holding its channel), a dead item holds nothing, and once the cause is fixed
the channel's dead items are requeued and go out in order."""

from __future__ import annotations

from alerts.deliver import Receiver, deliver_once
from alerts.notice import NoticeKind
from devtools.localslack import MockSlackServer
from storage import Database
from tests.alerts.deliver.helpers import TEAM, drain, fire, follow_up, item, tags

CHANNEL_ERRORS = ("not_in_channel", "is_archived", "channel_not_found")


async def test_an_update_queued_after_its_post_died_is_settled_and_holds_no_one(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    first = await fire(db, "C0RANDOM")  # the bot is not in #random
    report = await deliver_once(db, slack)
    assert report.dead == [first.post_id]
    assert (await item(db, first.post_id)).last_error == "not_in_channel"

    [update] = await follow_up(db, first, NoticeKind.UPDATE)
    settled = await item(db, update)
    assert settled.status == "dead"
    assert settled.last_error == f"depends on outbox item {first.post_id}, dead"

    mock_slack.slack.channels["C0RANDOM"].is_member = True  # someone invites the bot
    second = await fire(db, "C0RANDOM")
    await drain(db, slack)
    assert (await item(db, second.post_id)).status == "sent"
    assert tags(mock_slack, "C0RANDOM") == [second.post_id]


async def test_the_fixed_channel_s_dead_items_are_requeued_with_their_dependants(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    first = await fire(db, "C0RANDOM")
    await deliver_once(db, slack)
    [update] = await follow_up(db, first, NoticeKind.UPDATE)
    elsewhere = await fire(db, "C0GENERAL")
    async with db.transaction() as tx:
        await tx.outbox.mark_dead(elsewhere.post_id, "not_in_channel")

    mock_slack.slack.channels["C0RANDOM"].is_member = True
    async with db.transaction() as tx:
        requeued = await tx.outbox.requeue_dead_in(TEAM, channel="C0RANDOM", reasons=CHANNEL_ERRORS)
    assert requeued == 2  # the post, and the update that died waiting for it
    await drain(db, slack)
    assert [(await item(db, i)).status for i in (first.post_id, update)] == ["sent", "sent"]
    assert tags(mock_slack, "C0RANDOM") == [first.post_id]  # posted once, then edited
    assert (await item(db, elsewhere.post_id)).status == "dead"  # another channel: untouched


async def test_a_rule_s_dead_items_are_requeued_whatever_the_reason(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    mock_slack.slack.revoke_token()
    episode = await fire(db)
    other = await fire(db)
    await deliver_once(db, slack)
    assert (await item(db, episode.post_id)).last_error == "token_revoked"

    mock_slack.slack.revoke_token(False)  # re-installed
    async with db.transaction() as tx:
        assert await tx.outbox.requeue_dead_in(TEAM, rule_id=episode.rule_id) == 1
        [(dead, rule_id)] = await tx.outbox.dead(TEAM)
    assert (dead.id, rule_id) == (other.post_id, other.rule_id)
    await drain(db, slack)
    assert tags(mock_slack, "C0GENERAL") == [episode.post_id]
