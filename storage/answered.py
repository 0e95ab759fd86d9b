"""Messages asked in plain words that a process has claimed to answer (`answered_messages`).

A claim is one `INSERT ... ON CONFLICT DO NOTHING` (the dialect's own insert, SQLite's and
PostgreSQL's alike), so of any number of replicas claiming one message at once exactly one wins,
with no lock held and no read first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AnsweredMessage
from storage.types import utcnow

#: How long a claim is kept: Slack's last retry comes about 5 minutes after the first attempt.
ANSWERED_RETENTION = timedelta(days=1)


class AnsweredMessages:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(
        self, team_id: str, channel_id: str, message_ts: str, *, now: datetime | None = None
    ) -> bool:
        """True for the one caller that claims the message first; False for everyone after."""
        values = {
            "team_id": team_id,
            "channel_id": channel_id,
            "message_ts": message_ts,
            "claimed_at": now or utcnow(),
        }
        dialect = postgresql if self.session.get_bind().dialect.name == "postgresql" else sqlite
        statement = dialect.insert(AnsweredMessage).values(values).on_conflict_do_nothing()
        result = await self.session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def prune(self, before: datetime) -> int:
        """Forget the claims made before `before`; returns how many."""
        result = await self.session.execute(
            delete(AnsweredMessage).where(AnsweredMessage.claimed_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)
