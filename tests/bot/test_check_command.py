"""`clickbot check` against the sandbox and the Slack mock: one line per check, right exit codes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from devtools.localslack import MockSlackServer
from storage import Database
from storage.migrate import head
from tests.conftest import Sandbox
from tests.deploy.environment import SIGNING_SECRET
from tests.servers import free_port

WRONG_KEY = "11111111-2222-4333-8444-555555555555"
SETTINGS_PREFIXES = (
    "CLICKMETER_",
    "SLACK_",
    "LOG_",
    "DATABASE_",
    "REDIS_",
    "PORT",
    "ALERT_",
    "WORKER_",
)


def migrated(database_url: str, revision: str = "head") -> str:
    async def go() -> None:
        async with Database(database_url) as db:
            await db.migrate(revision)

    asyncio.run(go())
    return database_url


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sandbox: Sandbox, mock_slack: MockSlackServer
) -> dict[str, str]:
    """A clean environment pointing at the sandbox, the mock and a migrated database; no .env in
    the working dir."""
    for name in list(os.environ):
        if name.startswith(SETTINGS_PREFIXES):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    values = {
        "CLICKMETER_API_KEY": sandbox.api_key,
        "CLICKMETER_API_URL": sandbox.url,
        "SLACK_BOT_TOKEN": mock_slack.token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": mock_slack.api_url,
        "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'clickbot.db'}"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def run_check() -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check"])
    return result.exit_code, result.output.splitlines()


def test_all_good(environment: dict[str, str], mock_slack: MockSlackServer) -> None:
    code, lines = run_check()
    assert code == 0, lines
    assert lines[0].startswith("✓ settings")
    clickmeter = next(line for line in lines if "ClickMeter:" in line)
    assert clickmeter.startswith("✓ ClickMeter: signed in as ")
    assert "(Europe/Berlin)" in clickmeter
    slack = next(line for line in lines if "Slack:" in line)
    assert slack.startswith("✓ Slack: bot @clickbot in workspace Acme Growth")
    assert len(mock_slack.slack.calls_to("auth.test")) == 1
    database = next(line for line in lines if "database:" in line)
    assert database.endswith(f"schema at revision {head()} (the newest)")


@pytest.mark.parametrize("variable", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"])
def test_a_missing_slack_setting_fails_the_check(
    environment: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    mock_slack: MockSlackServer,
    variable: str,
) -> None:
    """The release step used to pass with no Slack token: the web process then failed to start."""
    monkeypatch.delenv(variable)
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert f"{variable} is not set: expected" in result.output
    assert mock_slack.slack.calls == []


def test_socket_mode_is_named_and_checked_when_an_app_token_is_set(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, mock_slack: MockSlackServer
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", mock_slack.app_token)
    code, lines = run_check()
    assert code == 0, lines
    assert "clickbot run connects in Socket Mode" in lines[0]
    assert "✓ Socket Mode: Slack opens connections for SLACK_APP_TOKEN" in lines
    (opened,) = mock_slack.slack.calls_to("apps.connections.open")
    assert opened.token == mock_slack.app_token
    assert mock_slack.app_token not in "\n".join(lines)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-the-wrong-kind")
    code, lines = run_check()
    assert code == 2
    assert any(line.startswith("✗ SLACK_APP_TOKEN is invalid") for line in lines)


def test_an_app_token_slack_refuses_fails_in_one_line(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, mock_slack: MockSlackServer
) -> None:
    """It used to be only format-checked: a well-formed but wrong xapp- token passed, and
    `clickbot run` then failed to connect."""
    wrong = "xapp-1-A0WRONG0001-1111111111111-notthetokenslackgaveus"
    monkeypatch.setenv("SLACK_APP_TOKEN", wrong)
    code, lines = run_check()
    assert code == 1
    (line,) = [line for line in lines if "Socket Mode:" in line]
    assert line.startswith("✗ Socket Mode: apps.connections.open failed (invalid_auth): ")
    assert "App-Level Tokens" in line
    assert wrong not in "\n".join(lines)
    assert next(line for line in lines if "Slack:" in line).startswith("✓ Slack: bot @")


def test_no_app_token_no_socket_mode_check(
    environment: dict[str, str], mock_slack: MockSlackServer
) -> None:
    code, lines = run_check()
    assert code == 0, lines
    assert not [line for line in lines if "Socket Mode:" in line]
    assert mock_slack.slack.calls_to("apps.connections.open") == []


def test_a_database_never_migrated_fails(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")
    code, lines = run_check()
    assert code == 1
    assert any(
        line.startswith("✗ database:") and line.endswith("does not exist yet: run clickbot migrate")
        for line in lines
    )
    assert not (tmp_path / "absent.db").exists()  # checking created nothing


def test_a_database_behind_the_code_fails(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = migrated(f"sqlite:///{tmp_path / 'old.db'}", "0001")
    monkeypatch.setenv("DATABASE_URL", old)
    code, lines = run_check()
    assert code == 1
    line = next(line for line in lines if line.startswith("✗ database:"))
    assert f"is at revision 0001, this version needs {head()}: run clickbot migrate" in line


def test_an_unreachable_database_fails(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgres://app:hunter2-pw@127.0.0.1:{free_port()}/db")
    code, lines = run_check()
    assert code == 1
    line = next(line for line in lines if line.startswith("✗ database:"))
    assert "cannot reach postgresql+asyncpg://app:***@127.0.0.1" in line
    assert "check DATABASE_URL" in line
    assert "hunter2-pw" not in "\n".join(lines)


def test_redis_is_checked_when_set(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, lines = run_check()
    assert not any("Redis" in line for line in lines)  # unset: no check
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    code, lines = run_check()
    assert code == 0, lines
    assert "✓ Redis: redis://127.0.0.1:6379/0: ClickMeter's pacing is shared there" in lines


def test_an_unreachable_redis_fails_in_one_line(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", f"redis://:hunter2-pw@127.0.0.1:{free_port()}/0")
    code, lines = run_check()
    assert code == 1
    [line] = [line for line in lines if line.startswith("✗ Redis:")]
    assert "cannot reach redis://:***@127.0.0.1:" in line
    assert "check REDIS_URL" in line
    assert "hunter2-pw" not in "\n".join(lines)


def test_revoked_clickmeter_key(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLICKMETER_API_KEY", WRONG_KEY)
    code, lines = run_check()
    assert code == 1
    failure = next(line for line in lines if line.startswith("✗ ClickMeter:"))
    assert "CLICKMETER_API_KEY" in failure
    assert WRONG_KEY not in "\n".join(lines)


def test_clickmeter_unreachable(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLICKMETER_API_URL", f"http://127.0.0.1:{free_port()}")
    code, lines = run_check()
    assert code == 1
    assert any(line.startswith("✗ ClickMeter:") for line in lines)


def test_wrong_slack_token(environment: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-the-right-token")
    code, lines = run_check()
    assert code == 1
    assert any(line.startswith("✗ Slack: auth.test failed (invalid_auth)") for line in lines)
    assert "xoxb-not-the-right-token" not in "\n".join(lines)


def test_missing_key_fails_before_any_call(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch, mock_slack: MockSlackServer
) -> None:
    monkeypatch.delenv("CLICKMETER_API_KEY")
    monkeypatch.setenv("PORT", "not-a-port")  # the web process reads it: reported too
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "CLICKMETER_API_KEY is not set" in result.output
    assert "PORT is invalid: expected a TCP port number" in result.output
    assert mock_slack.slack.calls == []


def test_the_installed_command(environment: dict[str, str]) -> None:
    """The console script itself, as a user runs it."""
    script = Path(sys.executable).parent / "clickbot"
    done = subprocess.run(  # noqa: S603 - our own console script
        [str(script), "check"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "✓ ClickMeter: signed in as" in done.stdout
    assert environment["CLICKMETER_API_KEY"] not in done.stdout + done.stderr
