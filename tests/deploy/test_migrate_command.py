"""`clickbot migrate`: one line saying what it did, idempotent, one clear line on a bad URL;
and the Procfile's release step, run as a platform runs it, leaves the database migrated."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from devtools.localslack import MockSlackServer
from storage import Database
from storage.migrate import current, head, upgrade
from tests.conftest import Sandbox
from tests.deploy.environment import BIN, deployment_env
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def database_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """DATABASE_URL set to a fresh SQLite file; no other setting, no .env in the working dir."""
    for name in list(os.environ):
        if name.startswith(("DATABASE_", "LOG_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def run_migrate() -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["migrate"])
    return result.exit_code, result.output.splitlines()


def revision_of(url: str) -> str | None:
    async def read() -> str | None:
        async with Database(url) as db:
            return await current(db.engine)

    return asyncio.run(read())


def test_creates_the_schema_then_does_nothing(database_url: str) -> None:
    code, lines = run_migrate()
    assert code == 0, lines
    assert lines == [f"✓ database {database_url}: created the schema at revision {head()}"]
    assert revision_of(database_url) == head()

    code, lines = run_migrate()
    assert code == 0, lines
    assert lines == [f"✓ database {database_url}: already at revision {head()}, nothing to do"]


def test_upgrades_an_older_schema(database_url: str) -> None:
    async def at_first_revision() -> None:
        async with Database(database_url) as db:
            await upgrade(db.engine, "0001")

    asyncio.run(at_first_revision())
    code, lines = run_migrate()
    assert code == 0, lines
    assert lines == [f"✓ database {database_url}: migrated from revision 0001 to {head()}"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("sqlite+aiosqlite:///{tmp}/missing/clickbot.sqlite3", "unable to open database file"),
        ("postgresql+asyncpg://clickbot:hunter2@127.0.0.1:{port}/clickbot", "Connect call failed"),
    ],
)
def test_a_bad_database_url_gets_one_clear_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, url: str, reason: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=tmp_path, port=free_port()))
    code, lines = run_migrate()
    assert code == 1
    [line] = lines
    assert line.startswith("✗ database: cannot migrate DATABASE_URL: ")
    assert reason in line
    assert "hunter2" not in line
    assert "Traceback" not in line


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("mysql+aiomysql://clickbot:hunter2@localhost/clickbot", "aiomysql"),
        ("nosuchdb://clickbot", "nosuchdb"),
        ("postgresql+psycopg2://clickbot:hunter2@localhost/clickbot", "psycopg2"),
    ],
)
def test_a_database_clickbot_cannot_use_is_one_settings_line(
    database_url: str, monkeypatch: pytest.MonkeyPatch, url: str, reason: str
) -> None:
    """Refused when the settings are read, before any connection: exit code 2, as for any bad
    setting, and a line saying what to write instead."""
    monkeypatch.setenv("DATABASE_URL", url)
    code, lines = run_migrate()
    assert code == 2
    line = lines[0]
    assert line.startswith("✗ DATABASE_URL is invalid: ")
    assert reason in line
    assert "hunter2" not in "\n".join(lines)
    assert "Traceback" not in "\n".join(lines)


def test_a_process_with_a_bad_database_url_prints_one_line_and_no_traceback(
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'clickbot.sqlite3'}"
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DATABASE_URL": database_url}
    if "PYTHONPATH" in os.environ:  # the code under test, as deployment_env passes it on
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(  # noqa: S603 - our own command
        [str(BIN / "clickbot"), "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("✗ database: cannot migrate DATABASE_URL: unable to open database file")


def test_a_malformed_database_url_is_a_settings_problem(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "clickbot.sqlite3")
    code, lines = run_migrate()
    assert code == 2
    assert any("DATABASE_URL" in line for line in lines)


def test_the_procfile_release_step_migrates_then_checks(
    sandbox: Sandbox, mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    [release] = [
        line.removeprefix("release:").strip()
        for line in (REPO / "Procfile").read_text().splitlines()
        if line.startswith("release:")
    ]
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    done = subprocess.run(  # noqa: S603 - our own Procfile line, under a shell as platforms run it
        ["/bin/sh", "-c", release],
        env=deployment_env(sandbox, mock_slack, tmp_path, database_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ ClickMeter" in done.stdout
    # Migrating first: on a first deploy the check then finds the schema it requires.
    assert done.stdout.splitlines()[0].startswith(f"✓ database {database_url}: created")
    assert "✓ database: " in done.stdout
    assert "✗" not in done.stdout
    assert revision_of(database_url) == head()
