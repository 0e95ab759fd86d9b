"""The Slack path over real HTTP: posts, edits and replies arrive once, in order, whatever Slack
answers for a while; channel errors tell the rule's creator once."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from alerts.deliver import Backoff, Receiver, SlackPoster, deliver_once
from alerts.deliver import slack as slack_receiver
from alerts.notice import METADATA_EVENT_TYPE, NoticeKind
from devtools.localslack import MockSlackServer
from messages import Message
from storage import Database
from tests.alerts.deliver.helpers import (
    CREATOR,
    TEAM,
    drain,
    fire,
    follow_up,
    item,
    slack_receivers,
    tags,
)


async def test_a_firing_alert_is_posted_once_with_metadata_and_buttons(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db)
    report = await deliver_once(db, slack)
    assert report.sent == [episode.post_id]

    [message] = mock_slack.slack.messages("C0GENERAL")
    assert message.text.startswith("🚨 Click spike on spring-sale")
    assert message.metadata == {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {
            "outbox_id": episode.post_id,
            "team_id": TEAM,
            "rule_id": episode.rule_id,
            "episode_id": episode.episode_id,
            "kind": "firing",
        },
    }
    actions = next(b for b in message.blocks or [] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "alert_mute_1h",
        "alert_mute_1d",
        "alert_show_link",
    ]
    assert json.loads(actions["elements"][0]["value"]) == {
        "rule_id": episode.rule_id,
        "link_id": 123,
    }
    posted = await item(db, episode.post_id)
    assert posted.status == "sent"
    assert posted.result == {"channel": "C0GENERAL", "ts": message.ts}
    async with db.transaction() as tx:
        stored = await tx.episodes.get(TEAM, episode.episode_id)
        assert stored is not None
        assert (stored.slack_channel, stored.slack_ts) == ("C0GENERAL", message.ts)
        assert await tx.outbox.depth() == 0
    assert (await deliver_once(db, slack)).claimed == 0
    assert len(mock_slack.slack.calls_to("chat.postMessage")) == 1


async def test_update_and_resolve_edit_the_post_and_reply_in_its_thread(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db)
    await drain(db, slack)
    await follow_up(db, episode, NoticeKind.UPDATE)
    await drain(db, slack)
    [post] = mock_slack.slack.messages("C0GENERAL")
    assert post.text.startswith("🚨 Still going")
    assert post.edited_ts is not None

    await follow_up(db, episode, NoticeKind.RESOLVED)
    await drain(db, slack)
    post, reply = mock_slack.slack.messages("C0GENERAL")
    assert post.text.startswith("✅ Resolved: click spike on spring-sale")
    actions = next(b for b in post.blocks or [] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == ["alert_show_link"]
    assert post.metadata is not None  # an edit keeps the post's tag
    assert reply.thread_ts == post.ts
    assert reply.text.startswith("✅ Resolved after 40 min")
    assert len(mock_slack.slack.calls_to("chat.update")) == 2
    assert len(mock_slack.slack.calls_to("chat.postMessage")) == 2


async def test_429_then_500s_for_a_while_every_alert_arrives_in_order_once(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episodes = [await fire(db, "C0GENERAL"), await fire(db, "C0MARKETING")]
    episodes.append(await fire(db, "C0GENERAL"))
    mock_slack.slack.rate_limit(retry_after=1, method="chat.postMessage")
    mock_slack.slack.inject("http_error", status=500, times=4)
    mock_slack.slack.inject("disconnect", method="chat.postMessage")
    started = time.monotonic()

    reports = await drain(db, slack)

    assert time.monotonic() - started >= 1.0  # Retry-After was honoured
    assert any(r.retried for r in reports)
    # In order, once each.
    assert tags(mock_slack, "C0GENERAL") == [episodes[0].post_id, episodes[2].post_id]
    assert tags(mock_slack, "C0MARKETING") == [episodes[1].post_id]
    for episode in episodes:
        assert (await item(db, episode.post_id)).status == "sent"


async def test_a_late_item_waits_for_an_earlier_one_of_its_channel(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    first = await fire(db)
    mock_slack.slack.inject("http_error", status=503, method="chat.postMessage")
    report = await deliver_once(db, slack, backoff=Backoff(base=0.5))
    assert report.retried == [first.post_id]

    second = await fire(db)  # due now, while the first waits for its retry
    report = await deliver_once(db, slack)
    assert report.held == [second.post_id]
    assert mock_slack.slack.messages("C0GENERAL") == []

    await drain(db, slack)
    assert tags(mock_slack, "C0GENERAL") == [first.post_id, second.post_id]


async def test_not_in_channel_kills_the_item_and_tells_the_creator_once(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db, "C0RANDOM")
    report = await deliver_once(db, slack)
    assert report.dead == [episode.post_id]
    assert report.told == [CREATOR]
    dead = await item(db, episode.post_id)
    assert (dead.status, dead.last_error) == ("dead", "not_in_channel")
    [dm] = mock_slack.slack.messages(CREATOR)
    assert "rule #" in dm.text
    assert "invite @clickbot" in dm.text
    assert "<#C0RANDOM>" in dm.text

    again = await fire(db, "C0RANDOM", rule_id=episode.rule_id)
    report = await deliver_once(db, slack)
    assert report.dead == [again.post_id]
    assert report.told == []
    assert len(mock_slack.slack.messages(CREATOR)) == 1
    async with db.transaction() as tx:
        assert await tx.outbox.depth() == 0


async def test_archived_channel_and_revoked_token(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    archived = await fire(db, "C0OLDNEWS")
    report = await deliver_once(db, slack)
    assert report.dead == [archived.post_id]
    [dm] = mock_slack.slack.messages(CREATOR)
    assert "archived" in dm.text

    mock_slack.slack.revoke_token()
    revoked = await fire(db)
    report = await deliver_once(db, slack)
    assert report.dead == [revoked.post_id]
    assert report.told == []  # nobody can be told through a revoked token
    assert (await item(db, revoked.post_id)).last_error == "token_revoked"


async def test_updates_die_with_their_post(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db, "C0RANDOM")
    resolved = await follow_up(db, episode, NoticeKind.RESOLVED)
    await deliver_once(db, slack)
    for item_id in resolved:
        assert (await item(db, item_id)).status == "dead"
    assert mock_slack.slack.calls_to("chat.update") == []


async def test_posts_to_one_channel_are_paced(db: Database, mock_slack: MockSlackServer) -> None:
    """The waits the receiver asks for, on a clock of its own: no wall-clock timing here."""
    now = [1000.0]
    waits: list[tuple[str, float]] = []
    current: list[str] = []

    async def sleep(seconds: float) -> None:
        waits.append((current[-1], seconds))
        now[0] += seconds

    poster = SlackPoster(
        mock_slack.token,
        base_url=mock_slack.api_url,
        per_channel_interval=0.3,
        clock=lambda: now[0],
        sleep=sleep,
    )
    paced = slack_receivers(poster)
    pace = poster.pace

    async def recording_pace(channel: str) -> None:
        current.append(channel)
        await pace(channel)

    poster.pace = recording_pace  # type: ignore[method-assign]
    for _ in range(3):
        await fire(db, "C0GENERAL")
    await fire(db, "C0MARKETING")
    await deliver_once(db, paced)
    posts = mock_slack.slack.calls_to("chat.postMessage")
    assert [call.args["channel"] for call in posts].count("C0GENERAL") == 3
    general = [seconds for channel, seconds in waits if channel == "C0GENERAL"]
    assert len(general) == 2  # the 2nd and 3rd post each wait for their slot
    assert all(seconds == pytest.approx(0.3, abs=1e-9) for seconds in general)
    assert not [w for w in waits if w[0] == "C0MARKETING"]  # other channels do not wait


class RawBlock(Block):
    """A block sent exactly as given, even one slack_sdk would never build."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(type=str(body["type"]))
        self.body = body

    def to_dict(self) -> dict[str, Any]:
        return self.body


async def test_blocks_slack_refuses_are_a_logged_bug_not_a_retry(
    db: Database,
    mock_slack: MockSlackServer,
    slack: list[Receiver],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = Message(
        "alert", [RawBlock({"type": "section", "text": {"type": "mrkdwn", "text": ""}})]
    )
    monkeypatch.setattr(slack_receiver, "render", lambda notice: broken)
    episode = await fire(db)
    with caplog.at_level(logging.ERROR, logger="alerts.deliver.slack"):
        report = await deliver_once(db, slack)
    assert report.dead == [episode.post_id]
    assert (await item(db, episode.post_id)).last_error == "invalid_blocks"
    assert any(f"outbox item {episode.post_id}" in r.getMessage() for r in caplog.records)
    assert report.told == []
