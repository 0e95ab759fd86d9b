"""SQLite serves one process: with `clickbot run` (or a worker) on a SQLite file, a second
`clickbot web` or `clickbot worker` on that file is refused in one line, and the file is free
again once the first process has stopped. Real processes, settings in the environment."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from devtools.localslack import MockSlackServer
from storage import Database
from storage.single_process import SQLiteInUse, hold_sqlite
from tests.conftest import Sandbox
from tests.deploy.environment import deployment_env, start_clickbot
from tests.servers import free_port

REFUSAL = "SQLite serves one process"


def migrated(url: str) -> str:
    async def go() -> None:
        async with Database(url) as db:
            await db.migrate()

    asyncio.run(go())
    return url


def first_line_of(process: subprocess.Popen[str], starts: str) -> str:
    """Read the process's output until a line with `starts` in it (or fail at its end)."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if starts in line:
            return line
    raise AssertionError(f"no {starts!r} in the output:\n{''.join(seen)}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_a_second_process_on_one_sqlite_file_is_refused(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    sandbox = make_sandbox()
    url = migrated(f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}")

    def env() -> dict[str, str]:
        return deployment_env(sandbox, mock_slack, tmp_path, url, PORT=str(free_port()))

    first = start_clickbot("run", env(), tmp_path)
    try:
        first_line_of(first, "clickbot running")  # the lock is held from here on
        for command in ("web", "worker", "run"):
            second = start_clickbot(command, env(), tmp_path)
            output, _ = second.communicate(timeout=60)
            assert second.returncode == 2, output
            [line] = output.splitlines()
            assert REFUSAL in line
            assert "clickbot run" in line
            assert "DATABASE_URL" in line
            assert "PostgreSQL" in line
            assert "Traceback" not in output
    finally:
        stop(first)
    assert first.returncode == 0
    # The first one is gone: the file is free for the next process.
    again = start_clickbot("worker", env(), tmp_path)
    try:
        first_line_of(again, "clickbot worker: polling")
    finally:
        stop(again)


def test_processes_on_separate_files_and_in_memory_are_not_refused(tmp_path: Path) -> None:
    one = hold_sqlite(f"sqlite:///{tmp_path / 'one.db'}")
    two = hold_sqlite(f"sqlite+aiosqlite:///{tmp_path / 'two.db'}")
    assert one is not None
    assert two is not None
    assert hold_sqlite("sqlite+aiosqlite:///:memory:") is None
    assert hold_sqlite("sqlite+aiosqlite://") is None
    assert hold_sqlite("postgresql+asyncpg://postgres@127.0.0.1/x") is None
    one.release()
    again = hold_sqlite(f"sqlite:///{tmp_path / 'one.db'}")
    assert again is not None
    for held in (again, two):
        held.release()


@pytest.mark.parametrize("relative", [True, False])
def test_the_same_file_by_another_name_is_the_same_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, relative: bool
) -> None:
    monkeypatch.chdir(tmp_path)
    held = hold_sqlite(f"sqlite:///{tmp_path / 'clickbot.db'}")
    assert held is not None
    try:
        other = "sqlite:///clickbot.db" if relative else f"sqlite:///{tmp_path}/./clickbot.db"
        # In-process the lock is another open file: flock refuses it as it would another process.
        with pytest.raises(SQLiteInUse, match=REFUSAL):
            hold_sqlite(other)
    finally:
        held.release()
