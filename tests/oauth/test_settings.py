"""Which mode runs follows from the Slack credentials given; distribution mode's settings."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from config import (
    DEFAULT_BOT_SCOPES,
    SettingsError,
    SlackOAuthSettings,
    load_group,
    slack_mode,
)
from tests.oauth.conftest import SECRET_KEY

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
CLIENT = {"slack_client_id": "1111111111.2222222222", "slack_client_secret": "s" * 32}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CLICKBOT_", "TOKEN_", "UNINSTALLED_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no .env


def test_the_default_scopes_are_the_manifests() -> None:
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    assert list(DEFAULT_BOT_SCOPES) == manifest["oauth_config"]["scopes"]["bot"]


def test_the_manifest_names_the_oauth_redirect() -> None:
    manifest: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    (url,) = manifest["oauth_config"]["redirect_urls"]
    assert url.endswith("/slack/oauth_redirect")


def test_a_client_id_and_secret_select_distribution() -> None:
    assert slack_mode(**CLIENT) == "distribution"


def test_a_bot_token_selects_one_workspace() -> None:
    assert slack_mode(slack_bot_token="xoxb-1") == "single"


def test_the_mode_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT["slack_client_id"])
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT["slack_client_secret"])
    assert slack_mode() == "distribution"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ({**CLIENT, "slack_bot_token": "xoxb-1"}, "both set"),
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"slack_client_id": CLIENT["slack_client_id"]}, "SLACK_CLIENT_SECRET is not set"),
        ({"slack_client_secret": "s" * 32}, "SLACK_CLIENT_ID is not set"),
    ],
)
def test_both_neither_or_half_is_one_line(given: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError) as raised:
        slack_mode(**given)
    (line,) = raised.value.problems
    assert says in line


def oauth(**overrides: Any) -> SlackOAuthSettings:
    values = {**CLIENT, "slack_signing_secret": "x" * 32, "clickbot_secret_key": SECRET_KEY}
    return load_group(SlackOAuthSettings, **{**values, **overrides})


def test_distribution_settings_and_their_defaults() -> None:
    settings = oauth()
    assert settings.slack_scopes == DEFAULT_BOT_SCOPES
    assert settings.token_rotation_expiration_minutes == 120
    assert settings.uninstalled_retention_days == 30
    assert settings.slack_client_secret.get_secret_value() == "s" * 32
    assert "s" * 32 not in repr(settings)


def test_scopes_are_read_comma_separated() -> None:
    assert oauth(slack_scopes="commands, chat:write").slack_scopes == ("commands", "chat:write")


def test_empty_scopes_are_the_default() -> None:
    assert oauth(slack_scopes="").slack_scopes == DEFAULT_BOT_SCOPES


def test_scopes_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_SCOPES", "commands, chat:write")
    assert oauth().slack_scopes == ("commands", "chat:write")


def test_several_secret_keys_are_taken_for_rotation() -> None:
    other = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGw="
    assert oauth(clickbot_secret_key=f"{SECRET_KEY},{other}").clickbot_secret_key


@pytest.mark.parametrize("key", [None, "not-a-key", "c2hvcnQ="])
def test_the_secret_key_must_be_present_and_a_fernet_key(key: str | None) -> None:
    values = {**CLIENT, "slack_signing_secret": "x" * 32}
    if key is not None:
        values["clickbot_secret_key"] = key
    with pytest.raises(SettingsError) as raised:
        load_group(SlackOAuthSettings, **values)
    (line,) = raised.value.problems
    assert line.startswith("CLICKBOT_SECRET_KEY is")
    assert key is None or key not in line  # never echoed
