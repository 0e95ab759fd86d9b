"""How the processes of a deployment are assembled and run: web, worker, or both in one.

- `clickbot web`: the Slack app over HTTP (Procfile `web`).
- `clickbot worker`: the scheduler, poller and sender (Procfile `worker`).
- `clickbot run`: everything in one process, the app in Socket Mode when SLACK_APP_TOKEN is
  set, else over HTTP on PORT: for small installs.

Distribution mode (SLACK_CLIENT_ID and SLACK_CLIENT_SECRET instead of SLACK_BOT_TOKEN) is HTTP
only: the app adds Bolt's OAuth flow, the worker polls and sends digests only for workspaces with
the app installed, and purges uninstalled ones after UNINSTALLED_RETENTION_DAYS.

SIGTERM (and Ctrl-C) stops them gracefully: the web server finishes the requests in flight and
the answers being built for them (`Services.aclose`), the worker the poll cycle and the
deliveries in flight; what is not delivered stays in the outbox.

Metrics: the web app's `GET /metrics` shows what the web process counts; a process running the
worker serves the worker's series on WORKER_METRICS_PORT (`clickbot run` over HTTP shows them
on `/metrics` too).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import uvicorn
from prometheus_client import start_http_server
from pydantic import SecretStr

from alerts.accounts import WorkspaceClients
from alerts.deliver import Backoff
from alerts.deliver.addresses import AddressPolicy
from alerts.worker import Retention, Worker, receivers_from_settings
from bot.gc_tuning import freeze_startup_heap
from bot.logs import uvicorn_log_options
from bot.metrics import (
    WORKER_REGISTRY,
    PrometheusObserver,
    observe_clickmeter,
    observe_clickmeter_retry,
    show_worker_series,
)
from bot.pacing import pacing_for
from bot.services import Services
from bot.shares import DatabaseShares
from bot.web import create_web_app
from clickmeter import ClickMeterClient, PacerSource
from config import (
    AlertSettings,
    ClickMeterSettings,
    ServerSettings,
    Settings,
    SlackOAuthSettings,
    SlackSettings,
    StorageSettings,
    WebhookSettings,
    WorkerSettings,
)
from storage import Database
from storage.accounts import KeyBox
from storage.installations import InstalledBotTokens, installed_bot_tokens

log = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

#: How long identical ClickMeter GETs share one answer. Answers show the time of their data, and
#: without sharing 9 requests a second would serve fewer than 9 commands a second.
CLICKMETER_CACHE_TTL_S = 30.0


#: Requests a second each process's clients start per key: under ClickMeter's 10, so a clock
#: tick or a retry in flight never tips a shared schedule over it.
CLICKMETER_REQUESTS_PER_SECOND = 9.0


def clickmeter_client(
    api_key: SecretStr,
    base_url: str,
    zone: ZoneInfo | None = None,
    pacers: PacerSource | None = None,
) -> ClickMeterClient:
    """A ClickMeter client as every process uses it: paced (by `pacers`, shared by every
    process, when given: `bot.pacing`), cached, observed."""
    rate = CLICKMETER_REQUESTS_PER_SECOND
    return ClickMeterClient(
        api_key,
        base_url=base_url,
        zone=zone,
        requests_per_second=rate,
        pacer=pacers(api_key.get_secret_value(), rate) if pacers is not None else None,
        cache_ttl=CLICKMETER_CACHE_TTL_S,
        observer=observe_clickmeter,
        retry_observer=observe_clickmeter_retry,
    )


def build_services(settings: Settings) -> Services:
    """The ClickMeter client, the database of this process and, in distribution mode, each
    workspace's own ClickMeter client (built when it is first needed)."""
    clickmeter = settings.need(ClickMeterSettings)
    base_url = clickmeter.clickmeter_api_url
    storage = settings.need(StorageSettings)
    db = Database(storage.database_url)
    pacing = pacing_for(storage, db)
    pacers = pacing.source
    workspaces: WorkspaceClients | None = None
    if settings.mode == "distribution":
        workspaces = WorkspaceClients(
            db,
            KeyBox(settings.need(SlackOAuthSettings).clickbot_secret_key),
            base_url=base_url,
            make_client=lambda key, zone: clickmeter_client(key, base_url, zone, pacers),
        )
    return Services(
        clickmeter=clickmeter_client(clickmeter.clickmeter_api_key, base_url, pacers=pacers),
        db=db,
        pacing=pacing,
        shares=DatabaseShares(db),
        poll_seconds=settings.need(AlertSettings).alert_poll_seconds,
        webhook_policy=webhook_policy(settings),
        workspaces=workspaces,
    )


