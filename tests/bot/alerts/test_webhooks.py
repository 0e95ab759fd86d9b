"""`/clickmeter alert webhook add | list | remove`: the secret is shown once, never listed."""

from __future__ import annotations

import hashlib
import hmac

from alerts.deliver.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from tests.bot.alerts.conftest import OTHER_TEAM, AlertBot, shown

URL = "https://hooks.example.com/clickbot"


def test_add_shows_the_secret_once_with_how_to_verify(alert_bot: AlertBot) -> None:
    added = alert_bot.ask(f"alert webhook add {URL}")
    (webhook,) = alert_bot.webhooks()
    assert (webhook.id, webhook.url, webhook.created_by) == (1, URL, "U0ALICE")
    text = shown(added)
    assert f"`{webhook.secret}`" in text
    assert webhook.secret not in added["text"]  # never in the notification text
    assert added["response_type"] == "ephemeral"
    assert not [b for b in added["blocks"] if b["type"] == "actions"]  # no Share button
    assert SIGNATURE_HEADER in text
    assert TIMESTAMP_HEADER in text
    assert "HMAC-SHA256" in text
    # The recipe shown is the sender's scheme.
    body, timestamp = b'{"type":"alert.test"}', "1773840600"
    recipe = (
        "v1="
        + hmac.new(
            webhook.secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
        ).hexdigest()
    )
    assert recipe == sign(webhook.secret, timestamp, body)

    listed = alert_bot.ask("alert webhook list")
    assert webhook.secret not in str(listed)
    # After the answer that added it, only the scheme and host: the path may hold a secret.
    assert "*#1* `https://hooks.example.com/…` · added by <@U0ALICE> 14:30 CET" in shown(listed)
    assert "/clickbot" not in shown(listed)


def test_webhooks_are_scoped_by_workspace_and_removed(alert_bot: AlertBot) -> None:
    alert_bot.ask(f"alert webhook add {URL}")
    assert "No webhooks" in alert_bot.ask("alert webhook list", team=OTHER_TEAM)["text"]
    theirs = alert_bot.ask("alert webhook remove 1", team=OTHER_TEAM)
    assert theirs["text"] == ":mag: There's no webhook #1 in this workspace."
    assert len(alert_bot.webhooks()) == 1
    removed = alert_bot.ask("alert webhook remove 1")
    assert removed["text"].startswith(":wastebasket: Removed webhook #1")
    assert alert_bot.webhooks() == []
    assert "No webhooks" in alert_bot.ask("alert webhook list")["text"]
    assert "no webhook #1" in alert_bot.ask("alert webhook remove 1")["text"]


def test_the_same_url_twice_and_unsafe_urls_are_refused(alert_bot: AlertBot) -> None:
    alert_bot.ask(f"alert webhook add {URL}")
    again = alert_bot.ask(f"alert webhook add {URL}")
    assert "already go to" in again["text"]
    assert "webhook #1" in again["text"]
    plain = alert_bot.ask("alert webhook add http://hooks.example.com/x")
    assert "https" in plain["text"]
    private = alert_bot.ask("alert webhook add https://10.0.0.7/hook")
    assert ":thinking_face:" in private["text"]
    assert len(alert_bot.webhooks()) == 1


def test_a_webhook_to_this_machine_is_refused_by_default(alert_bot: AlertBot) -> None:
    # WEBHOOK_ALLOW_LOOPBACK is off: the Docker socket on loopback is not a webhook.
    refused = alert_bot.ask("alert webhook add http://127.0.0.1:2375/containers/prune")
    assert refused["text"].startswith(":no_entry: I can't send alerts to")
    assert "this machine" in refused["text"]
    assert "public" in shown(refused)
    assert alert_bot.webhooks() == []
