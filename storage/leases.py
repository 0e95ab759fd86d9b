"""Workspace leases: which worker process polls each workspace, and which workers are alive.

A lease row (`workspace_leases`) says `holder` polls `team_id` until `expires_at`; claiming a
free or expired one adds 1 to its `fence`. Free rows are claimed with `SELECT ... FOR UPDATE
SKIP LOCKED` in a random order, so workers claiming at once take different workspaces and
never wait for each other; `holds` locks the holder's own row (`FOR UPDATE`) inside the
transaction that writes the workspace's detector state, so no claim can change the holder
before that transaction ends. SQLite has no row locks: its `BEGIN IMMEDIATE` transactions run
one at a time, which gives the same guarantees to the one process SQLite serves.

The policy (how many to claim, when to renew) is the caller's: `alerts.engine.leases`.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WorkerHeartbeat, WorkspaceLease


class Leases:
    """The lease and heartbeat rows, on the caller's transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _insert(self, model: type[WorkspaceLease | WorkerHeartbeat]) -> Any:
        is_postgresql = self.session.get_bind().dialect.name == "postgresql"
        return (postgresql.insert if is_postgresql else sqlite.insert)(model)

    async def beat(self, holder: str, until: datetime, now: datetime) -> set[str]:
        """`holder` is alive until `until`; forgets workers whose beat ran out. Returns the
        workers alive (this one included)."""
        insert = self._insert(WorkerHeartbeat).values(holder=holder, expires_at=until)
        await self.session.execute(
            insert.on_conflict_do_update(index_elements=["holder"], set_={"expires_at": until})
        )
        await self.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.expires_at <= now))
        return set(await self.session.scalars(select(WorkerHeartbeat.holder)))

    async def forget(self, holder: str, now: datetime) -> None:
        """`holder` stops: its leases are free at once (and held by no one) and it no longer
        counts as alive."""
        await self.session.execute(
            update(WorkspaceLease)
            .where(WorkspaceLease.holder == holder)
            .values(holder=None, expires_at=now)
        )
        await self.session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.holder == holder))

    async def ensure(self, teams: Collection[str], now: datetime) -> None:
        """A (free) lease row for each of `teams` that has none yet."""
        if not teams:
            return
        rows = [{"team_id": t, "holder": None, "fence": 0, "expires_at": now} for t in teams]
        insert = self._insert(WorkspaceLease)
        await self.session.execute(insert.on_conflict_do_nothing(index_elements=["team_id"]), rows)

    async def renew(
        self, holder: str, teams: Collection[str] | None, until: datetime, now: datetime
    ) -> dict[str, int]:
        """Extend `holder`'s unexpired leases (of `teams`; None: all) to `until`. Returns the
        leases it holds: team id -> fence."""
        statement = (
            update(WorkspaceLease)
            .where(WorkspaceLease.holder == holder, WorkspaceLease.expires_at > now)
            .values(expires_at=until)
            .returning(WorkspaceLease.team_id, WorkspaceLease.fence)
        )
        if teams is not None:
            statement = statement.where(WorkspaceLease.team_id.in_(teams))
        result = await self.session.execute(statement)
        return {team: fence for team, fence in result}

    async def release(self, holder: str, teams: Collection[str], now: datetime) -> None:
        """Give up `holder`'s leases of `teams` (another worker may claim them at once)."""
        if teams:
            await self.session.execute(
                update(WorkspaceLease)
                .where(WorkspaceLease.holder == holder, WorkspaceLease.team_id.in_(teams))
                .values(expires_at=now)
            )

    async def claim(
        self, holder: str, teams: Collection[str], limit: int, until: datetime, now: datetime
    ) -> dict[str, tuple[int, str | None]]:
        """Claim up to `limit` free or expired leases among `teams` until `until`, skipping
        rows another worker is claiming right now. Returns them: team id -> (new fence, the
        holder before, None when no one held it or its holder stopped)."""
        if limit <= 0 or not teams:
            return {}
        free = (
            select(WorkspaceLease.team_id, WorkspaceLease.holder)
            .where(WorkspaceLease.team_id.in_(teams), WorkspaceLease.expires_at <= now)
            .order_by(func.random())
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        before = {team: previous for team, previous in await self.session.execute(free)}
        if not before:
            return {}
        result = await self.session.execute(
            update(WorkspaceLease)
            .where(WorkspaceLease.team_id.in_(before))
            .values(holder=holder, fence=WorkspaceLease.fence + 1, expires_at=until)
            .returning(WorkspaceLease.team_id, WorkspaceLease.fence)
        )
        return {team: (fence, before[team]) for team, fence in result}

    async def holds(self, team_id: str, holder: str, fence: int, now: datetime) -> bool:
        """Whether `holder` still holds `team_id`'s lease at `fence`; locks the row until the
        transaction ends, so the answer stays true until then."""
        query = (
            select(WorkspaceLease.team_id)
            .where(
                WorkspaceLease.team_id == team_id,
                WorkspaceLease.holder == holder,
                WorkspaceLease.fence == fence,
                WorkspaceLease.expires_at > now,
            )
            .with_for_update()
        )
        return (await self.session.scalar(query)) is not None

    async def all(self) -> dict[str, tuple[str | None, int]]:
        """Every lease: team id -> (holder, fence) (for tests and `clickbot check`)."""
        rows = await self.session.execute(
            select(WorkspaceLease.team_id, WorkspaceLease.holder, WorkspaceLease.fence)
        )
        return {team: (holder, fence) for team, holder, fence in rows}
