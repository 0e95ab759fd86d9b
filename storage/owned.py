"""What the repositories of team-owned, softly removed rows (rules, webhooks, digests) share."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import TeamOwned
from storage.types import utcnow

Row = TypeVar("Row", bound=TeamOwned)


class TeamRows(Generic[Row]):
    """Reads and removal of one model's rows, each team seeing only its own."""

    #: The model whose rows these are (each subclass names it).
    model: type[Row]
    #: Re-read rows the session already holds: for repositories that also change rows with
    #: bulk UPDATE statements, which leave the session's copies behind.
    refresh: ClassVar[bool] = False

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, team_id: str, row_id: int, *, include_removed: bool = False) -> Row | None:
        """The team's row, or None (unknown, another team's, or removed unless asked for)."""
        row = await self.session.get(self.model, row_id, populate_existing=self.refresh)
        if row is None or row.team_id != team_id:
            return None
        if row.removed_at is not None and not include_removed:
            return None
        return row

    async def list_active(self, team_id: str) -> Sequence[Row]:
        """The team's rows that are not removed, oldest first."""
        model = self.model
        query = (
            select(model)
            .where(model.team_id == team_id, model.removed_at.is_(None))
            .order_by(model.id)
            .execution_options(populate_existing=self.refresh)
        )
        return (await self.session.scalars(query)).all()

    async def all_active(self) -> Sequence[Row]:
        """Every team's rows that are not removed, by team then age."""
        model = self.model
        query = (
            select(model)
            .where(model.removed_at.is_(None))
            .order_by(model.team_id, model.id)
            .execution_options(populate_existing=self.refresh)
        )
        return (await self.session.scalars(query)).all()

    async def remove(self, team_id: str, row_id: int, *, now: datetime | None = None) -> bool:
        """Mark the row removed; False if the team has no such active row."""
        row = await self.get(team_id, row_id)
        if row is None:
            return False
        row.removed_at = now or utcnow()
        await self.session.flush()
        return True
