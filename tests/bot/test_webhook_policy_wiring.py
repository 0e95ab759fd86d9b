"""WEBHOOK_ALLOW_LOOPBACK reaches both places webhooks are judged: adding one, delivering."""

from __future__ import annotations

import pytest

from alerts.deliver import WebhookReceiver
from alerts.worker import receivers_from_settings
from bot.runtime import webhook_policy
from config import WebhookSettings, load_settings


@pytest.mark.parametrize(("value", "allowed"), [(None, False), ("true", True), ("false", False)])
def test_the_setting_reaches_adding_and_delivery(
    monkeypatch: pytest.MonkeyPatch, value: str | None, allowed: bool
) -> None:
    monkeypatch.delenv("WEBHOOK_ALLOW_LOOPBACK", raising=False)
    if value is not None:
        monkeypatch.setenv("WEBHOOK_ALLOW_LOOPBACK", value)
    policy = webhook_policy(load_settings(WebhookSettings))
    assert (policy.url_problem("http://127.0.0.1:8080/hook") is None) is allowed
    [receiver] = receivers_from_settings(None, "https://slack.com/api/", webhook_policy=policy)
    assert isinstance(receiver, WebhookReceiver)
    assert receiver.policy is policy
