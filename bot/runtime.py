"""How the processes of a deployment are assembled and run: web, worker, or both in one.

- `clickbot web`: the Slack app over HTTP (Procfile `web`).
- `clickbot worker`: the scheduler, poller and sender (Procfile `worker`).
- `clickbot run`: everything in one process, the app in Socket Mode when SLACK_APP_TOKEN is
  set, else over HTTP on PORT: for small installs.

SIGTERM (and Ctrl-C) stops them gracefully: the web server finishes the requests in flight, the
worker the poll cycle and the deliveries in flight; what is not delivered stays in the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator

import uvicorn
from prometheus_client import start_http_server

from alerts.deliver import Backoff
from alerts.worker import Retention, Worker, receivers_from_settings
from bot.gc_tuning import freeze_startup_heap
from bot.metrics import REGISTRY, PrometheusObserver, observe_clickmeter
from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import (
    AlertSettings,
    ClickMeterSettings,
    ServerSettings,
    Settings,
    SlackSettings,
    StorageSettings,
)
from storage import Database

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

#: How long identical ClickMeter GETs share one answer. Answers show the time of their data, and
#: without sharing 9 requests a second would serve fewer than 9 commands a second.
CLICKMETER_CACHE_TTL_S = 30.0


def build_services(settings: Settings) -> Services:
    """The ClickMeter client (paced, cached, observed) and the database of this process."""
    clickmeter = settings.need(ClickMeterSettings)
    client = ClickMeterClient(
        clickmeter.clickmeter_api_key,
        base_url=clickmeter.clickmeter_api_url,
        cache_ttl=CLICKMETER_CACHE_TTL_S,
        observer=observe_clickmeter,
    )
    return Services(
        clickmeter=client,
        db=Database(settings.need(StorageSettings).database_url),
        poll_seconds=settings.need(AlertSettings).alert_poll_seconds,
    )


def build_worker(settings: Settings, services: Services) -> Worker:
    assert services.db is not None
    slack = settings.need(SlackSettings)
    alerts = settings.need(AlertSettings)
    return Worker(
        services.db,
        services.clickmeter,
        poll_seconds=services.poll_seconds,
        receivers=receivers_from_settings(
            slack.slack_bot_token.get_secret_value(), slack.slack_api_url
        ),
        backoff=Backoff(cap=alerts.delivery_backoff_cap_seconds),
        deliver_deadline=alerts.delivery_deadline_seconds,
        retention=Retention(alerts.outbox_retention_days, alerts.snapshot_retention_days),
        observer=PrometheusObserver(),
    )


def _http_server(settings: Settings, services: Services) -> uvicorn.Server:
    app = create_web_app(settings.need(SlackSettings), services, freeze_heap=True)
    port = settings.need(ServerSettings).port
    config = uvicorn.Config(app, host="0.0.0.0", port=port, log_level="warning")  # noqa: S104
    return uvicorn.Server(config)


def serve_web(settings: Settings) -> None:
    """`clickbot web`: until SIGTERM (uvicorn's own handling drains requests in flight)."""
    _http_server(settings, build_services(settings)).run()


async def run_worker(settings: Settings, metrics_port: int | None = None) -> None:
    """`clickbot worker`: until SIGTERM; its metrics on `metrics_port` when given."""
    if metrics_port is not None:
        start_http_server(metrics_port, addr="0.0.0.0", registry=REGISTRY)  # noqa: S104
    services = build_services(settings)
    try:
        await build_worker(settings, services).run()
    finally:
        await services.aclose()


async def run_all(settings: Settings) -> None:
    """`clickbot run`: the app (Socket Mode or HTTP) and the worker, until SIGTERM."""
    services = build_services(settings)
    worker = build_worker(settings, services)
    slack = settings.need(SlackSettings)
    worker_task = asyncio.create_task(worker.run(handle_signals=False))
    try:
        if slack.slack_app_token is not None:
            await _socket_mode_until_signal(settings, services)
        else:
            server = _http_server(settings, services)
            with _signals_survive_uvicorn():
                await server.serve()  # returns after SIGTERM/SIGINT, requests drained
    finally:
        worker.stop()
        await worker_task
        await services.aclose()


@contextlib.contextmanager
def _signals_survive_uvicorn() -> Iterator[None]:
    """Let the process go on after uvicorn stops on a signal, so the worker can finish.

    uvicorn re-raises the signal it stopped on once it has restored the handlers it found: with
    quiet ones in place, that lands here instead of ending the process before the worker's
    deliveries in flight are done.
    """
    quiet = {sig: signal.signal(sig, lambda signum, frame: None) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in quiet.items():
            signal.signal(sig, handler)


async def _socket_mode_until_signal(settings: Settings, services: Services) -> None:
    from bot.socket import connect_socket_mode

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in STOP_SIGNALS:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    handler = await connect_socket_mode(settings.need(SlackSettings), services)
    freeze_startup_heap()
    log.info("connected to Slack in Socket Mode")
    try:
        await stop.wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
