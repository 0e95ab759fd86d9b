"""Fixtures: every storage test runs on SQLite (a temporary file) and on PostgreSQL.

PostgreSQL is the server named by CLICKBOT_TEST_POSTGRES_URL (e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/test). Without the variable the PostgreSQL cases
skip with a reason saying so, except under CI (CI=true), where they fail: `.ci/run` sets it so
they always run there.

Each test starts from a clean schema. To stay fast, the migrations run once per session: SQLite
tests get a copy of a migrated file, PostgreSQL tests share a migrated schema of this session's
own (so parallel runs never meet) and find its tables truncated. Tests of the migrations
themselves use `empty_backend`: a new file, or a new PostgreSQL schema, with nothing in it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from storage import Base, Database, make_engine

POSTGRES_URL_VARIABLE = "CLICKBOT_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]

T = TypeVar("T")


@dataclass
class Backend:
    """Where a test's database lives; `open()` gives a new `Database` on the same data."""

    name: str
    url: str
    options: dict[str, Any] = field(default_factory=dict)
    opened: list[Database] = field(default_factory=list)

    def open(self) -> Database:
        database = Database(self.url, **self.options)
        self.opened.append(database)
        return database

    async def close(self) -> None:
        for database in self.opened:
            await database.dispose()


SKIP_REASON = (
    f"PostgreSQL storage tests need {POSTGRES_URL_VARIABLE}, e.g. "
    "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
    if url:
        return url
    if _in_ci():
        pytest.fail(f"{SKIP_REASON}; CI must set it")
    pytest.skip(SKIP_REASON)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Without PostgreSQL, mark its cases skipped up front (pytest then folds the reasons)."""
    if os.environ.get(POSTGRES_URL_VARIABLE, "").strip() or _in_ci():
        return
    here = Path(__file__).parent
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is None or here not in item.path.parents:
            continue
        if "postgresql" in callspec.params.values():
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def _run_aside(make: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine on its own loop in a thread (session fixtures outlive test loops)."""

    async def main() -> T:
        return await make()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


async def _migrate(url: str, **options: Any) -> None:
    async with Database(url, **options) as database:
        await database.migrate()


async def _schema(url: str, statement: str) -> None:
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await admin.dispose()


def _new_schema() -> str:
    return f"clickbot_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file to copy."""
    path = tmp_path_factory.mktemp("storage") / "template.sqlite3"
    _run_aside(lambda: _migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(url, schema): a migrated schema for this session, dropped at its end."""
    url, schema = _postgres_url(), _new_schema()
    _run_aside(lambda: _schema(url, f'CREATE SCHEMA "{schema}"'))
    try:
        _run_aside(lambda: _migrate(url, search_path=schema))
        yield url, schema
    finally:
        _run_aside(lambda: _schema(url, f'DROP SCHEMA "{schema}" CASCADE'))


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """A migrated database with no rows, on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "clickbot.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        chosen = Backend("sqlite", f"sqlite+aiosqlite:///{path}")
    else:
        url, schema = request.getfixturevalue("postgres_schema")
        chosen = Backend("postgresql", url, {"search_path": schema})
        # DELETE is much quicker than TRUNCATE on tables this small; ids just keep growing.
        async with chosen.open().engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    yield chosen
    await chosen.close()


@pytest.fixture(params=BACKENDS)
async def empty_backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    """A database with no schema at all, on each backend."""
    if request.param == "sqlite":
        sqlite = Backend("sqlite", f"sqlite+aiosqlite:///{tmp_path / 'empty.sqlite3'}")
        yield sqlite
        await sqlite.close()
        return
    url, schema = _postgres_url(), _new_schema()
    await _schema(url, f'CREATE SCHEMA "{schema}"')
    postgres = Backend("postgresql", url, {"search_path": schema})
    try:
        yield postgres
    finally:
        await postgres.close()
        await _schema(url, f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def database(backend: Backend) -> Database:
    """A migrated database with no rows, on each backend."""
    return backend.opened[0] if backend.opened else backend.open()
