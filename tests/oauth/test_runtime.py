"""The processes in distribution mode: the worker polls only installed workspaces and purges
uninstalled ones after UNINSTALLED_RETENTION_DAYS; one-workspace processes are as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alerts.deliver import DigestReceiver, SlackPostReceiver, SlackUpdateReceiver, WebhookReceiver
from alerts.worker import Retention
from bot.runtime import build_services, build_worker
from config import (
    AlertSettings,
    ClickMeterSettings,
    SlackOAuthSettings,
    SlackSettings,
    StorageSettings,
    WebhookSettings,
    load_settings,
)
from storage.installations import InstalledBotTokens
from tests.oauth.conftest import SECRET_KEY


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("SLACK_", "CLICKBOT_", "UNINSTALLED_", "TOKEN_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    values = {
        "CLICKMETER_API_KEY": "12345678-1234-1234-1234-123456789abc",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}",
        "CLICKBOT_SECRET_KEY": SECRET_KEY,
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)


COMMON = (ClickMeterSettings, StorageSettings, AlertSettings, WebhookSettings)


async def test_the_distributed_worker_polls_installed_workspaces_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111111111.2222222222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "s" * 32)
    monkeypatch.setenv("UNINSTALLED_RETENTION_DAYS", "12")
    settings = load_settings(SlackOAuthSettings, *COMMON)
    assert settings.mode == "distribution"
    services = build_services(settings)
    try:
        worker = build_worker(settings, services)
        assert worker.installed_only
        assert worker.poller.installed_only
        assert worker.retention == Retention(7, 7, uninstalled_days=12)
        # Slack too, each workspace with its own bot token from the installation store.
        receivers = worker.receivers or []
        assert [type(r) for r in receivers] == [
            WebhookReceiver,
            SlackPostReceiver,
            SlackUpdateReceiver,
            DigestReceiver,
        ]
        for receiver in receivers[1:]:
            assert isinstance(receiver, SlackPostReceiver | SlackUpdateReceiver | DigestReceiver)
            assert isinstance(receiver.posters.tokens, InstalledBotTokens)
            assert receiver.posters.single is None
    finally:
        await services.aclose()


async def test_the_one_workspace_worker_is_unchanged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-test")
    settings = load_settings(SlackSettings, *COMMON)
    assert settings.mode == "single"
    services = build_services(settings)
    try:
        worker = build_worker(settings, services)
        assert not worker.installed_only
        assert worker.retention.uninstalled_days is None
        assert len(worker.receivers or []) == 4
    finally:
        await services.aclose()
