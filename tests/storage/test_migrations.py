"""Migrations build the schema from nothing, agree with the models, and go back down."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage import Base, Database
from storage.__main__ import main
from storage.migrate import alembic_config, current, downgrade, head, upgrade
from tests.storage.conftest import Backend

TABLES = {
    "alert_rules",
    "alert_episodes",
    "webhooks",
    "outbox",
    "poll_state",
    "counter_snapshots",
    "digests",
    "slack_installations",
    "slack_bots",
    "slack_oauth_states",
    "uninstalled_teams",
    "clickmeter_accounts",
    "admin_groups",
    "clickmeter_pacing",
    "shared_answers",
    "answered_messages",
    "workspace_leases",
    "worker_heartbeats",
}


async def _tables(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    return set(names)


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def test_upgrade_creates_the_schema_from_empty(empty_backend: Backend) -> None:
    database = empty_backend.open()
    assert await _tables(database) == set()
    assert await current(database.engine) is None

    await database.migrate()

    assert await _tables(database) == TABLES | {"alembic_version"}
    assert await current(database.engine) == head() == "0009"


async def test_upgrade_twice_is_harmless(empty_backend: Backend) -> None:
    database = empty_backend.open()
    await database.migrate()
    await upgrade(database.engine)
    assert await current(database.engine) == head()


async def test_models_and_migrations_agree(empty_backend: Backend) -> None:
    database = empty_backend.open()
    await database.migrate()
    async with database.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_downgrade_to_base_and_back(empty_backend: Backend) -> None:
    database = empty_backend.open()
    await database.migrate()

    await downgrade(database.engine, "base")
    assert await _tables(database) == {"alembic_version"}
    assert await current(database.engine) is None

    await database.migrate()
    assert await _tables(database) == TABLES | {"alembic_version"}


async def test_ensure_schema_migrates_once_however_many_ask(empty_backend: Backend) -> None:
    database = empty_backend.open()
    await asyncio.gather(*(database.ensure_schema() for _ in range(5)))
    assert await current(database.engine) == head()

    await downgrade(database.engine, "base")
    await database.ensure_schema()  # this object already migrated: it does not look again
    assert await current(database.engine) is None


def test_the_alembic_environment_runs_only_on_a_connection_handed_over() -> None:
    with pytest.raises(RuntimeError, match="clickbot migrate"):
        command.upgrade(alembic_config(), "head")


def test_command_line_upgrades_and_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"
    assert main(["--url", url, "current"]) == 0
    assert capsys.readouterr().out.strip() == "(none)"
    assert main(["--url", url, "upgrade"]) == 0
    assert main(["--url", url, "current"]) == 0
    assert capsys.readouterr().out.strip() == head()
    assert main(["--url", url, "downgrade", "base"]) == 0
    assert main(["--url", url, "current"]) == 0
    assert capsys.readouterr().out.strip() == "(none)"
