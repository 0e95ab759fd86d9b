"""Prometheus metrics of one clickbot process, and the page `GET /metrics` serves.

Counters live in this process's own registry. Values that belong to the whole deployment
rather than to one process (outbox depth, dead deliveries, open episodes) are read from the
database when scraped, so the web process shows them even when the worker runs apart.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from alerts.observer import DeliveryResult

REGISTRY = CollectorRegistry(auto_describe=True)

COMMANDS = Counter(
    "clickbot_commands_total",
    "Slash commands answered, by subcommand and outcome (answered, user_error, api_error, bug).",
    ["subcommand", "outcome"],
    registry=REGISTRY,
)
CLICKMETER_REQUESTS = Counter(
    "clickbot_clickmeter_requests_total",
    "HTTP attempts to ClickMeter, by endpoint shape and outcome (status code or error name).",
    ["endpoint", "outcome"],
    registry=REGISTRY,
)
CLICKMETER_ERRORS = Counter(
    "clickbot_clickmeter_errors_total",
    "ClickMeter attempts that failed (not 2xx), by endpoint shape.",
    ["endpoint"],
    registry=REGISTRY,
)
POLL_CYCLE_SECONDS = Histogram(
    "clickbot_poll_cycle_seconds",
    "Wall time of one alert poll cycle.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
    registry=REGISTRY,
)
POLL_CYCLES = Counter(
    "clickbot_poll_cycles_total",
    "Alert poll cycles, by result (ok or failed).",
    ["result"],
    registry=REGISTRY,
)
ALERTS_FIRED = Counter(
    "clickbot_alerts_fired_total",
    "Alert episodes that started.",
    registry=REGISTRY,
)
DELIVERIES = Counter(
    "clickbot_deliveries_total",
    "Outbox delivery attempts, by result (sent, retried, dead: dead ones are the failures).",
    ["result"],
    registry=REGISTRY,
)
OUTBOX_DEPTH = Gauge(
    "clickbot_outbox_depth",
    "Outbox items not yet delivered (pending, failed or being sent), read at scrape time.",
    registry=REGISTRY,
)
OUTBOX_DEAD = Gauge(
    "clickbot_outbox_dead",
    "Outbox items given up on (a channel error, a revoked token), read at scrape time.",
    registry=REGISTRY,
)


def observe_clickmeter(endpoint: str, outcome: str) -> None:
    """The ClickMeter client's `observer`: one count per HTTP attempt."""
    CLICKMETER_REQUESTS.labels(endpoint, outcome).inc()
    if not outcome.startswith("2"):
        CLICKMETER_ERRORS.labels(endpoint).inc()


class PrometheusObserver:
    """The worker's and the sender's `alerts.observer.Observer`, counted in this registry."""

    def poll_cycle(self, *, ok: bool, seconds: float | None) -> None:
        if seconds is not None:
            POLL_CYCLE_SECONDS.observe(seconds)
        POLL_CYCLES.labels("ok" if ok else "failed").inc()

    def alerts_fired(self, count: int) -> None:
        ALERTS_FIRED.inc(count)

    def deliveries(self, result: DeliveryResult, count: int) -> None:
        if count:
            DELIVERIES.labels(result).inc(count)


def exposition() -> bytes:
    """The registry in Prometheus' text format."""
    return generate_latest(REGISTRY)
