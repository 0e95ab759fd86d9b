"""Schema migrations (Alembic), run programmatically: no alembic.ini, the scripts ship inside
the package (`storage/alembic`).

Every way of migrating goes through `upgrade`: the processes at start-up (via
`Database.ensure_schema()`), `clickbot migrate`, `python -m storage` and the tests. It runs in one
transaction on a connection of the running event loop (no nested loop, no thread), so it is safe
inside async code, and a failed migration leaves the schema as it was. On PostgreSQL an advisory
lock makes processes starting together take turns; SQLite's `BEGIN IMMEDIATE` does the
same. Upgrading an up-to-date database does nothing.

Deploys run `clickbot migrate`; developers have `python -m storage` (see `storage/__main__.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPT_LOCATION = Path(__file__).with_name("alembic")
#: Any constant shared by clickbot processes: the PostgreSQL advisory lock for migrations.
_MIGRATION_LOCK = 0x636C6B62


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged scripts."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    return config


def head() -> str | None:
    """The newest revision the scripts define."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@dataclass(frozen=True)
class Migration:
    """What one run did: the revision the database was at before and after (None: no schema)."""

    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after


async def upgrade(engine: AsyncEngine, revision: str = "head") -> Migration:
    """Migrate the database up to `revision` in one transaction."""
    return await _run(engine, "upgrade", revision)


async def downgrade(engine: AsyncEngine, revision: str) -> Migration:
    """Migrate the database down to `revision` ('base' removes every table but Alembic's)."""
    return await _run(engine, "downgrade", revision)


async def current(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def _run(engine: AsyncEngine, direction: str, revision: str) -> Migration:
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
        return await connection.run_sync(_run_sync, direction, revision)


def configured_on(connection: Connection) -> Config:
    """The packaged scripts' config, for `alembic/env.py` to run on `connection`."""
    config = alembic_config()
    config.attributes["connection"] = connection
    return config


def _run_sync(connection: Connection, direction: str, revision: str) -> Migration:
    # Read under the lock, in the same transaction: a process that migrated just before us
    # shows as "before", so the report says what this run did.
    before = MigrationContext.configure(connection).get_current_revision()
    if direction == "upgrade":
        command.upgrade(configured_on(connection), revision)
    else:
        command.downgrade(configured_on(connection), revision)
    return Migration(before, MigrationContext.configure(connection).get_current_revision())
