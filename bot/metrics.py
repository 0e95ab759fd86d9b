"""Prometheus metrics of one clickbot process, and the page `GET /metrics` serves.

Counters live in the process that counts them, and each process shows only what it counts:
`REGISTRY` is the web app's `/metrics` (commands, ClickMeter calls, and the outbox gauges,
which belong to the whole deployment and are read from the database when scraped), and
`WORKER_REGISTRY` the worker's (poll cycles, alerts fired, deliveries and Slack's rate limits
of them, its ClickMeter calls),
served on WORKER_METRICS_PORT. A web process alone never shows the worker's series as zeros;
`clickbot run`, with both in one process, adds them to `REGISTRY` live (`show_worker_series`).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from alerts.observer import DeliveryResult
from clickmeter import RetryCause

#: What the web app's `/metrics` shows.
REGISTRY = CollectorRegistry(auto_describe=True)
#: What a worker process serves on its own metrics port.
WORKER_REGISTRY = CollectorRegistry(auto_describe=True)

COMMANDS = Counter(
    "clickbot_commands_total",
    "Slash commands answered, by subcommand and outcome (answered, user_error, api_error, bug).",
    ["subcommand", "outcome"],
    registry=None,
)
CLICKMETER_REQUESTS = Counter(
    "clickbot_clickmeter_requests_total",
    "HTTP attempts to ClickMeter, by endpoint shape and outcome (status code or error name).",
    ["endpoint", "outcome"],
    registry=None,
)
CLICKMETER_RETRIES = Counter(
    "clickbot_clickmeter_retries_total",
    "ClickMeter attempts tried again, by endpoint shape and cause (429, 5xx, network).",
    ["endpoint", "cause"],
    registry=None,
)
CLICKMETER_ERRORS = Counter(
    "clickbot_clickmeter_errors_total",
    "ClickMeter attempts that failed (not 2xx), by endpoint shape.",
    ["endpoint"],
    registry=None,
)
POLL_CYCLE_SECONDS = Histogram(
    "clickbot_poll_cycle_seconds",
    "Wall time of one alert poll cycle.",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600),
    registry=None,
)
POLL_CYCLES = Counter(
    "clickbot_poll_cycles_total",
    "Alert poll cycles, by result (ok or failed).",
    ["result"],
    registry=None,
)
ALERTS_FIRED = Counter(
    "clickbot_alerts_fired_total",
    "Alert episodes that started.",
    registry=None,
)
DELIVERIES = Counter(
    "clickbot_deliveries_total",
    "Outbox delivery attempts, by result (sent, retried, dead: dead ones are the failures; "
    "stale: left to another sender that took the claim over).",
    ["result"],
    registry=None,
)
SLACK_THROTTLED = Counter(
    "clickbot_slack_throttled_total",
    "Delivery attempts Slack turned away with a rate limit (429), by receiver (outbox kind): "
    "retried after its Retry-After, not counted as failed attempts.",
    ["receiver"],
    registry=None,
)
OUTBOX_DEPTH = Gauge(
    "clickbot_outbox_depth",
    "Outbox items not yet delivered (pending, failed or being sent), read at scrape time.",
    registry=None,
)
OUTBOX_DEAD = Gauge(
    "clickbot_outbox_dead",
    "Outbox items given up on (a channel error, a revoked token), read at scrape time.",
    registry=None,
)


#: Both processes call ClickMeter: each shows its own calls.
_CLICKMETER_SERIES = (CLICKMETER_REQUESTS, CLICKMETER_ERRORS, CLICKMETER_RETRIES)
_WEB_SERIES = (COMMANDS, OUTBOX_DEPTH, OUTBOX_DEAD)
_WORKER_SERIES = (POLL_CYCLE_SECONDS, POLL_CYCLES, ALERTS_FIRED, DELIVERIES, SLACK_THROTTLED)
for _web in (*_CLICKMETER_SERIES, *_WEB_SERIES):
    REGISTRY.register(_web)
for _worker in (*_CLICKMETER_SERIES, *_WORKER_SERIES):
    WORKER_REGISTRY.register(_worker)
_shown_on_web: set[object] = set()


def show_worker_series() -> None:
    """For a process that runs the worker beside the web app (`clickbot run`): the web app's
    `/metrics` shows the worker's series too, live. Calling it again changes nothing."""
    for series in _WORKER_SERIES:
        if series not in _shown_on_web:
            REGISTRY.register(series)
            _shown_on_web.add(series)


def observe_clickmeter(endpoint: str, outcome: str) -> None:
    """The ClickMeter client's `observer`: one count per HTTP attempt."""
    CLICKMETER_REQUESTS.labels(endpoint, outcome).inc()
    if not outcome.startswith("2"):
        CLICKMETER_ERRORS.labels(endpoint).inc()


def observe_clickmeter_retry(endpoint: str, cause: RetryCause) -> None:
    """The ClickMeter client's `retry_observer`: one count per retry, by its cause."""
    CLICKMETER_RETRIES.labels(endpoint, cause).inc()


class PrometheusObserver:
    """The worker's and the sender's `alerts.observer.Observer`, counted in `WORKER_REGISTRY`."""

    def poll_cycle(self, *, ok: bool, seconds: float | None) -> None:
        if seconds is not None:
            POLL_CYCLE_SECONDS.observe(seconds)
        POLL_CYCLES.labels("ok" if ok else "failed").inc()

    def alerts_fired(self, count: int) -> None:
        ALERTS_FIRED.inc(count)

    def deliveries(self, result: DeliveryResult, count: int) -> None:
        if count:
            DELIVERIES.labels(result).inc(count)

    def throttled(self, receiver: str, count: int) -> None:
        SLACK_THROTTLED.labels(receiver).inc(count)


def exposition() -> bytes:
    """The web app's registry in Prometheus' text format."""
    return generate_latest(REGISTRY)
