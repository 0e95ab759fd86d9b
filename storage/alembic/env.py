"""Alembic's environment for clickbot: async engines, SQLite and PostgreSQL alike.

Three ways in: `migrate.upgrade(engine)` hands over a connection already inside a transaction
(`config.attributes["connection"]`), which is what the application does at start-up; the
`python -m storage.migrate` command gives only a URL, for which an async engine is made
here; and `--sql` (offline) mode prints the SQL instead. Batch mode is on so that generated
migrations can alter tables on SQLite too.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.connect import make_engine
from storage.models import Base
from storage.types import UTCDateTime

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from config.settings import StorageSettings

    return StorageSettings().database_url


def render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Write the application's column types as plain SQLAlchemy types in new scripts, so
    migrations never import the models' code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_on(given)
else:
    asyncio.run(run_on_url(_url()))
