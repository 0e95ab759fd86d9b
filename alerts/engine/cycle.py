"""One poll cycle: per workspace, read its ClickMeter account, then snapshots -> intervals ->
detectors -> episodes -> outbox, in one transaction per workspace.

    poller = Poller(db, clients, EngineConfig(poll_seconds=300), leases=leases)
    report = await poller.run_cycle()

What callers can rely on:
- Each workspace's account is read with its own client (`alerts.accounts.ClientSource`: the
  deployment's one client in single-workspace mode, the workspace's own in distribution mode),
  once per cycle, never inside a database transaction, and in its account's time zone. A
  workspace with no account connected is skipped (logged); its rules wait for a connect.
  Workspaces are read side by side, at most `EngineConfig.concurrency` at a time (each key has
  its own rate limit, so they do not slow each other down).
- Only workspaces whose lease this worker holds are polled (`alerts.engine.leases`; without
  `leases`, a private set of leases on `db`), and what a workspace's cycle writes commits only
  if the lease is still held, checked in the same transaction; otherwise it is rolled back. A
  workspace another worker gave back or let lapse less than half an interval after polling it
  waits for the next cycle, so a hand-over does not poll it twice in one interval.
- A failed read (any `ClickMeterError`, an answer whose numbers or pages do not add up
  included, or the read taking longer than `read_timeout`) stores no snapshot and steps no
  detector for that workspace alone; the next good read's interval covers the whole gap, and the
  detectors judge it against the real elapsed time, so the clicks that piled up meanwhile are
  not a spike. After `outage_after` failures in a row the workspace is told once (OUTAGE), and
  once when reads work again (RECOVERED); other workspaces are not affected.
- Per workspace, everything a cycle changes (poll state, snapshots, detector states, episodes,
  outbox items) commits together. Re-running a cycle at the same instant changes nothing: no
  interval has elapsed, and every outbox item has a dedupe key.
- Rules with no learnt state for their subject (spike and drop) are seeded from ClickMeter's
  history first (`seed_rule`), at most `seeds_per_cycle` per workspace per cycle, so a rule
  created by a command that did not seed it still judges from its first cycle.
- `CycleReport` sums every workspace's `WorkspaceReport` (calls, rules, tally, ...), which it
  also lists; it is `ok` when no workspace's read failed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.accounts import ClientSource, DeploymentClient
from alerts.engine.counts import DayChangedDuringRead, Reading, read_counts
from alerts.engine.episodes import apply_decision, close_orphan
from alerts.engine.evaluate import detector_for, seed_rule, step_subject, subject_entry
from alerts.engine.intervals import Interval, Previous, interval_since
from alerts.engine.leases import LeaseLost, WorkspaceLeases
from alerts.engine.outages import record_failure, record_success
from alerts.engine.telling import REPEAT_INTERVAL, Context, Tally
from clickmeter import ClickMeterClient, ClickMeterError
from storage import AlertRule, Database, Snapshot, Transaction, utcnow
from storage.subjects import Subject

logger = logging.getLogger("clickbot.engine")

#: Consecutive failed reads before a team is told ClickMeter can't be read.
OUTAGE_AFTER = 3


@dataclass(frozen=True)
class EngineConfig:
    poll_seconds: float = 300.0
    repeat_interval: timedelta = REPEAT_INTERVAL
    outage_after: int = OUTAGE_AFTER
    #: A read slower than this counts as failed (default: 80% of the poll interval).
    read_timeout: float | None = None
    seeds_per_cycle: int = 5
    #: Workspaces read at the same time.
    concurrency: int = 16


@dataclass
class WorkspaceReport:
    """What one cycle did for one workspace. `skipped` says why nothing was read: 'no
    account' (none connected) or 'lease lost' (another worker took it meanwhile)."""

    team_id: str
    ok: bool = True
    error: str | None = None
    skipped: str | None = None
    calls: int = 0
    rules: int = 0
    stepped: int = 0
    seeded: int = 0
    tally: Tally = field(default_factory=Tally)


@dataclass
class CycleReport:
    """What one cycle did, summed over its workspaces; `ok` is False when some workspace's
    ClickMeter could not be read (`error` says the first such error)."""

    at: datetime
    ok: bool = True
    error: str | None = None
    calls: int = 0
    teams: int = 0
    rules: int = 0
    stepped: int = 0
    seeded: int = 0
    tally: Tally = field(default_factory=Tally)
    workspaces: list[WorkspaceReport] = field(default_factory=list)

    def add(self, part: WorkspaceReport) -> None:
        self.workspaces.append(part)
        if not part.ok:
            self.ok = False
        self.error = self.error or part.error
        self.calls += part.calls
        self.stepped += part.stepped
        self.seeded += part.seeded
        self.tally.add(part.tally)


def _valid(rules: Sequence[AlertRule]) -> list[AlertRule]:
    """The rules whose subject can be read; a malformed one is logged and skipped, so one bad
    row can't stop every team's alerts."""
    valid = []
    for rule in rules:
        try:
            rule.subject  # noqa: B018 - derives (and caches) it: a malformed scope raises here
        except ValueError as exc:
            logger.warning("rule %s skipped: %s", rule.id, exc)
            continue
        valid.append(rule)
    return valid


