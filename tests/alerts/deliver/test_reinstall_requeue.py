"""Items Slack refused because the bot token was revoked come back once a token works again: the
worker checks its token when it starts (a re-install in single-workspace mode is a new token and
a restart), and only the items that died for a token problem are requeued."""

from __future__ import annotations

import pytest

from alerts.deliver import SlackPoster
from alerts.deliver.slack import SlackPostReceiver
from alerts.worker import Worker
from devtools.localslack import MockSlackServer
from devtools.localslack.signed import TEAM_ID
from storage import Database
from tests.alerts.engine.conftest import make_client
from tests.conftest import Sandbox


async def dead(db: Database, reason: str, key: str, team: str = TEAM_ID) -> int:
    async with db.transaction() as tx:
        item = await tx.outbox.enqueue(
            team, kind="slack.post", target="C0GENERAL", payload={}, dedupe_key=key
        )
        await tx.outbox.mark_dead(item.id, reason)
        return item.id


async def status(db: Database, item_id: int) -> str:
    async with db.transaction() as tx:
        item = await tx.outbox.get(item_id)
    assert item is not None
    return item.status


def worker(db: Database, sandbox: Sandbox, slack: MockSlackServer, token: str) -> Worker:
    poster = SlackPoster(token, base_url=slack.api_url, per_channel_interval=0.01)
    return Worker(db, make_client(sandbox), receivers=[SlackPostReceiver(poster)])


async def test_a_working_token_requeues_what_a_revoked_one_killed(
    db: Database, sandbox: Sandbox, mock_slack: MockSlackServer
) -> None:
    revoked = await dead(db, "token_revoked", "a")
    inactive = await dead(db, "account_inactive", "b")
    bug = await dead(db, "invalid_blocks", "c")  # a rendering bug: a new token fixes nothing
    channel = await dead(db, "not_in_channel", "d")  # fixed by an invite, not a token
    other_team = await dead(db, "token_revoked", "e", team="T0OTHER")

    assert await worker(db, sandbox, mock_slack, mock_slack.token).requeue_refused_by_token() == 2

    assert await status(db, revoked) == "pending"
    assert await status(db, inactive) == "pending"
    assert [await status(db, i) for i in (bug, channel, other_team)] == ["dead"] * 3


async def test_a_refused_token_requeues_nothing_and_says_why(
    db: Database, sandbox: Sandbox, mock_slack: MockSlackServer, caplog: pytest.LogCaptureFixture
) -> None:
    revoked = await dead(db, "token_revoked", "a")
    token = "xoxb-not-the-bot-token-0000"

    assert await worker(db, sandbox, mock_slack, token).requeue_refused_by_token() == 0

    assert await status(db, revoked) == "dead"
    assert "the Slack token is refused (invalid_auth)" in caplog.text
    assert token not in caplog.text
