"""The `Database` object: one per process, shared by everything that stores data.

It owns the engine (built by `connect.make_engine`, which says how SQLite and PostgreSQL are
set up) and hands out units of work that group every repository on one session:

    async with Database(url) as db:
        await db.migrate()
        async with db.transaction() as tx:
            episode = await tx.episodes.open(team, rule.id, subject="account", ...)
            await tx.outbox.enqueue(team, kind="slack.post", ..., episode_id=episode.id)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.accounts import Accounts
from storage.admin_groups import AdminGroups
from storage.answered import AnsweredMessages
from storage.connect import READ_ONLY, make_engine
from storage.digests import Digests
from storage.episodes import Episodes
from storage.installations import Installations
from storage.leases import Leases
from storage.migrate import Migration, upgrade
from storage.outbox import Outbox
from storage.polling import PollStates
from storage.rules import Rules
from storage.webhooks import Webhooks


@dataclass(frozen=True)
class Transaction:
    """One unit of work: every repository on one session, committed together or not at all."""

    session: AsyncSession
    rules: Rules
    episodes: Episodes
    webhooks: Webhooks
    outbox: Outbox
    polls: PollStates
    digests: Digests
    installations: Installations
    accounts: Accounts
    admin_groups: AdminGroups
    answered: AnsweredMessages
    leases: Leases

    @classmethod
    def on(cls, session: AsyncSession) -> Transaction:
        """The repositories over an existing session (the caller owns its transaction)."""
        return cls(
            session,
            Rules(session),
            Episodes(session),
            Webhooks(session),
            Outbox(session),
            PollStates(session),
            Digests(session),
            Installations(session),
            Accounts(session),
            AdminGroups(session),
            AnsweredMessages(session),
            Leases(session),
        )


class Database:
    """Owns the engine and the session factory. Use as `async with Database(url) as db:`,
    or call `dispose()` when done. Objects returned by repositories stay readable after their
    transaction ends (sessions do not expire on commit), but are no longer tracked."""

    def __init__(self, url: str | URL, **engine_options: Any) -> None:
        self.engine: AsyncEngine = make_engine(url, **engine_options)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )
        self._schema_ready = False
        self._schema_lock = asyncio.Lock()

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A unit of work: commits when the block ends, rolls everything back if it raises."""
        async with self.sessions() as session, session.begin():
            yield Transaction.on(session)

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Transaction]:
        """A unit of work that only reads: on SQLite it takes no write lock (a health check
        never waits for the sender, nor the sender for it). It must not write."""
        async with self.engine.connect() as connection:
            await connection.execution_options(**{READ_ONLY: True})
            session = AsyncSession(bind=connection, expire_on_commit=False)
            async with session, session.begin():
                yield Transaction.on(session)

    async def migrate(self, revision: str = "head") -> Migration:
        """Bring the schema up to `revision` (see `migrate.upgrade`); a no-op when already there."""
        return await upgrade(self.engine, revision)

    async def ensure_schema(self) -> None:
        """Migrate to the current schema the first time a process asks (callers that ask at the
        same time wait for that one run); later calls return at once. What the web app, Socket
        Mode and the worker call at start-up, so `clickbot run`, which is all three, migrates
        once."""
        if self._schema_ready:
            return
        async with self._schema_lock:
            if not self._schema_ready:
                await self.migrate()
                self._schema_ready = True

    async def dispose(self) -> None:
        """Close every pooled connection. The object must not be used afterwards."""
        await self.engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.dispose()
