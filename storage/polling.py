"""Poll state per team and the counter snapshots that turn cumulative counters into deltas.

ClickMeter reports clicks "today" as a running total that resets at local midnight. The poller
keeps, per team, subject and local day, the last total it saw (`put_snapshots`); the delta for
an interval is the new total minus the one stored for the same day, and a new day starts from
zero. `latest_snapshot` gives the most recent day's row, e.g. to close yesterday's count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CounterSnapshot, PollState
from storage.subjects import Subject


@dataclass(frozen=True)
class Snapshot:
    """One counter reading to store."""

    subject: Subject
    local_day: date
    total_clicks: int
    observed_at: datetime


@dataclass(frozen=True)
class PollOverview:
    last_cycle_at: datetime | None
    last_success_at: datetime | None
    consecutive_failures: int
    teams: int


class PollStates:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, team_id: str) -> PollState | None:
        """The team's poll state, or None before its first cycle."""
        return await self.session.get(PollState, team_id)

    async def overview(self) -> PollOverview:
        """Polling across every team: the latest cycle and success, the worst failure streak."""
        row = (
            await self.session.execute(
                select(
                    func.max(PollState.last_cycle_at),
                    func.max(PollState.last_success_at),
                    func.coalesce(func.max(PollState.consecutive_failures), 0),
                    func.count(),
                )
            )
        ).one()
        # max() keeps the column's type, so the times come back aware UTC like the columns.
        last_cycle, last_success, failures, teams = row
        return PollOverview(
            last_cycle_at=last_cycle,
            last_success_at=last_success,
            consecutive_failures=int(failures),
            teams=int(teams),
        )

    async def put(
        self,
        team_id: str,
        *,
        last_cycle_at: datetime | None,
        last_success_at: datetime | None,
        consecutive_failures: int,
        outage_notified: bool,
    ) -> PollState:
        """Create or replace the team's poll state."""
        state = await self.session.get(PollState, team_id, with_for_update=True)
        if state is None:
            state = PollState(team_id=team_id)
            self.session.add(state)
        state.last_cycle_at = last_cycle_at
        state.last_success_at = last_success_at
        state.consecutive_failures = consecutive_failures
        state.outage_notified = outage_notified
        await self.session.flush()
        return state

    async def get_snapshot(
        self, team_id: str, subject: Subject, local_day: date
    ) -> CounterSnapshot | None:
        """The last total stored for the subject on that local day."""
        query = select(CounterSnapshot).where(
            CounterSnapshot.team_id == team_id,
            CounterSnapshot.subject == subject.key,
            CounterSnapshot.local_day == local_day,
        )
        query = query.execution_options(populate_existing=True)
        return (await self.session.scalars(query)).one_or_none()

    async def latest_snapshot(self, team_id: str, subject: Subject) -> CounterSnapshot | None:
        """The subject's snapshot for its most recent local day."""
        query = (
            select(CounterSnapshot)
            .where(CounterSnapshot.team_id == team_id, CounterSnapshot.subject == subject.key)
            .order_by(CounterSnapshot.local_day.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).one_or_none()

    async def snapshots_for_day(self, team_id: str, local_day: date) -> Sequence[CounterSnapshot]:
        """Every subject's snapshot for the team on that day, by subject (`Subject.key`)."""
        query = (
            select(CounterSnapshot)
            .where(CounterSnapshot.team_id == team_id, CounterSnapshot.local_day == local_day)
            .order_by(CounterSnapshot.subject)
            .execution_options(populate_existing=True)
        )
        return (await self.session.scalars(query)).all()

    async def put_snapshots(self, team_id: str, snapshots: Iterable[Snapshot]) -> int:
        """Store readings, replacing any for the same (subject, day). Returns how many."""
        rows = [
            {
                "team_id": team_id,
                "subject": snapshot.subject.key,
                "local_day": snapshot.local_day,
                "total_clicks": snapshot.total_clicks,
                "observed_at": snapshot.observed_at,
            }
            for snapshot in snapshots
        ]
        if not rows:
            return 0
        is_postgresql = self.session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if is_postgresql else sqlite.insert
        statement = insert(CounterSnapshot)
        statement = statement.on_conflict_do_update(
            index_elements=["team_id", "subject", "local_day"],
            set_={
                "total_clicks": statement.excluded.total_clicks,
                "observed_at": statement.excluded.observed_at,
            },
        )
        await self.session.execute(statement, rows)
        return len(rows)

    async def prune_snapshots(self, before: date) -> int:
        """Delete every team's snapshots of local days before `before`. Returns how many."""
        result = await self.session.execute(
            delete(CounterSnapshot)
            .where(CounterSnapshot.local_day < before)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
