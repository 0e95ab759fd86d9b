"""Engines and the `Database` object: one per process, shared by everything that stores data.

`make_engine` builds an `AsyncEngine` from a `DATABASE_URL`. SQLite (`sqlite+aiosqlite:///...`,
the default) and PostgreSQL (`postgresql+asyncpg://...`) run the same code. On SQLite each
connection gets WAL, foreign keys and a busy timeout, and every transaction, reads included,
starts with `BEGIN IMMEDIATE`: transactions queue up (each waiting up to the busy timeout)
instead of failing half-way, and savepoints and transactional DDL work. So keep transactions
short, and never hold one open across a network call (or while awaiting another transaction).

    async with Database(url) as db:
        await db.migrate()
        async with db.transaction() as tx:
            episode = await tx.episodes.open(team, rule.id, subject="account", ...)
            await tx.outbox.enqueue(team, kind="slack.post", ..., episode_id=episode.id)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage.digests import Digests
from storage.episodes import Episodes
from storage.outbox import Outbox
from storage.polling import PollStates
from storage.rules import Rules
from storage.webhooks import Webhooks

#: How long (ms) an SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(
    url: str | URL, *, search_path: str | None = None, echo: bool = False, **options: Any
) -> AsyncEngine:
    """An async engine for `url`, set up for this project (see the module docstring).

    `search_path` (PostgreSQL only) puts every connection in that schema: tests use it to give
    each run a schema of its own. Other keyword arguments go to `create_async_engine`."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo, **options)
        _set_up_sqlite(engine)
        return engine
    if search_path is not None:
        connect_args = dict(options.pop("connect_args", {}))
        settings = dict(connect_args.get("server_settings", {}))
        settings["search_path"] = search_path
        connect_args["server_settings"] = settings
        options["connect_args"] = connect_args
    options.setdefault("pool_pre_ping", True)
    return create_async_engine(url, echo=echo, **options)


def _set_up_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Stop the driver from issuing its own (late, DEFERRED) BEGIN; `on_begin` does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


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

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """A unit of work: commits when the block ends, rolls everything back if it raises."""
        async with self.sessions() as session, session.begin():
            yield Transaction.on(session)

    async def migrate(self, revision: str = "head") -> None:
        """Bring the schema up to `revision` (Alembic `upgrade`); a no-op when already there."""
        from storage.migrate import upgrade

        await upgrade(self.engine, revision)

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