class Poller:
    """Runs cycles; holds no state between them besides its configuration and leases."""

    def __init__(
        self,
        db: Database,
        clients: ClientSource | ClickMeterClient,
        config: EngineConfig | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        installed_only: bool = False,
        leases: WorkspaceLeases | None = None,
    ) -> None:
        self.db = db
        self.clients: ClientSource = (
            DeploymentClient(clients) if isinstance(clients, ClickMeterClient) else clients
        )
        self.config = config or EngineConfig()
        self.clock = clock
        #: Distribution mode: only workspaces with the app installed are polled.
        self.installed_only = installed_only
        self.leases = leases or WorkspaceLeases(db, ttl=self.config.poll_seconds)

    async def active_rules(self) -> dict[str, list[AlertRule]]:
        """The rules to poll, by team (installed workspaces only, in distribution mode)."""
        async with self.db.transaction() as tx:
            rules = _valid(await tx.rules.all_active())
            if self.installed_only:  # an uninstalled workspace's rules wait for a re-install
                installed = await tx.installations.installed_teams()
                rules = [rule for rule in rules if rule.team_id in installed]
        by_team: dict[str, list[AlertRule]] = defaultdict(list)
        for rule in rules:
            by_team[rule.team_id].append(rule)
        return dict(by_team)

    async def run_cycle(self, only: Collection[str] | None = None) -> CycleReport:
        """One cycle (see the module docstring), of the workspaces in `only` (None: all) this
        worker holds. Raises only on database errors."""
        by_team = await self.active_rules()
        held = await self.leases.claim(by_team) if by_team else {}
        teams = sorted(t for t in by_team if t in held and (only is None or t in only))
        teams = await self._not_just_polled(teams)
        self.leases.fresh -= set(teams)
        report = CycleReport(at=self.clock(), teams=len(teams))
        report.rules = sum(len(by_team[team]) for team in teams)
        gate = asyncio.Semaphore(self.config.concurrency)

        async def one(team_id: str) -> WorkspaceReport:
            async with gate:
                return await self._workspace(team_id, by_team[team_id])

        try:
            async with asyncio.TaskGroup() as group:
                tasks = [group.create_task(one(team)) for team in teams]
        except ExceptionGroup as errors:  # the first database error, as a plain exception
            raise errors.exceptions[0] from None
        for task in tasks:
            report.add(task.result())
        report.at = self.clock()
        return report

    async def _not_just_polled(self, teams: list[str]) -> list[str]:
        """`teams` without those another worker gave back (or let lapse: it may be slow, not
        dead) less than half an interval after polling them: they are polled at the next cycle
        instead. Those of a worker that stopped cleanly are polled at once, as a restarted
        worker polls at once."""
        fresh = [team for team in teams if team in self.leases.fresh]
        half = timedelta(seconds=self.config.poll_seconds / 2)
        recent = await self.polled_since(fresh, self.clock() - half) if fresh else set()
        return [team for team in teams if team not in recent]

    async def polled_since(self, teams: Collection[str], since: datetime) -> set[str]:
        """Those of `teams` whose last cycle (by any worker) was after `since`."""
        recent = set()
        async with self.db.reading() as tx:
            for team in sorted(teams):
                state = await tx.polls.get(team)
                if state is not None and state.last_cycle_at and state.last_cycle_at > since:
                    recent.add(team)
        return recent

    async def _workspace(self, team_id: str, rules: list[AlertRule]) -> WorkspaceReport:
        report = WorkspaceReport(team_id, rules=len(rules))
        client = await self.clients.client_for(team_id)
        if client is None:
            logger.info("workspace %s: no ClickMeter account connected; rules wait", team_id)
            report.skipped = "no account"
            return report
        try:
            await self._read_and_judge(client, team_id, rules, report)
        except LeaseLost:
            logger.info("workspace %s: lease given up or lost mid-cycle; nothing stored", team_id)
            report.skipped = "lease lost"
        return report

    async def _read_and_judge(
        self,
        client: ClickMeterClient,
        team_id: str,
        rules: list[AlertRule],
        report: WorkspaceReport,
    ) -> None:
        report.seeded = await self._seed_missing(client, rules)
        timeout = self.config.read_timeout or 0.8 * self.config.poll_seconds
        try:
            reading = await asyncio.wait_for(
                read_counts(client, {rule.subject for rule in rules}, clock=self.clock),
                timeout,
            )
        except DayChangedDuringRead as exc:
            logger.info("workspace %s: poll skipped: %s", team_id, exc)  # the next one reads anew
            report.error = str(exc)
            return
        except (ClickMeterError, TimeoutError) as exc:
            report.ok, report.error = False, f"{type(exc).__name__}: {exc}"
            logger.warning("workspace %s: poll failed: %s", team_id, report.error)
            async with self.db.transaction() as tx:
                await self._held(tx, team_id)
                await self._failed(tx, team_id, rules, report)
            return
        report.calls = reading.calls
        async with self.db.transaction() as tx:
            await self._held(tx, team_id)
            await self._team(tx, team_id, reading, report)

    async def _held(self, tx: Transaction, team_id: str) -> None:
        if not await self.leases.holds(tx, team_id):
            raise LeaseLost(team_id)

    async def _seed_missing(self, client: ClickMeterClient, rules: Sequence[AlertRule]) -> int:
        unseeded = [rule for rule in rules if self._needs_seed(rule)][: self.config.seeds_per_cycle]
        seeded = 0
        for rule in unseeded:
            try:
                state = await seed_rule(
                    client, rule, interval_seconds=self.config.poll_seconds, now=self.clock()
                )
            except ClickMeterError as exc:
                logger.warning("could not seed rule %s: %s", rule.id, exc)
                continue
            async with self.db.transaction() as tx:
                await self._held(tx, rule.team_id)
                current = await tx.rules.get(rule.team_id, rule.id)
                # Only if nothing was learnt meanwhile (a concurrent seed or cycle).
                if current is not None and self._needs_seed(current):
                    await tx.rules.set_state(rule.team_id, rule.id, state)
                    seeded += 1
        return seeded

    def _needs_seed(self, rule: AlertRule) -> bool:
        """A spike or drop rule with nothing learnt for its subject, or with a state its detector
        cannot read (stored by an earlier version of the detectors): seeding it from history
        beats warming up live for an hour or more."""
        if rule.condition == "threshold":
            return False
        state = subject_entry(rule, rule.subject)[0]
        detector = detector_for(rule, interval_seconds=self.config.poll_seconds, tz="UTC")
        return not detector.reads(state)

    async def _failed(
        self, tx: Transaction, team_id: str, rules: Sequence[AlertRule], report: WorkspaceReport
    ) -> None:
        webhooks = await tx.webhooks.list_active(team_id)
        ctx = self._context(self.clock(), "UTC", webhooks)
        tally = await record_failure(
            tx,
            team_id,
            rules,
            ctx,
            outage_after=self.config.outage_after,
            error=report.error or "unknown error",
        )
        report.tally.add(tally)

    def _context(self, now: datetime, timezone: str, webhooks: Sequence[object]) -> Context:
        return Context(
            now=now,
            timezone=timezone,
            webhooks=webhooks,  # type: ignore[arg-type]
            repeat_interval=self.config.repeat_interval,
            interval_seconds=self.config.poll_seconds,
        )

    async def _team(
        self, tx: Transaction, team_id: str, reading: Reading, report: WorkspaceReport
    ) -> None:
        # Reloaded inside the transaction: mutes, removals and states may have changed.
        rules = [
            r for r in _valid(await tx.rules.list_active(team_id)) if r.subject in reading.totals
        ]
        ctx = self._context(reading.at, reading.zone.key, await tx.webhooks.list_active(team_id))
        report.tally.add(await record_success(tx, team_id, rules, ctx))
        intervals: dict[Subject, Interval | None] = {}
        # One query each for today's snapshots and the open episodes, not one per rule: a
        # team may watch hundreds of links.
        today = {
            row.subject: row for row in await tx.polls.snapshots_for_day(team_id, reading.local_day)
        }
        for subject in sorted({rule.subject for rule in rules}):
            stored = today.get(subject.key) or await tx.polls.latest_snapshot(team_id, subject)
            previous = (
                Previous(stored.local_day, stored.total_clicks, stored.observed_at)
                if stored is not None
                else None
            )
            intervals[subject] = interval_since(
                previous, reading.totals[subject], reading.local_day, reading.at, reading.zone
            )
        await tx.polls.put_snapshots(
            team_id,
            [
                Snapshot(subject, reading.local_day, reading.totals[subject], reading.at)
                for subject in intervals
            ],
        )
        episodes = {(e.rule_id, e.subject): e for e in await tx.episodes.list_open(team_id)}
        evaluated = {(rule.id, rule.subject.key) for rule in rules}
        for key, episode in episodes.items():
            if key not in evaluated:
                gone = await tx.rules.get(team_id, episode.rule_id, include_removed=True)
                if gone is not None and gone.removed_at is not None:
                    report.tally.add(await close_orphan(tx, gone, episode, ctx))
        for rule in rules:
            subject = rule.subject
            interval = intervals[subject]
            if interval is None or not interval.judged:
                continue
            stepped = step_subject(
                rule,
                subject,
                interval,
                interval_seconds=self.config.poll_seconds,
                tz=reading.zone.key,
            )
            # The rule was loaded in this transaction: setting the attribute is the update
            # (`Rules.set_state` would flush once per rule; this flushes once at commit).
            rule.detector_state = stepped.states
            report.stepped += 1
            tally = await apply_decision(
                tx,
                rule,
                subject,
                stepped.decision,
                stepped.recent,
                ctx,
                episodes.get((rule.id, subject.key)),
            )
            report.tally.add(tally)
