"""The user group each workspace names as its clickbot admins (one row per team, or none)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminGroup
from storage.types import utcnow


class AdminGroups:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, team_id: str) -> AdminGroup | None:
        """The team's admin group, or None when no admin named one."""
        return await self.session.get(AdminGroup, team_id)

    async def put(
        self,
        team_id: str,
        *,
        group_id: str,
        handle: str,
        set_by: str,
        now: datetime | None = None,
    ) -> AdminGroup:
        """Name (or replace) the team's admin group."""
        row = await self.session.get(AdminGroup, team_id)
        if row is None:
            row = AdminGroup(team_id=team_id)
            self.session.add(row)
        row.group_id, row.handle, row.set_by, row.set_at = group_id, handle, set_by, now or utcnow()
        await self.session.flush()
        return row

    async def clear(self, team_id: str) -> bool:
        """Forget the team's admin group; False when it had none."""
        result = await self.session.execute(delete(AdminGroup).where(AdminGroup.team_id == team_id))
        return bool(getattr(result, "rowcount", 0))
