"""The worker process: the poll job on an APScheduler `AsyncIOScheduler`, and the sender loop.

    worker = Worker(db, client, poll_seconds=300, receivers=receivers, observer=metrics)
    await worker.run()          # until SIGTERM / SIGINT (or `worker.stop()`)

What callers can rely on:
- Migrations run before anything else (`Database.ensure_schema`, a no-op when up to date).
- The poll job runs every `poll_seconds` starting at once, one instance at a time
  (`max_instances=1`); runs missed while the process was busy or asleep are coalesced into one
  (`coalesce=True`) and still run when at most `misfire_grace_time` (half an interval) late. A
  failing cycle is logged and the next one runs as planned.
- With `receivers` (`receivers_from_settings` builds them), the sender loop
  (`alerts.deliver.run_sender`) runs beside the scheduler: a pass every `deliver_interval`
  seconds, again at once while passes come back full, and right after a poll or a digest tick
  that queued something. Without them no delivery happens in this process.
- The retention job (hourly, `prune`) deletes what `retention` says is old: delivered outbox
  items, counter snapshots, (distribution mode) every row of a workspace uninstalled and not
  installed again, and the claims on questions asked in plain words (a day; `storage.answered`);
  a failing run is logged and the next one catches up.
- Each workspace is read with its own client from `clients` (default: `client` for all) and
  polled by one worker at a time: the ones whose lease it holds (`alerts.engine.leases`, for
  `lease_seconds`, default half an interval). The lease job (every third of that) renews them,
  takes over a dead worker's and polls the overdue ones at once; `stop` gives them back.
- With `installed_only` (distribution mode), only workspaces with the app installed are polled
  and sent digests: an uninstall stops both from the next cycle and tick on.
- Poll cycles, alerts fired and deliveries are reported to `observer` (default: ignored).
- `stop()` (and SIGTERM/SIGINT, handled by `run`) lets a running cycle or pass finish, then
  shuts the scheduler down and returns from `run`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler  # type: ignore[import-untyped]
from slack_sdk.errors import SlackApiError

from alerts.accounts import ClientSource, DeploymentClient
from alerts.deliver import (
    Backoff,
    DigestReceiver,
    Receiver,
    SlackPoster,
    SlackPostReceiver,
    SlackUpdateReceiver,
    WebhookReceiver,
    run_sender,
)
from alerts.deliver.addresses import AddressPolicy
from alerts.deliver.poster import AUTH_ERRORS
from alerts.deliver.tokens import SlackPosters, TokenSource
from alerts.digests.runner import run_due_digests
from alerts.engine import CycleReport, EngineConfig, Poller
from alerts.engine.leases import WorkspaceLeases
from alerts.observer import NO_OBSERVER, Observer
from clickmeter import ClickMeterClient
from storage import Database, utcnow
from storage.answered import ANSWERED_RETENTION

logger = logging.getLogger("clickbot.worker")

POLL_JOB = "poll"
DIGEST_JOB = "digests"
PRUNE_JOB = "prune"
LEASE_JOB = "leases"
#: How often due digests are looked for: a digest goes out at most this late.
DIGEST_TICK_SECONDS = 30.0
#: How often old outbox items and snapshots are deleted.
PRUNE_TICK_SECONDS = 3600.0
#: Outbox items deleted per statement (a long backlog goes in several, never one huge one).
PRUNE_BATCH = 1000


@dataclass(frozen=True)
class Retention:
    """How long what is done is kept: delivered outbox items, click counter snapshots, and
    (distribution mode) the data of a workspace that uninstalled the app."""

    outbox_days: int = 7
    snapshot_days: int = 7
    #: None: workspaces are never purged (one workspace, which cannot uninstall itself away).
    uninstalled_days: int | None = None


class Worker:
    def __init__(
        self,
        db: Database,
        client: ClickMeterClient,
        *,
        poll_seconds: float = 300.0,
        config: EngineConfig | None = None,
        receivers: Sequence[Receiver] | None = None,
        deliver_interval: float = 1.0,
        backoff: Backoff | None = None,
        deliver_deadline: float = 30.0,
        retention: Retention | None = None,
        observer: Observer = NO_OBSERVER,
        clock: Callable[[], datetime] = utcnow,
        installed_only: bool = False,
        clients: ClientSource | None = None,
        lease_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.clients = clients or DeploymentClient(client)
        self.clock = clock
        self.poll_seconds = poll_seconds
        #: Distribution mode: poll and send digests only for workspaces with the app installed.
        self.installed_only = installed_only
        self.leases = WorkspaceLeases(db, ttl=lease_seconds or poll_seconds / 2)
        self.poller = Poller(
            db,
            self.clients,
            config or EngineConfig(poll_seconds=poll_seconds),
            clock=clock,
            installed_only=installed_only,
            leases=self.leases,
        )
        self.receivers = receivers
        self.deliver_interval = deliver_interval
        self.backoff = backoff
        self.deliver_deadline = deliver_deadline
        self.retention = retention or Retention()
        self.observer = observer
        self.scheduler: AsyncIOScheduler | None = None
        self.cycles: list[CycleReport] = []
        self._stop = asyncio.Event()
        self._wake_sender = asyncio.Event()
        # Held while a cycle (or a lease job) runs, so shutdown can wait for the one in flight.
        self._cycle = asyncio.Lock()
        self._leasing = asyncio.Lock()
        self._takeovers: set[asyncio.Task[CycleReport | None]] = set()

    async def poll(self, only: set[str] | None = None) -> CycleReport | None:
        """The scheduled job: one cycle (of the workspaces in `only`, None: all this worker
        holds); errors are logged, never raised into the scheduler."""
        started = time.monotonic()
        try:
            async with self._cycle:
                if self._stop.is_set():  # a take-over started as the worker stops
                    return None
                report = await self.poller.run_cycle(only)
        except Exception:
            self.observer.poll_cycle(ok=False, seconds=None)
            logger.exception("poll cycle failed")
            return None
        self.observer.poll_cycle(ok=report.ok, seconds=time.monotonic() - started)
        self.observer.alerts_fired(report.tally.fired)
        self.cycles.append(report)
        self.cycles[:] = self.cycles[-100:]
        logger.info(
            "poll: ok=%s calls=%d teams=%d rules=%d stepped=%d fired=%d resolved=%d items=%d",
            report.ok,
            report.calls,
            report.teams,
            report.rules,
            report.stepped,
            report.tally.fired,
            report.tally.resolved,
            report.tally.items,
        )
        if report.tally.items:
            self._wake_sender.set()  # new notices: deliver now, not at the next tick
        return report

    async def keep_leases(self) -> set[str]:
        """The lease job: renew leases and heartbeat, claim this worker's share (a dead
        worker's included) and start polling (beside this job, which must never wait for a
        cycle) the newly claimed ones no one polled for an interval: returned."""
        try:
            async with self._leasing:
                before = set(self.leases.held)
                teams = await self.poller.active_rules()
                held = await self.leases.claim(teams) if teams else await self.leases.renew()
                gained = set(held) - before
                since = self.clock() - timedelta(seconds=self.poll_seconds)
                overdue = gained - await self.poller.polled_since(gained, since)
        except Exception:
            logger.exception("lease job failed; the next run tries again")
            return set()
        if overdue:
            logger.info("polling %d taken-over workspace(s) now", len(overdue))
            task = asyncio.create_task(self.poll(overdue))
            self._takeovers.add(task)
            task.add_done_callback(self._takeovers.discard)
        return overdue

    async def send_digests(self) -> None:
        """The digest job: enqueue the digests that are due (see `alerts.digests.runner`). A
        failing tick (e.g. the database briefly away) is logged; the next one runs as planned,
        and since the record of runs is in the database, a restart loses nothing."""
        try:
            runs = await run_due_digests(
                self.db, self.clients, now=self.clock(), installed_only=self.installed_only
            )
        except Exception:
            logger.exception("digest tick failed")
            return
        if runs:
            self._wake_sender.set()

    async def prune(self) -> tuple[int, int]:
        """The retention job: delete what `retention` no longer keeps; returns (outbox items,
        snapshots) deleted. Failures are logged, never raised into the scheduler."""
        now = self.clock()
        items = snapshots = 0
        try:
            if self.retention.uninstalled_days is not None:
                async with self.db.transaction() as tx:
                    before = now - timedelta(days=self.retention.uninstalled_days)
                    for team in await tx.installations.purge_uninstalled(before):
                        logger.info("retention: purged workspace %s (uninstalled)", team)
            while True:  # in batches; a post goes once the edits and replies it had are gone
                async with self.db.transaction() as tx:
                    before = now - timedelta(days=self.retention.outbox_days)
                    deleted = await tx.outbox.prune_sent(before, PRUNE_BATCH)
                items += deleted
                if deleted == 0:
                    break
            async with self.db.transaction() as tx:
                oldest = now.date() - timedelta(days=self.retention.snapshot_days)
                snapshots = await tx.polls.prune_snapshots(oldest)
            async with self.db.transaction() as tx:
                claims = await tx.answered.prune(now - ANSWERED_RETENTION)
            if claims:
                logger.info("retention: forgot %d answered question(s)", claims)
        except Exception:
            logger.exception("retention job failed; the next run catches up")
        if items or snapshots:
            logger.info("retention: deleted %d outbox item(s), %d snapshot(s)", items, snapshots)
        return items, snapshots

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
        lease_tick = self.leases.ttl.total_seconds() / 3
        scheduler.add_job(
            self.keep_leases,
            "interval",
            seconds=lease_tick,
            id=LEASE_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(lease_tick)),
            next_run_time=utcnow() + timedelta(seconds=lease_tick),
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
        scheduler.add_job(
            self.prune,
            "interval",
            seconds=PRUNE_TICK_SECONDS,
            id=PRUNE_JOB,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(PRUNE_TICK_SECONDS),
            next_run_time=utcnow() + timedelta(seconds=5),
        )
        scheduler.start()
        self.scheduler = scheduler
        return scheduler

    async def requeue_refused_by_token(self) -> int:
        """Items settled dead because Slack refused the bot token (revoked, the app uninstalled)
        go out again once the token this worker starts with works: the fix for that cause is a
        re-install, which gives a new token and a restart. Returns how many were requeued."""
        poster = next(
            (r.posters.single for r in self.receivers or () if isinstance(r, SlackPostReceiver)),
            None,
        )
        if poster is None:  # no Slack, or one token per workspace (a re-install requeues)
            return 0
        try:
            identity = await poster.client.auth_test()
        except SlackApiError as exc:
            logger.warning("the Slack token is refused (%s)", exc.response.get("error"))
            return 0
        except Exception as exc:  # Slack unreachable: the next start tries again
            logger.warning("could not check the Slack token (%s)", type(exc).__name__)
            return 0
        team = str(identity.get("team_id") or "")
        if not team:
            return 0
        async with self.db.transaction() as tx:
            requeued = await tx.outbox.requeue_dead_in(team, reasons=AUTH_ERRORS)
        if requeued:
            logger.info("the Slack token works again: %d undelivered item(s) requeued", requeued)
            self._wake_sender.set()
        return requeued

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
        await self.requeue_refused_by_token()
        scheduler = self.start_scheduler()
        sender: asyncio.Task[None] | None = None
        if self.receivers is None:
            logger.warning("no sender in this process: alerts are queued, not delivered")
        else:
            sending = run_sender(
                self.db,
                self.receivers,
                self._stop,
                self.deliver_interval,
                wake=self._wake_sender,
                observer=self.observer,
                backoff=self.backoff,
                deadline=self.deliver_deadline,
            )
            sender = asyncio.create_task(sending)
        logger.info("worker started: polling every %gs", self.poll_seconds)
        try:
            await self._stop.wait()
        finally:
            # The cycle in flight finishes first: shutting the scheduler down cancels the jobs
            # still running (APScheduler's asyncio executor). The lease job runs on meanwhile,
            # or that cycle's leases could lapse before it commits.
            for job in (POLL_JOB, DIGEST_JOB, PRUNE_JOB):
                scheduler.pause_job(job)
            async with asyncio.timeout(60), self._cycle:
                pass  # the cycle in flight, if any, has finished
            await asyncio.gather(*self._takeovers)
            scheduler.pause()
            async with asyncio.timeout(60), self._leasing:
                pass  # the lease job in flight, if any, has finished
            scheduler.shutdown(wait=False)  # the asyncio scheduler can't block
            try:  # the other workers take this one's workspaces at once, not at expiry
                await self.leases.release_all()
            except Exception:
                logger.exception("could not give the leases back; they expire on their own")
            if sender is not None:
                await asyncio.wait_for(sender, timeout=60)
            if handle_signals:
                for sig in (signal.SIGTERM, signal.SIGINT):
                    with contextlib.suppress(NotImplementedError, RuntimeError):
                        loop.remove_signal_handler(sig)
            logger.info("worker stopped")


def receivers_from_settings(
    slack_token: str | None,
    slack_api_url: str,
    *,
    webhook_policy: AddressPolicy | None = None,
    tokens: TokenSource | None = None,
) -> list[Receiver]:
    """The receivers of a deployment: webhooks always (to where `webhook_policy` allows);
    alerts and digests in Slack when there is a bot token: `slack_token` for every item
    (single-workspace mode: one poster, so one channel's pacing covers alerts and digests), or
    each workspace's from `tokens` (distribution mode: a poster, and its pacing, per
    workspace)."""
    receivers: list[Receiver] = [WebhookReceiver(policy=webhook_policy)]
    posters: SlackPosters | None = None
    if tokens is not None:
        posters = SlackPosters(tokens, base_url=slack_api_url)
    elif slack_token:
        posters = SlackPosters.sharing(SlackPoster(slack_token, base_url=slack_api_url))
    if posters is not None:
        receivers += [
            SlackPostReceiver(posters),
            SlackUpdateReceiver(posters),
            DigestReceiver(posters),
        ]
    return receivers
