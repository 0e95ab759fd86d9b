"""`clickbot check` against the sandbox and the Slack mock: one line per check, right exit codes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from devtools.localslack import MockSlackServer
from tests.conftest import Sandbox
from tests.servers import free_port

WRONG_KEY = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sandbox: Sandbox, mock_slack: MockSlackServer
) -> dict[str, str]:
    """A clean environment pointing at the sandbox and the mock; no .env in the working dir."""
    for name in list(os.environ):
        if name.startswith(("CLICKMETER_", "SLACK_", "LOG_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    values = {
        "CLICKMETER_API_KEY": sandbox.api_key,
        "CLICKMETER_API_URL": sandbox.url,
        "SLACK_BOT_TOKEN": mock_slack.token,
        "SLACK_API_URL": mock_slack.api_url,
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


def test_slack_is_skipped_without_a_token(
    environment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    code, lines = run_check()
    assert code == 0
    assert "– Slack: skipped: SLACK_BOT_TOKEN is not set" in lines


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
    monkeypatch.setenv("PORT", "not-a-port")  # not check's business: must not be reported
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "CLICKMETER_API_KEY is not set" in result.output
    assert "PORT" not in result.output
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
