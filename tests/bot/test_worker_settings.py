"""The worker a deployment builds uses the delivery and retention settings it was given."""

from __future__ import annotations

from pathlib import Path

import pytest

from alerts.deliver import Backoff
from alerts.worker import Retention
from bot.runtime import build_services, build_worker
from config.settings import (
    AlertSettings,
    ClickMeterSettings,
    SlackSettings,
    StorageSettings,
    WebhookSettings,
    load_settings,
)


async def test_the_worker_takes_its_delivery_and_retention_settings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    environment = {
        "CLICKMETER_API_KEY": "12345678-1234-1234-1234-123456789abc",
        "SLACK_BOT_TOKEN": "xoxb-1-2-test",
        "SLACK_SIGNING_SECRET": "0123456789abcdef0123",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}",
        "DELIVERY_BACKOFF_CAP_SECONDS": "12",
        "DELIVERY_DEADLINE_SECONDS": "8",
        "OUTBOX_RETENTION_DAYS": "3",
        "SNAPSHOT_RETENTION_DAYS": "4",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = load_settings(
        ClickMeterSettings, SlackSettings, StorageSettings, AlertSettings, WebhookSettings
    )
    services = build_services(settings)
    try:
        worker = build_worker(settings, services)
        assert worker.backoff == Backoff(cap=12.0)
        assert worker.deliver_deadline == 8.0
        assert worker.retention == Retention(outbox_days=3, snapshot_days=4)
    finally:
        await services.aclose()


def test_the_delivery_settings_default_to_what_alerts_need(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DELIVERY_BACKOFF_CAP_SECONDS", "DELIVERY_DEADLINE_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    alerts = AlertSettings()
    assert (alerts.delivery_backoff_cap_seconds, alerts.delivery_deadline_seconds) == (20, 30)
    assert (alerts.outbox_retention_days, alerts.snapshot_retention_days) == (7, 7)
