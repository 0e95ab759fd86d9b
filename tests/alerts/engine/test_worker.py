"""The worker: migrations first, the poll job on the scheduler, the sender hook, clean stops."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable
from pathlib import Path

from alerts.deliver import deliver_once
from alerts.observer import DeliveryResult
from alerts.worker import POLL_JOB, Worker, receivers_from_settings
from storage import Database
from tests.alerts.engine.conftest import TEAM, make_client
from tests.conftest import Sandbox


class CountsPasses:
    """An observer that counts the sender's passes (each reports its 'sent' count once)."""

    def __init__(self, deliveries: list[int]) -> None:
        self.deliveries_seen = deliveries

    def poll_cycle(self, *, ok: bool, seconds: float | None) -> None:
        return None

    def alerts_fired(self, count: int) -> None:
        return None

    def deliveries(self, result: DeliveryResult, count: int) -> None:
        if result == "sent":
            self.deliveries_seen.append(1)

    def throttled(self, receiver: str, count: int) -> None:
        return None


async def _worker(sandbox: Sandbox, path: Path, deliveries: list[int]) -> tuple[Worker, Database]:
    db = Database(f"sqlite+aiosqlite:///{path}")  # not migrated: the worker does it
    worker = Worker(
        db,
        make_client(sandbox),
        poll_seconds=0.3,
        receivers=[],
        deliver_interval=0.05,
        observer=CountsPasses(deliveries),
    )
    return worker, db


async def test_worker_migrates_polls_delivers_and_stops(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sandbox = make_sandbox(frozen=False)
    deliveries: list[int] = []
    worker, db = await _worker(sandbox, tmp_path / "w.sqlite3", deliveries)
    running = asyncio.create_task(worker.run(handle_signals=False))
    await asyncio.sleep(0.3)  # migrated by now: add a rule for the poller to find
    async with db.transaction() as tx:
        await tx.rules.add(
            TEAM,
            created_by="U1",
            channel_id="C1",
            scope_kind="account",
            scope_ref="account",
            scope_label="the account",
            condition="threshold",
            threshold=10_000,
            window_seconds=900,
        )
    assert worker.scheduler is not None
    job = worker.scheduler.get_job(POLL_JOB)
    assert (job.max_instances, job.coalesce) == (1, True)
    assert job.misfire_grace_time >= 1
    await asyncio.sleep(1.5)
    worker.stop()
    await asyncio.wait_for(running, 10)
    assert len([c for c in worker.cycles if c.rules == 1 and c.ok]) >= 2
    assert any(c.stepped for c in worker.cycles)
    assert len(deliveries) >= 5
    assert not worker.scheduler.running
    await worker.client.aclose()
    await db.dispose()


async def test_sigterm_stops_the_worker(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sandbox = make_sandbox(frozen=False)
    worker, db = await _worker(sandbox, tmp_path / "s.sqlite3", [])
    running = asyncio.create_task(worker.run())
    await asyncio.sleep(0.5)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(running, 10)
    assert worker.scheduler is not None
    assert not worker.scheduler.running
    await worker.client.aclose()
    await db.dispose()


async def test_receivers_from_settings_use_the_deliver_package(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite3'}")
    await db.migrate()
    receivers = receivers_from_settings(None, "https://slack.com/api/")
    assert receivers  # webhooks, even without a Slack token
    report = await deliver_once(db, receivers)
    assert report.claimed == 0  # an empty outbox: nothing to do
    await db.dispose()
