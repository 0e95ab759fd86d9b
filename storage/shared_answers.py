"""Answers kept for their "Share in channel" button, by the random key the button carries.

Kept in the database so any web replica can share what another one answered (and a restart
loses nothing); each expires, and `put` sweeps the expired ones as it goes. `get` answers only
in the workspace the answer was given in.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import SharedAnswerRow


class SharedAnswers:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def put(
        self,
        key: str,
        *,
        team_id: str,
        command_text: str,
        text: str,
        blocks: list[dict[str, Any]],
        expires_at: datetime,
        now: datetime,
    ) -> None:
        """Keep an answer under `key` (a new random one) until `expires_at`."""
        await self.session.execute(delete(SharedAnswerRow).where(SharedAnswerRow.expires_at < now))
        self.session.add(
            SharedAnswerRow(
                key=key,
                team_id=team_id,
                command_text=command_text,
                text=text,
                blocks=blocks,
                expires_at=expires_at,
            )
        )
        await self.session.flush()

    async def get(self, key: str, *, team_id: str, now: datetime) -> SharedAnswerRow | None:
        """The answer kept under `key` in `team_id`, unless it expired."""
        row = await self.session.get(SharedAnswerRow, key)
        if row is None or row.team_id != team_id or row.expires_at <= now:
            return None
        return row
