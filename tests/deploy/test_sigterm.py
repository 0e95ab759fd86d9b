"""SIGTERM to a worker in the middle of deliveries loses nothing and doubles nothing.

A real `clickbot worker` process delivers four queued alerts to a Slack that takes 2 s per
post; SIGTERM arrives while the second is in flight. Whatever it had not sent stays queued, and
a restarted worker delivers it: four posts in the end, each once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from alerts.notice import AlertNotice, NoticeKind
from alerts.outbox import enqueue_alert
from devtools.localslack import MockSlackServer
from devtools.localslack.signed import TEAM_ID
from storage import Database
from tests.conftest import Sandbox
from tests.deploy.environment import deployment_env, start_clickbot

ITEMS = 4


def enqueue(database_url: str) -> None:
    async def go() -> None:
        async with Database(database_url) as db:
            await db.migrate()
            async with db.transaction() as tx:
                for n in range(ITEMS):
                    notice = AlertNotice(
                        kind=NoticeKind.TEST,
                        team_id=TEAM_ID,
                        at=datetime.now(UTC),
                        message=f"sample {n}",
                    )
                    await enqueue_alert(
                        tx,
                        notice,
                        kind="slack.post",
                        channel="C0GENERAL",
                        dedupe_key=f"sigterm-test-{n}",
                    )

    asyncio.run(go())


def statuses(database_url: str) -> list[str]:
    async def go() -> list[str]:
        from sqlalchemy import select

        from storage import OutboxItem

        async with Database(database_url) as db, db.transaction() as tx:
            return list((await tx.session.scalars(select(OutboxItem.status))).all())

    return asyncio.run(go())


def test_sigterm_mid_delivery_loses_and_doubles_nothing(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    sandbox = make_sandbox(frozen=False, start=None)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    enqueue(database_url)
    slack = mock_slack.slack
    slack.inject("delay", method="chat.postMessage", times=ITEMS * 3, seconds=2.0)
    env = deployment_env(sandbox, mock_slack, tmp_path, database_url, ALERT_POLL_SECONDS="300")
    worker = start_clickbot("worker", env, tmp_path)
    try:
        slack.wait_for(lambda: slack.messages("C0GENERAL"), timeout=60)
        worker.send_signal(signal.SIGTERM)  # the second post is on its way
        output, _ = worker.communicate(timeout=90)
    finally:
        if worker.poll() is None:
            worker.kill()
    assert worker.returncode == 0, output
    assert "Traceback" not in output, output
    left = statuses(database_url)
    assert len(left) == ITEMS  # nothing lost
    assert set(left) <= {"sent", "pending", "failed"}  # nothing stuck half-sent

    again = start_clickbot("worker", env, tmp_path)
    try:
        slack.wait_for(lambda: len(slack.messages("C0GENERAL")) >= ITEMS or None, timeout=60)
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=90)
    finally:
        if again.poll() is None:
            again.kill()
    posts = slack.messages("C0GENERAL")
    outbox_ids = [p.metadata["event_payload"]["outbox_id"] for p in posts if p.metadata]
    assert len(posts) == ITEMS
    assert sorted(outbox_ids) == sorted(set(outbox_ids))
    assert statuses(database_url) == ["sent"] * ITEMS
