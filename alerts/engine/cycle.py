"""One poll cycle: read ClickMeter once, then per team: snapshots -> intervals -> detectors ->
episodes -> outbox, in one transaction per team.

    poller = Poller(db, client, EngineConfig(poll_seconds=300))
    report = await poller.run_cycle()

What callers can rely on:
- ClickMeter is read once per cycle for every team (one deployment has one ClickMeter key) and
  never inside a database transaction.
- A failed read (any `ClickMeterError`, an answer whose numbers or pages do not add up
  included, or the read taking longer than `read_timeout`) stores no snapshot and steps no
  detector; the next good read's interval covers the whole gap, and the detectors judge it
  against the real elapsed time, so the clicks that piled up meanwhile are not a spike. After
  `outage_after` failures in a row each team is told once (OUTAGE), and once when reads work
  again (RECOVERED).
- Per team, everything a cycle changes (poll state, snapshots, detector states, episodes, outbox
  items) commits together. Re-running a cycle at the same instant changes nothing: no interval
  has elapsed, and every outbox item has a dedupe key.
- Rules with no learnt state for their subject (spike and drop) are seeded from ClickMeter's
  history first (`seed_rule`), at most `seeds_per_cycle` per cycle, so a rule created by a
  command that did not seed it still judges from its first cycle.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alerts.engine.counts import DayChangedDuringRead, Reading, read_counts
from alerts.engine.episodes import apply_decision, close_orphan
from alerts.engine.evaluate import detector_for, seed_rule, step_subject, subject_entry
from alerts.engine.intervals import Interval, Previous, interval_since
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


@dataclass
class CycleReport:
    """What one cycle did; `ok` is False when ClickMeter could not be read."""

    at: datetime
    ok: bool = True
    error: str | None = None
    calls: int = 0
    teams: int = 0
    rules: int = 0
    stepped: int = 0
    seeded: int = 0
    tally: Tally = field(default_factory=Tally)


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
    """Runs cycles; holds no state between them besides its configuration (all in the DB)."""

    def __init__(
        self,
        db: Database,
        client: ClickMeterClient,
        config: EngineConfig | None = None,
        *,
        clock: Callable[[], datetime] = utcnow,
        installed_only: bool = False,
    ) -> None:
        self.db = db
        self.client = client
        self.config = config or EngineConfig()
        self.clock = clock
        #: Distribution mode: only workspaces with the app installed are polled.
        self.installed_only = installed_only

    async def run_cycle(self) -> CycleReport:
        """One cycle (see the module docstring). Raises only on database errors."""
        async with self.db.transaction() as tx:
            rules = _valid(await tx.rules.all_active())
            if self.installed_only:  # an uninstalled workspace's rules wait for a re-install
                installed = await tx.installations.installed_teams()
                rules = [rule for rule in rules if rule.team_id in installed]
        report = CycleReport(at=self.clock(), rules=len(rules))
        if not rules:
            return report
        report.seeded = await self._seed_missing(rules)
        timeout = self.config.read_timeout or 0.8 * self.config.poll_seconds
        try:
            reading = await asyncio.wait_for(
                read_counts(self.client, {rule.subject for rule in rules}, clock=self.clock),
                timeout,
            )
        except DayChangedDuringRead as exc:
            logger.info("poll skipped: %s", exc)  # not a failure: the next cycle reads anew
            report.error = str(exc)
            return report
        except (ClickMeterError, TimeoutError) as exc:
            report.ok, report.error = False, f"{type(exc).__name__}: {exc}"
            report.at = self.clock()
            logger.warning("poll failed: %s", report.error)
            await self._failed(rules, report)
            return report
        report.at, report.calls = reading.at, reading.calls
        teams = sorted({rule.team_id for rule in rules})
        report.teams = len(teams)
        for team_id in teams:
            async with self.db.transaction() as tx:
                await self._team(tx, team_id, reading, report)
        return report

    async def _seed_missing(self, rules: Sequence[AlertRule]) -> int:
        unseeded = [rule for rule in rules if self._needs_seed(rule)][: self.config.seeds_per_cycle]
        seeded = 0
        for rule in unseeded:
            try:
                state = await seed_rule(
                    self.client, rule, interval_seconds=self.config.poll_seconds, now=self.clock()
                )
            except ClickMeterError as exc:
                logger.warning("could not seed rule %s: %s", rule.id, exc)
                continue
            async with self.db.transaction() as tx:
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

    async def _failed(self, rules: Sequence[AlertRule], report: CycleReport) -> None:
        by_team: dict[str, list[AlertRule]] = defaultdict(list)
        for rule in rules:
            by_team[rule.team_id].append(rule)
        report.teams = len(by_team)
        for team_id, team_rules in sorted(by_team.items()):
            async with self.db.transaction() as tx:
                webhooks = await tx.webhooks.list_active(team_id)
                ctx = self._context(report.at, "UTC", webhooks)
                tally = await record_failure(
                    tx,
                    team_id,
                    team_rules,
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
        self, tx: Transaction, team_id: str, reading: Reading, report: CycleReport
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
