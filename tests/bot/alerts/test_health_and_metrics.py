"""GET /healthz and GET /metrics of the web process, against its real database."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from storage import Transaction
from tests.bot.alerts.conftest import NOW, AlertBot


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def test_healthz_reports_database_scheduler_and_outbox(alert_bot: AlertBot) -> None:
    http, url = alert_bot.driver.http, alert_bot.driver.url
    body = http.get(f"{url}/healthz").json()
    assert body["ok"] is True
    assert body["database"] == {"ok": True}
    assert body["scheduler"]["last_poll_at"] is None  # no rules yet: nothing polled, not late
    assert body["scheduler"]["late"] is False
    assert body["outbox"] == {"depth": 0, "dead": 0}

    async def worker_long_gone(tx: Transaction) -> None:
        stale = NOW - timedelta(hours=2)
        await tx.polls.put(
            "T0CLICKBOT",
            last_cycle_at=stale,
            last_success_at=stale,
            consecutive_failures=0,
            outage_notified=False,
        )

    alert_bot.run(worker_long_gone)
    late = http.get(f"{url}/healthz")
    assert late.status_code == 200  # the web process itself is fine
    assert late.json()["ok"] is False
    assert late.json()["scheduler"]["late"] is True


def test_metrics_count_commands_api_calls_and_the_outbox(alert_bot: AlertBot) -> None:
    http, url = alert_bot.driver.http, alert_bot.driver.url
    before = samples(http.get(f"{url}/metrics").text)
    alert_bot.ask("stats")
    alert_bot.ask("tpo contries")
    rule = alert_bot.ask("alert add account spike")
    assert "Alert #" in str(rule)
    alert_bot.ask(f"alert test {alert_bot.rules()[0].id}")
    response = http.get(f"{url}/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    after = samples(response.text)

    def grew(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    assert grew("clickbot_commands_total", subcommand="stats", outcome="answered") == 1
    assert grew("clickbot_commands_total", subcommand="unknown", outcome="user_error") == 1
    assert grew("clickbot_commands_total", subcommand="alert", outcome="answered") == 2
    assert after[("clickbot_outbox_depth", ())] >= 1  # the test alert waits for the sender
    # The worker's series are the worker process's to show (WORKER_METRICS_PORT): the web app
    # runs no worker, and showing them as zeros said it had polled nothing.
    assert ("clickbot_poll_cycle_seconds_count", ()) not in after
    assert ("clickbot_alerts_fired_total", ()) not in after
    assert all("T0CLICKBOT" not in str(key) for key in after)  # no unbounded labels
