"""The worker process: the poll job on an APScheduler `AsyncIOScheduler`, and the sender loop.

    worker = Worker(db, client, poll_seconds=300, deliver_once=deliver)
    await worker.run()          # until SIGTERM / SIGINT (or `worker.stop()`)

What callers can rely on:
- Migrations run before anything else (`Database.ensure_schema`, a no-op when up to date).
- The poll job runs every `poll_seconds` starting at once, one instance at a time
  (`max_instances=1`); runs missed while the process was busy or asleep are coalesced into one
  (`coalesce=True`) and still run when at most `misfire_grace_time` (half an interval) late. A
  failing cycle is logged and the next one runs as planned.
- `deliver_once`, when given, is an async callable doing one pass over the outbox (e.g. the
  sender's `alerts.deliver.deliver_once` bound to its receivers); it is called every
  `deliver_interval` seconds, again at once while it reports a full pass, and after each poll.
  Without it no delivery happens in this process (`sender_from_settings` builds one).
- `stop()` (and SIGTERM/SIGINT, handled by `run`) lets a running cycle or pass finish, then
  shuts the scheduler down and returns from `run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]

from alerts.engine import CycleReport, EngineConfig, Poller
from bot.metrics import ALERTS_FIRED, POLL_CYCLE_SECONDS, POLL_CYCLES, count_deliveries
from clickmeter import ClickMeterClient
from storage import Database, utcnow

logger = logging.getLogger("clickbot.worker")

DeliverOnce = Callable[[], Awaitable[Any]]
POLL_JOB = "poll"
DIGEST_JOB = "digests"
#: How often due digests are looked for: a digest goes out at most this late.
DIGEST_TICK_SECONDS = 30.0
#: A delivery pass that claimed this many items (the sender's default limit) may have left more.
FULL_PASS = 20


class Worker:
    def __init__(
        self,
        db: Database,
        client: ClickMeterClient,
        *,
        poll_seconds: float = 300.0,
        config: EngineConfig | None = None,
        deliver_once: DeliverOnce | None = None,
        deliver_interval: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.poller = Poller(
            db, client, config or EngineConfig(poll_seconds=poll_seconds), clock=clock
        )
        self.deliver_once = deliver_once
        self.deliver_interval = deliver_interval
        self.scheduler: AsyncIOScheduler | None = None
        self.cycles: list[CycleReport] = []
        self._stop = asyncio.Event()
        self._wake_sender = asyncio.Event()
        # Held while a cycle runs, so shutdown can wait for the one in flight.
        self._cycle = asyncio.Lock()

    async def poll(self) -> CycleReport | None:
        """The scheduled job: one cycle; errors are logged, never raised into the scheduler."""
        started = time.monotonic()
        try:
            async with self._cycle:
                report = await self.poller.run_cycle()
        except Exception:
            POLL_CYCLES.labels("failed").inc()
            logger.exception("poll cycle failed")
            return None
        POLL_CYCLE_SECONDS.observe(time.monotonic() - started)
        POLL_CYCLES.labels("ok" if report.ok else "failed").inc()
        ALERTS_FIRED.inc(report.tally.fired)
        self.cycles.append(report)
        self.cycles[:] = self.cycles[-100:]
        logger.info(
            "poll: ok=%s calls=%d rules=%d stepped=%d fired=%d resolved=%d items=%d",
            report.ok,
            report.calls,
            report.rules,
            report.stepped,
            report.tally.fired,
            report.tally.resolved,
            report.tally.items,
        )
        if report.tally.items:
            self._wake_sender.set()  # new notices: deliver now, not at the next tick
        return report

    async def send_digests(self) -> None:
        """The digest job: enqueue the digests that are due (see `alerts.digests.runner`)."""
        from alerts.digests.runner import run_due_digests

        try:
            runs = await run_due_digests(self.db, self.client, now=self.clock())
        except Exception:
            logger.exception("digest tick failed")
            return
        if runs:
            self._wake_sender.set()

    def start_scheduler(self) -> AsyncIOScheduler:
        """Create and start the scheduler with the poll job (needs a running event loop)."""
        scheduler = AsyncIOScheduler(timezone="UTC")
        scheduler.add_job(
            self.poll,
            "interval",
            seconds=self.poll_seconds,
            id=POLL_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(self.poll_seconds / 2)),
            next_run_time=utcnow() + timedelta(seconds=1),
        )
        scheduler.add_job(
            self.send_digests,
            "interval",
            seconds=DIGEST_TICK_SECONDS,
            id=DIGEST_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(DIGEST_TICK_SECONDS),
            next_run_time=utcnow() + timedelta(seconds=2),
        )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    async def _sender_loop(self) -> None:
        assert self.deliver_once is not None
        async with self.db.transaction() as tx:
            released = await tx.outbox.release_expired()
        if released:
            logger.info("released %d outbox item(s) left 'sending' by a previous run", released)
        while not self._stop.is_set():
            full = False
            try:
                report = await self.deliver_once()
                count_deliveries(report)
                claimed = getattr(report, "claimed", 0)
                full = isinstance(claimed, int) and claimed >= FULL_PASS
            except Exception:
                logger.exception("delivery pass failed")
            if full:
                continue
            self._wake_sender.clear()
            waits = [asyncio.ensure_future(e.wait()) for e in (self._stop, self._wake_sender)]
            await asyncio.wait(waits, timeout=self.deliver_interval, return_when="FIRST_COMPLETED")
            for waiter in waits:
                waiter.cancel()

    def stop(self) -> None:
        """Ask `run` to finish (safe to call from a signal handler)."""
        self._stop.set()

    async def run(self, *, handle_signals: bool = True) -> None:
        """Migrate, start the scheduler (and the sender loop), run until `stop()`."""
        await self.db.ensure_schema()
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, self.stop)
        scheduler = self.start_scheduler()
        sender = asyncio.create_task(self._sender_loop()) if self.deliver_once else None
        if sender is None:
            logger.warning("no sender in this process: alerts are queued, not delivered")
        logger.info("worker started: polling every %gs", self.poll_seconds)
        try:
            await self._stop.wait()
        finally:
            # wait=False: the asyncio scheduler can't block; a cycle in flight is awaited below.
            scheduler.shutdown(wait=False)
            async with asyncio.timeout(60), self._cycle:
                pass  # the cycle in flight, if any, has finished
            if sender is not None:
                await asyncio.wait_for(sender, timeout=60)
            if handle_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(NotImplementedError, RuntimeError):
                        loop.remove_signal_handler(sig)
            logger.info("worker stopped")


def sender_from_settings(
    db: Database, slack_token: str | None, slack_api_url: str
) -> DeliverOnce | None:
    """`alerts.deliver.deliver_once` over the Slack and webhook receivers, or None when the
    sender package is not installed (or no Slack token is set)."""
    try:
        from alerts import deliver
    except ImportError:
        logger.warning("alerts.deliver is not available: this worker will not deliver")
        return None
    receivers: list[Any] = [deliver.WebhookReceiver()]
    if slack_token:
        from alerts.deliver.digest import DigestReceiver

        receivers.append(deliver.SlackReceiver(slack_token, base_url=slack_api_url))
        receivers.append(DigestReceiver(slack_token, base_url=slack_api_url))

    async def deliver_once() -> Any:
        return await deliver.deliver_once(db, receivers)

    return deliver_once
