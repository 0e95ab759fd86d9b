"""The Prometheus side of `alerts.observer.Observer`: what the worker and sender report lands in
the process's counters (the worker itself only knows the protocol)."""

from __future__ import annotations

from bot.metrics import REGISTRY, WORKER_REGISTRY, PrometheusObserver, exposition

WORKER_ONLY = ("clickbot_poll_cycle", "clickbot_alerts_fired", "clickbot_deliveries")


def value(name: str, **labels: str) -> float:
    return WORKER_REGISTRY.get_sample_value(name, labels) or 0.0


def test_cycles_alerts_and_deliveries_are_counted() -> None:
    observer = PrometheusObserver()
    before = {
        "ok": value("clickbot_poll_cycles_total", result="ok"),
        "failed": value("clickbot_poll_cycles_total", result="failed"),
        "timed": value("clickbot_poll_cycle_seconds_count"),
        "fired": value("clickbot_alerts_fired_total"),
        "sent": value("clickbot_deliveries_total", result="sent"),
        "dead": value("clickbot_deliveries_total", result="dead"),
    }
    observer.poll_cycle(ok=True, seconds=1.5)
    observer.poll_cycle(ok=False, seconds=None)  # failed before reporting: not timed
    observer.alerts_fired(2)
    observer.deliveries("sent", 3)
    observer.deliveries("dead", 0)
    assert value("clickbot_poll_cycles_total", result="ok") - before["ok"] == 1
    assert value("clickbot_poll_cycles_total", result="failed") - before["failed"] == 1
    assert value("clickbot_poll_cycle_seconds_count") - before["timed"] == 1
    assert value("clickbot_alerts_fired_total") - before["fired"] == 2
    assert value("clickbot_deliveries_total", result="sent") - before["sent"] == 3
    assert value("clickbot_deliveries_total", result="dead") - before["dead"] == 0


def test_the_web_apps_page_shows_no_worker_series() -> None:
    """A web process does not run the worker: its /metrics used to show the worker's series as
    zeros, as if the worker had done nothing."""
    PrometheusObserver().poll_cycle(ok=True, seconds=1.0)
    page = exposition().decode()
    named = [line.removeprefix("# HELP ").removeprefix("# TYPE ") for line in page.splitlines()]
    assert not [line for line in named if line.startswith(WORKER_ONLY)]
    assert "clickbot_commands_total" in page
    assert "clickbot_outbox_depth" in page
    assert REGISTRY.get_sample_value("clickbot_poll_cycles_total", {"result": "ok"}) is None
