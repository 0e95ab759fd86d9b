"""The connection factory: `make_engine` builds the `AsyncEngine` every other storage module uses.

SQLite (`sqlite+aiosqlite:///...`, the default) and PostgreSQL (`postgresql+asyncpg://...`) run
the same code; the forms platforms set (`postgres://...`, `sqlite:///...`) get those drivers.
On SQLite each connection gets WAL, foreign keys and a busy timeout, and every transaction,
reads included (but not `Database.reading`'s), starts with `BEGIN IMMEDIATE`: transactions queue
up (each waiting up to the busy timeout) instead of failing half-way, and savepoints and
transactional DDL work. So keep transactions short, and never hold one open across a network
call (or while awaiting another transaction).

SQL parameters are never shown (`hide_parameters=True`): a failed statement's error, and so its
log line, would otherwise quote them, a webhook's secret included.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from config.database_url import async_database_url

#: How long (ms) an SQLite connection waits for another writer before giving up.
SQLITE_BUSY_TIMEOUT_MS = 10_000
#: The execution option marking a connection's transactions as reads only.
READ_ONLY = "clickbot_read_only"


def make_engine(
    url: str | URL, *, search_path: str | None = None, echo: bool = False, **options: Any
) -> AsyncEngine:
    """An async engine for `url`, set up for this project (see the module docstring).

    `search_path` (PostgreSQL only) puts every connection in that schema: tests use it to give
    each run a schema of its own. Other keyword arguments go to `create_async_engine`.

    `url` may be in any form DATABASE_URL accepts (`postgres://...`, `sqlite:///...`): it gets
    its async driver here; one clickbot cannot use raises `config.database_url.DatabaseUrlError`."""
    url = async_database_url(url)
    options.setdefault("hide_parameters", True)
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
        # A read-only unit of work (`Database.reading`) takes no write lock: it never queues
        # behind a writer, nor holds one up.
        read_only = connection.get_execution_options().get(READ_ONLY, False)
        connection.exec_driver_sql("BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE")


def open_sqlite_now(engine: AsyncEngine) -> None:
    """On SQLite, open (creating it if missing) and close the engine's database file at once, in
    this thread; raises `sqlite3.Error` (e.g. "unable to open database file") if it cannot be
    opened. Does nothing on other databases.

    For a command about to run one async job and exit: when aiosqlite fails to open a file, its
    worker thread reports back to the event loop later, and if `asyncio.run` has closed the loop
    by then, the process ends with a stray traceback."""
    if engine.dialect.name != "sqlite":
        return
    [database], options = engine.dialect.create_connect_args(engine.url)
    sqlite3.connect(database, uri=bool(options.get("uri", False))).close()
