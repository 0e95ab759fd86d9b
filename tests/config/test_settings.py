"""Settings: defaults, one clear line per bad value, secrets never echoed, groups independent."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import (
    AlertSettings,
    ClickMeterSettings,
    LoggingSettings,
    ServerSettings,
    SettingsError,
    SlackSettings,
    SlackTokenSettings,
    StorageSettings,
    WebhookSettings,
    WorkerSettings,
    load_group,
    load_settings,
)

KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"
ALL_VARIABLES = [
    "CLICKMETER_API_KEY",
    "CLICKMETER_API_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "PORT",
    "ALERT_POLL_SECONDS",
    "LOG_LEVEL",
    "WEBHOOK_ALLOW_LOOPBACK",
]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No inherited variables and no stray .env: each test states what it sets."""
    for name in ALL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    assert load_group(ServerSettings).port == 3000
    assert load_group(AlertSettings).alert_poll_seconds == 300
    assert load_group(LoggingSettings).log_level == "INFO"
    assert load_group(StorageSettings).database_url.startswith("sqlite+aiosqlite:///")
    token = load_group(SlackTokenSettings)
    assert token.slack_bot_token is None
    assert token.slack_api_url == "https://slack.com/api/"


def test_clickmeter_key_is_secret_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLICKMETER_API_KEY", f'  "{KEY}" ')
    settings = load_group(ClickMeterSettings)
    assert settings.clickmeter_api_key.get_secret_value() == KEY
    assert settings.clickmeter_api_url == "https://apiv2.clickmeter.com"
    assert KEY not in repr(settings)
    assert KEY not in str(settings)


def test_missing_key_names_the_variable() -> None:
    with pytest.raises(SettingsError) as caught:
        load_group(ClickMeterSettings)
    (line,) = caught.value.problems
    assert line.startswith("CLICKMETER_API_KEY is not set: expected your ClickMeter API key")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CLICKMETER_API_KEY", "not-a-guid-at-all", "CLICKMETER_API_KEY is invalid: expected"),
        ("CLICKMETER_API_URL", "ftp://example.com", "CLICKMETER_API_URL is invalid: expected"),
        ("PORT", "abc", "PORT is invalid: expected a TCP port number from 1 to 65535."),
        ("PORT", "70000", "PORT is invalid: expected a TCP port number from 1 to 65535."),
        ("ALERT_POLL_SECONDS", "5", "ALERT_POLL_SECONDS is invalid: expected a whole number"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is invalid: expected one of DEBUG, INFO"),
        ("DATABASE_URL", "clickbot.db", "DATABASE_URL is invalid: expected an SQLAlchemy URL"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token-1234", "SLACK_BOT_TOKEN is invalid: expected"),
    ],
)
def test_bad_values_get_one_line_without_the_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv("CLICKMETER_API_KEY", KEY)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s" * 32)
    if variable != "SLACK_BOT_TOKEN":
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    monkeypatch.setenv(variable, value)
    groups = (ClickMeterSettings, SlackSettings, ServerSettings, AlertSettings, LoggingSettings)
    with pytest.raises(SettingsError) as caught:
        load_settings(*groups, StorageSettings)
    (line,) = caught.value.problems
    assert line.startswith(expected)
    assert value not in line


def test_every_problem_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "0")
    with pytest.raises(SettingsError) as caught:
        load_settings(ClickMeterSettings, SlackSettings, ServerSettings)
    named = [line.split(" ", 1)[0] for line in caught.value.problems]
    assert named == ["CLICKMETER_API_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "PORT"]


def test_a_command_needs_only_its_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` must work while unrelated settings (the bot's, the server's) are broken."""
    monkeypatch.setenv("CLICKMETER_API_KEY", KEY)
    monkeypatch.setenv("PORT", "not-a-port")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "short")
    settings = load_settings(ClickMeterSettings, SlackTokenSettings, LoggingSettings)
    assert settings.clickmeter is not None
    assert settings.server is None
    assert settings.slack is None


def test_dotenv_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / ".env").write_text(f"CLICKMETER_API_KEY={KEY}\nPORT=4000\nLOG_LEVEL=debug\n")
    monkeypatch.setenv("PORT", "5000")
    assert load_group(ClickMeterSettings).clickmeter_api_key.get_secret_value() == KEY
    assert load_group(ServerSettings).port == 5000
    assert load_group(LoggingSettings).log_level == "DEBUG"


def test_slack_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-123-456-abcdef")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "8f742231b10e8888abcd99yyyzzz85a5")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-A0-1-abc")
    slack = load_group(SlackSettings)
    assert slack.slack_api_url == "http://127.0.0.1:9999/api/"
    assert slack.slack_app_token is not None
    assert "xoxb-123" not in repr(slack)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-wrong-kind")
    with pytest.raises(SettingsError, match=r"^SLACK_APP_TOKEN is invalid: expected an app-level"):
        load_group(SlackSettings)


def test_webhooks_to_this_machine_are_off_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_group(WebhookSettings).webhook_allow_loopback is False
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", " true ")
    assert load_group(WebhookSettings).webhook_allow_loopback is True
    monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", "sometimes")
    with pytest.raises(SettingsError) as caught:
        load_group(WebhookSettings)
    assert caught.value.problems == [
        "WEBHOOK_ALLOW_LOOPBACK is invalid: expected true to let webhooks go to this machine "
        "(127.0.0.1, localhost) for local development, or false (the default)."
    ]


@pytest.mark.parametrize(("value", "port"), [(None, None), ("", None), ("9100", 9100)])
def test_the_worker_metrics_port_is_optional(
    monkeypatch: pytest.MonkeyPatch, value: str | None, port: int | None
) -> None:
    monkeypatch.delenv("WORKER_METRICS_PORT", raising=False)
    if value is not None:
        monkeypatch.setenv("WORKER_METRICS_PORT", value)
    assert load_group(WorkerSettings).worker_metrics_port == port


def test_a_bad_worker_metrics_port_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKER_METRICS_PORT", "99999")
    with pytest.raises(SettingsError) as caught:
        load_group(WorkerSettings)
    (line,) = caught.value.problems
    assert line.startswith("WORKER_METRICS_PORT is invalid: expected a TCP port number")


@pytest.mark.parametrize(
    ("value", "given"),
    [(None, False), ("", False), ("redis://127.0.0.1:6379/0", True), ("rediss://:pw@h:6380", True)],
)
def test_redis_is_optional_and_kept_secret(
    monkeypatch: pytest.MonkeyPatch, value: str | None, given: bool
) -> None:
    if value is not None:
        monkeypatch.setenv("REDIS_URL", value)
    redis_url = load_group(StorageSettings).redis_url
    assert (redis_url is not None) == given
    if redis_url is not None:
        assert redis_url.get_secret_value() == value
        assert value not in repr(redis_url)


@pytest.mark.parametrize("value", ["http://cache:6379", "redis:///0", "cache.internal:6379"])
def test_a_bad_redis_url_is_one_line_without_the_value(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("REDIS_URL", value)
    with pytest.raises(SettingsError) as caught:
        load_group(StorageSettings)
    (line,) = caught.value.problems
    assert line.startswith("REDIS_URL is invalid: expected a Redis URL such as redis://")
    assert value not in line