def webhook_policy(settings: Settings) -> AddressPolicy:
    """Where this deployment's webhooks may go, when added and at every delivery."""
    return AddressPolicy(allow_loopback=settings.need(WebhookSettings).webhook_allow_loopback)


def slack_settings(settings: Settings) -> SlackSettings | SlackOAuthSettings:
    """The Slack settings of the mode this process runs in."""
    if settings.mode == "distribution":
        return settings.need(SlackOAuthSettings)
    return settings.need(SlackSettings)


def build_worker(settings: Settings, services: Services) -> Worker:
    assert services.db is not None
    slack = slack_settings(settings)
    alerts = settings.need(AlertSettings)
    token: str | None = None
    tokens: InstalledBotTokens | None = None
    uninstalled_days: int | None = None
    if isinstance(slack, SlackOAuthSettings):
        # Each workspace's alerts and digests go out with its own bot token.
        tokens = installed_bot_tokens(
            slack.slack_client_id,
            slack.slack_client_secret.get_secret_value(),
            services.db.engine,
            slack_api_url=slack.slack_api_url,
            rotation_minutes=slack.token_rotation_expiration_minutes,
        )
        uninstalled_days = slack.uninstalled_retention_days
    else:
        token = slack.slack_bot_token.get_secret_value()
    override = alerts.worker_poll_seconds
    return Worker(
        services.db,
        services.clickmeter,
        poll_seconds=override or services.poll_seconds,
        receivers=receivers_from_settings(
            token, slack.slack_api_url, webhook_policy=services.webhook_policy, tokens=tokens
        ),
        backoff=Backoff(cap=alerts.delivery_backoff_cap_seconds),
        deliver_deadline=alerts.delivery_deadline_seconds,
        retention=Retention(
            alerts.outbox_retention_days,
            alerts.snapshot_retention_days,
            uninstalled_days,
        ),
        observer=PrometheusObserver(),
        installed_only=isinstance(slack, SlackOAuthSettings),
        # Distribution mode: each workspace polled and digested with its own account.
        clients=services.workspaces,
    )


def _http_server(
    settings: Settings, services: Services, *, close_services: bool = True
) -> uvicorn.Server:
    app = create_web_app(
        slack_settings(settings), services, freeze_heap=True, close_services=close_services
    )
    port = settings.need(ServerSettings).port
    # Its loggers go through ours (format, scrubber): no logging config or level of its own.
    config = uvicorn.Config(app, host="0.0.0.0", port=port, **uvicorn_log_options())  # noqa: S104
    return uvicorn.Server(config)


def serve_web(settings: Settings) -> None:
    """`clickbot web`: until SIGTERM (uvicorn's own handling drains requests in flight)."""
    _http_server(settings, build_services(settings)).run()


def _serve_worker_metrics(settings: Settings, port: int | None) -> None:
    """The worker's series on `port`, else on WORKER_METRICS_PORT; neither set: nowhere."""
    port = port if port is not None else settings.need(WorkerSettings).worker_metrics_port
    if port is not None:
        start_http_server(port, addr="0.0.0.0", registry=WORKER_REGISTRY)  # noqa: S104
        log.info("the worker's metrics are at http://0.0.0.0:%d/metrics", port)


async def run_worker(settings: Settings, metrics_port: int | None = None) -> None:
    """`clickbot worker`: until SIGTERM; its metrics on `metrics_port` (or
    WORKER_METRICS_PORT) when given."""
    _serve_worker_metrics(settings, metrics_port)
    services = build_services(settings)
    try:
        await build_worker(settings, services).run()
    finally:
        await services.aclose()


async def run_all(settings: Settings) -> None:
    """`clickbot run`: the app (Socket Mode or HTTP) and the worker, until SIGTERM."""
    show_worker_series()  # the worker counts in this process: the web app's /metrics shows it
    _serve_worker_metrics(settings, None)
    services = build_services(settings)
    worker = build_worker(settings, services)
    worker_task = asyncio.create_task(worker.run(handle_signals=False))
    try:
        if settings.mode == "single" and settings.need(SlackSettings).slack_app_token is not None:
            await _socket_mode_until_signal(settings, services)
        else:
            # Closed below, once the worker is done with them too.
            server = _http_server(settings, services, close_services=False)
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
