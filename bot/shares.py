"""Answers kept for a while so "Share in channel" reposts exactly what the user saw.

An ephemeral message is not sent back to the app when its button is clicked, so the answer is
kept, keyed by the random id in the button's value. Where there is a database the answer is
kept there (`DatabaseShares`): Slack may send the click to any web replica, and a restart
loses nothing. Without one (`MemoryShares`) it is kept in this process, bounded; after a
restart the command is simply run again. Either way an answer is shared only in the
workspace it was given in, and for a day at most.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy.exc import SQLAlchemyError

from storage import Database, utcnow
from storage.shared_answers import SharedAnswers

log = logging.getLogger(__name__)

#: How long an answer can be shared after it was given.
SHARE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class SharedAnswer:
    command_text: str
    text: str
    blocks: list[dict[str, Any]]


class ShareStore(Protocol):
    async def put(self, answer: SharedAnswer, team_id: str | None) -> str:
        """Keep `answer`, given in `team_id`; the key for its button."""
        ...

    async def get(self, key: str, team_id: str | None) -> SharedAnswer | None:
        """The answer kept under `key` in `team_id`; None if unknown, expired or another
        workspace's."""
        ...


@dataclass
class MemoryShares:
    capacity: int = 2000
    ttl_seconds: float = SHARE_TTL.total_seconds()
    _items: OrderedDict[str, tuple[float, str, SharedAnswer]] = field(default_factory=OrderedDict)

    async def put(self, answer: SharedAnswer, team_id: str | None) -> str:
        key = secrets.token_urlsafe(12)
        self._items[key] = (time.monotonic() + self.ttl_seconds, team_id or "", answer)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    async def get(self, key: str, team_id: str | None) -> SharedAnswer | None:
        entry = self._items.get(key)
        if entry is None:
            return None
        expires, team, answer = entry
        if expires < time.monotonic():
            del self._items[key]
            return None
        return answer if team == (team_id or "") else None


@dataclass
class DatabaseShares:
    """Kept in the database; while it cannot be written (briefly away), in this process, so
    the answer still goes out with its button."""

    db: Database
    ttl: timedelta = SHARE_TTL
    fallback: MemoryShares = field(default_factory=MemoryShares)

    async def put(self, answer: SharedAnswer, team_id: str | None) -> str:
        key = secrets.token_urlsafe(12)
        now = utcnow()
        try:
            await self.db.ensure_schema()
            async with self.db.transaction() as tx:
                await SharedAnswers(tx.session).put(
                    key,
                    team_id=team_id or "",
                    command_text=answer.command_text,
                    text=answer.text,
                    blocks=answer.blocks,
                    expires_at=now + self.ttl,
                    now=now,
                )
        except (SQLAlchemyError, OSError) as error:
            log.warning("keeping an answer to share in this process only: %s", type(error).__name__)
            return await self.fallback.put(answer, team_id)
        return key

    async def get(self, key: str, team_id: str | None) -> SharedAnswer | None:
        kept = await self.fallback.get(key, team_id)
        if kept is not None:
            return kept
        try:
            async with self.db.transaction() as tx:
                row = await SharedAnswers(tx.session).get(key, team_id=team_id or "", now=utcnow())
        except (SQLAlchemyError, OSError) as error:
            # The caller answers the command afresh, as for an answer no longer kept.
            log.warning("could not read an answer to share: %s", type(error).__name__)
            return None
        return None if row is None else SharedAnswer(row.command_text, row.text, list(row.blocks))
