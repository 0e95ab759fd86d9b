"""`clickbot check` in distribution mode: it says so, and Slack checks the client id and secret."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from devtools.localslack import MockSlackServer
from devtools.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from tests.bot.test_check_command import SETTINGS_PREFIXES, migrated
from tests.conftest import Sandbox
from tests.deploy.environment import SIGNING_SECRET
from tests.oauth.conftest import SECRET_KEY


@pytest.fixture
def environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, sandbox: Sandbox, mock_slack: MockSlackServer
) -> None:
    for name in list(os.environ):
        if name.startswith((*SETTINGS_PREFIXES, "CLICKBOT_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    values = {
        "CLICKMETER_API_KEY": sandbox.api_key,
        "CLICKMETER_API_URL": sandbox.url,
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "CLICKBOT_SECRET_KEY": SECRET_KEY,
        "SLACK_API_URL": mock_slack.api_url,
        "DATABASE_URL": migrated(f"sqlite:///{tmp_path / 'clickbot.db'}"),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def run_check() -> tuple[int, list[str]]:
    result = CliRunner().invoke(app, ["check"])
    return result.exit_code, result.output.splitlines()


@pytest.mark.usefixtures("environment")
def test_distribution_mode_is_named_and_its_credentials_checked(
    mock_slack: MockSlackServer,
) -> None:
    code, lines = run_check()
    assert code == 0, lines
    assert "distribution mode" in lines[0]
    assert "Socket Mode" not in lines[0]
    slack = next(line for line in lines if "Slack:" in line)
    assert slack.startswith(f"✓ Slack: client id {CLIENT_ID} and its secret accepted")
    assert len(mock_slack.slack.calls_to("oauth.v2.access")) == 1
    assert CLIENT_SECRET not in "\n".join(lines)


@pytest.mark.usefixtures("environment")
def test_a_wrong_client_secret_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "not-the-apps-secret-at-all")
    code, lines = run_check()
    assert code == 1
    slack = next(line for line in lines if "Slack:" in line)
    assert "bad_client_secret" in slack
    assert "SLACK_CLIENT_SECRET" in slack


@pytest.mark.usefixtures("environment")
def test_a_missing_secret_key_stops_distribution_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLICKBOT_SECRET_KEY")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    assert "CLICKBOT_SECRET_KEY is not set" in result.output


@pytest.mark.usefixtures("environment")
def test_a_bot_token_beside_the_client_id_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    result = CliRunner().invoke(app, ["check"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("✗")]
    assert len(errors) == 1
    assert "both set" in errors[0]
