"""Alembic's environment for clickbot: it runs on the connection `storage.migrate` hands over.

Every migration goes through `storage.migrate` (upgrade, downgrade, `revision --autogenerate`),
which opens the connection, inside a transaction and under the migration lock for upgrades and
downgrades, and passes it in `config.attributes["connection"]`: one way in, on SQLite and
PostgreSQL alike. Batch mode is on so that generated migrations can alter tables on SQLite too.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

from storage.models import Base
from storage.types import UTCDateTime


def render_item(kind: str, item: Any, _context: Any) -> str | Literal[False]:
    """Write the application's column types as plain SQLAlchemy types in new scripts, so
    migrations never import the models' code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with `clickbot migrate` or `python -m storage`, "
        "not with the alembic command"
    )
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    render_item=render_item,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
