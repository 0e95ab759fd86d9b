"""DATABASE_URL as platforms set it, turned into the async URL clickbot's engine needs.

Heroku and Render set `postgres://user:password@host:5432/db`; people write
`sqlite:///clickbot.db`. Both name no driver (or a synchronous one), and SQLAlchemy's asyncio
extension refuses them with a traceback. `async_database_url` picks the async driver clickbot
ships with (asyncpg, aiosqlite), translates the libpq parameters platforms add
(`sslmode=require` becomes asyncpg's `ssl=require`), and for anything it cannot use raises a
`DatabaseUrlError` saying in one line what it needs. The URL itself (password included) is
never part of the message.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

ASYNC_DRIVERS = {"postgresql": "asyncpg", "sqlite": "aiosqlite"}
#: Query parameters asyncpg takes as they are written in a URL (SQLAlchemy passes them on).
ASYNCPG_PARAMETERS = frozenset(
    {"ssl", "prepared_statement_cache_size", "target_session_attrs", "passfile", "krbsrvname"}
)
#: libpq's names for what asyncpg calls differently.
LIBPQ_TO_ASYNCPG = {"sslmode": "ssl"}


class DatabaseUrlError(ValueError):
    """DATABASE_URL names a database or driver clickbot cannot use; the message says why."""


def async_database_url(value: str | URL) -> URL:
    """`value` with clickbot's async driver, or a DatabaseUrlError saying what it needs."""
    try:
        url = make_url(value)
    except ArgumentError:
        raise DatabaseUrlError("it is not a URL such as postgresql://user@host/db") from None
    backend, _, driver = url.drivername.partition("+")
    backend = "postgresql" if backend == "postgres" else backend
    wanted = ASYNC_DRIVERS.get(backend)
    if wanted is None:
        raise DatabaseUrlError(
            f"clickbot stores its data in PostgreSQL or SQLite, not {url.drivername}: use "
            "postgres://user:password@host/db or sqlite:///clickbot.sqlite3"
        )
    if driver not in ("", wanted):
        raise DatabaseUrlError(
            f"{backend}+{driver} is a driver clickbot does not ship; it talks to {backend} "
            f"through {wanted}: write {backend}+{wanted}:// or just {backend}://"
        )
    url = url.set(drivername=f"{backend}+{wanted}")
    return _asyncpg_query(url) if backend == "postgresql" else url


def _asyncpg_query(url: URL) -> URL:
    query: dict[str, str | tuple[str, ...]] = {}
    for name, value in url.query.items():
        name = LIBPQ_TO_ASYNCPG.get(name, name)
        if name not in ASYNCPG_PARAMETERS:
            known = ", ".join(sorted(ASYNCPG_PARAMETERS | LIBPQ_TO_ASYNCPG.keys()))
            raise DatabaseUrlError(
                f"its parameter ?{name}= is not one asyncpg understands: "
                f"remove it, or use one of {known}"
            )
        query[name] = value
    return url.set(query=query)
