"""A send that reached Slack but was never recorded (the process died, or the answer was lost)
is found again by its metadata tag after a restart, instead of being posted twice."""

from __future__ import annotations

import asyncio
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

from alerts.deliver import (
    Delivery,
    Outcome,
    Receiver,
    Sent,
    SlackPoster,
    deliver_once,
    run_sender,
)
from alerts.notice import NoticeKind
from devtools.localslack import MockSlackServer
from storage import Database
from storage.models import OutboxKind
from tests.alerts.deliver.helpers import (
    FAST,
    TEAM,
    drain,
    fire,
    follow_up,
    item,
    slack_receivers,
    tags,
    wait_until_sent,
)

ROOT = Path(__file__).resolve().parents[3]


async def test_sigkill_between_post_and_record_makes_no_duplicate(
    db: Database, db_url: str, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db)
    lease = 0.5
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.alerts.deliver.crash_sender",
        db_url,
        mock_slack.api_url,
        mock_slack.token,
        str(lease),
        cwd=ROOT,
    )
    assert await asyncio.wait_for(process.wait(), timeout=30) == -signal.SIGKILL
    assert tags(mock_slack, "C0GENERAL") == [episode.post_id]  # it did reach Slack
    crashed = await item(db, episode.post_id)
    assert (crashed.status, crashed.result) == ("sending", None)  # ...and was not recorded

    await asyncio.sleep(lease)  # the dead sender's claim lapses
    stop = asyncio.Event()
    sender = asyncio.create_task(run_sender(db, slack, stop, interval=0.05, backoff=FAST))
    await wait_until_sent(db, episode.post_id)
    stop.set()
    await asyncio.wait_for(sender, timeout=5)

    [message] = mock_slack.slack.messages("C0GENERAL")
    assert len(mock_slack.slack.calls_to("chat.postMessage")) == 1
    assert mock_slack.slack.calls_to("conversations.history")  # it looked before posting
    adopted = await item(db, episode.post_id)
    assert adopted.result == {"channel": "C0GENERAL", "ts": message.ts}
    assert adopted.attempts == 2
    async with db.transaction() as tx:
        stored = await tx.episodes.get(TEAM, episode.episode_id)
        assert stored is not None
        assert stored.slack_ts == message.ts
        assert await tx.outbox.depth() == 0


@dataclass
class LosesTheAnswer:
    """Sends through `inner`, then (the first time for each item) fails as if the connection
    dropped before Slack's answer arrived."""

    inner: Receiver
    lost: set[int]

    @property
    def kinds(self) -> frozenset[OutboxKind]:
        return self.inner.kinds

    async def deliver(self, delivery: Delivery) -> Outcome:
        outcome = await self.inner.deliver(delivery)
        if isinstance(outcome, Sent) and delivery.id not in self.lost:
            self.lost.add(delivery.id)
            raise ConnectionResetError("connection reset before the answer")
        return outcome

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        return await self.inner.find_delivered(delivery)


async def test_lost_answers_for_a_post_and_a_reply_are_adopted(
    db: Database, mock_slack: MockSlackServer
) -> None:
    poster = SlackPoster(mock_slack.token, base_url=mock_slack.api_url, per_channel_interval=0)
    lost: set[int] = set()
    receivers: list[Receiver] = [LosesTheAnswer(i, lost) for i in slack_receivers(poster)]
    episode = await fire(db)
    first = await deliver_once(db, receivers, backoff=FAST)
    assert first.retried == [episode.post_id]
    reports = await drain(db, receivers)
    assert [r.adopted for r in reports if r.adopted] == [[episode.post_id]]

    update, reply = await follow_up(db, episode, NoticeKind.RESOLVED)
    reports = await drain(db, receivers)
    # The edit is simply made again (it shows nothing twice); the reply is found and adopted.
    assert sorted(i for r in reports for i in r.adopted) == [reply]
    assert len(mock_slack.slack.calls_to("chat.update")) == 2
    post, threaded = mock_slack.slack.messages("C0GENERAL")
    assert threaded.thread_ts == post.ts
    assert tags(mock_slack, "C0GENERAL") == [episode.post_id, reply]
    assert (await item(db, update)).status == "sent"
    assert (await item(db, reply)).result == {
        "channel": "C0GENERAL",
        "ts": threaded.ts,
        "thread_ts": post.ts,
    }


async def test_an_untagged_history_means_posting_again(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver]
) -> None:
    episode = await fire(db)
    mock_slack.slack.post_user_message("C0GENERAL", "unrelated chatter")
    mock_slack.slack.inject("disconnect", method="chat.postMessage")  # never reached Slack
    await drain(db, slack)
    assert tags(mock_slack, "C0GENERAL") == [episode.post_id]
    assert len(mock_slack.slack.calls_to("conversations.history")) == 1
