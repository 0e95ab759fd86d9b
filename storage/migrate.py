"""Schema migrations (Alembic), run programmatically: no alembic.ini, the scripts ship inside
the package (`storage/alembic`).

Every way of migrating goes through `upgrade`: the processes at start-up (via
`Database.migrate()`), `clickbot migrate`, the command below and the tests. It runs in one
transaction on a connection of the running event loop (no nested loop, no thread), so it is safe
inside async code, and a failed migration leaves the schema as it was. On PostgreSQL an advisory
lock makes processes starting together take turns; SQLite's `BEGIN IMMEDIATE` does the
same. Upgrading an up-to-date database does nothing.

Deploys run `clickbot migrate`. For developers, from a shell, with `DATABASE_URL` (or `--url`):

    python -m storage.migrate upgrade [head]
    python -m storage.migrate downgrade base
    python -m storage.migrate current
    python -m storage.migrate revision -m "add digests" --rev-id 0002 [--autogenerate]
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connect import make_engine

SCRIPT_LOCATION = Path(__file__).with_name("alembic")
#: Any constant shared by clickbot processes: the PostgreSQL advisory lock for migrations.
_MIGRATION_LOCK = 0x636C6B62


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the packaged scripts (and at `url` if given)."""
    config = Config()
    config.set_main_option("script_location", str(SCRIPT_LOCATION))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
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


def _run_sync(connection: Connection, direction: str, revision: str) -> Migration:
    # Read under the lock, in the same transaction: a process that migrated just before us
    # shows as "before", so the report says what this run did.
    before = MigrationContext.configure(connection).get_current_revision()
    config = alembic_config()
    config.attributes["connection"] = connection
    if direction == "upgrade":
        command.upgrade(config, revision)
    else:
        command.downgrade(config, revision)
    return Migration(before, MigrationContext.configure(connection).get_current_revision())


async def _on_url(url: str, direction: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        if direction == "current":
            print(await current(engine) or "(none)")
        else:
            await _run(engine, direction, revision)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storage.migrate")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or its default)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade").add_argument("revision", nargs="?", default="head")
    commands.add_parser("downgrade").add_argument("revision")
    commands.add_parser("current")
    revision = commands.add_parser("revision", help="write a new migration script")
    revision.add_argument("-m", "--message", required=True)
    revision.add_argument("--rev-id", required=True, help="e.g. 0002: scripts sort by it")
    revision.add_argument("--autogenerate", action="store_true")
    args = parser.parse_args(argv)
    url: str = args.url
    if url is None:
        from config.settings import StorageSettings

        url = StorageSettings().database_url
    if args.command == "revision":
        command.revision(
            alembic_config(url),
            message=args.message,
            rev_id=args.rev_id,
            autogenerate=args.autogenerate,
        )
    else:
        asyncio.run(_on_url(url, args.command, getattr(args, "revision", "")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
