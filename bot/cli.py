"""The `clickbot` command line: one subcommand per way of running clickbot."""

from __future__ import annotations

import asyncio
import gc
from typing import Annotated

import typer
from rich.console import Console

from bot.services import Services
from clickmeter import ClickMeterClient
from config import (
    ClickMeterSettings,
    LoggingSettings,
    ServerSettings,
    SettingsError,
    SlackSettings,
    SlackTokenSettings,
    load_settings,
)

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="clickbot: ClickMeter link analytics in Slack.",
)
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

#: The sandbox's default key: a fixed, public, made-up GUID so the demo works with no setup.
DEMO_API_KEY = "00000000-0000-4000-8000-000000000000"


def _fail_on_settings(exc: SettingsError) -> typer.Exit:
    for line in exc.problems:
        err.print(f"[red]✗[/red] {line}", highlight=False)
    err.print("Set these in the environment or in .env (see .env.example).", highlight=False)
    return typer.Exit(code=2)


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port.")] = 8765,
    api_key: Annotated[
        str, typer.Option("--api-key", help="The API key the sandbox accepts.")
    ] = DEMO_API_KEY,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic account.")] = 1,
    datapoints: Annotated[int, typer.Option(min=1, help="How many datapoints to create.")] = 200,
    timezone: Annotated[
        str, typer.Option(help="The account's Windows time-zone name (as /me reports it).")
    ] = "W. Europe Standard Time",
    rate_limit: Annotated[
        float, typer.Option(min=0, help="Requests per second per client IP; 0 turns it off.")
    ] = 10.0,
) -> None:
    """Run a local ClickMeter API v2 with a synthetic account and live traffic."""
    from clickmeter._timezones import UnknownTimezoneError, zone_from_windows
    from clickmeter.sandbox import SandboxConfig, run_sandbox

    try:
        zone_from_windows(timezone)
    except UnknownTimezoneError as exc:
        err.print(f"[red]✗[/red] --timezone: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    config = SandboxConfig(
        api_key=api_key, seed=seed, datapoints=datapoints, timezone=timezone, rate_limit=rate_limit
    )
    out.print(
        f"ClickMeter sandbox on http://{host}:{port} ({datapoints} datapoints, seed {seed}, "
        f"{timezone}, {'no throttle' if rate_limit == 0 else f'{rate_limit:g} req/s'}). "
        "Use it with CLICKMETER_API_URL set to that address.",
        highlight=False,
    )
    run_sandbox(config, host=host, port=port)


@app.command()
def check() -> None:
    """Check the settings, ClickMeter (/me) and, when a bot token is set, Slack (auth.test)."""
    from bot.check import run_checks
    from bot.logs import configure_logging

    try:
        settings = load_settings(ClickMeterSettings, SlackTokenSettings, LoggingSettings)
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    clickmeter, slack, logging = settings.clickmeter, settings.slack_token, settings.logging
    assert clickmeter is not None
    assert slack is not None
    assert logging is not None
    secrets = [clickmeter.clickmeter_api_key.get_secret_value()]
    if slack.slack_bot_token is not None:
        secrets.append(slack.slack_bot_token.get_secret_value())
    configure_logging(logging.log_level, secrets, logging.log_format)

    results = asyncio.run(run_checks(clickmeter, slack))
    out.print("[green]✓[/green] settings: read from the environment and .env", highlight=False)
    marks = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[dim]–[/dim]"}
    for result in results:
        out.print(f"{marks[result.ok]} {result.name}: {result.detail}", highlight=False)
    raise typer.Exit(code=1 if any(r.ok is False for r in results) else 0)


def _bot_settings() -> tuple[ClickMeterSettings, SlackSettings, ServerSettings]:
    """The settings every way of running the bot needs, logging configured from them."""
    from bot.logs import configure_logging
    from config import AlertSettings, StorageSettings

    try:
        # Storage and alert settings are read by `_services`; asked here too so that every
        # problem with the environment is reported at once.
        settings = load_settings(
            ClickMeterSettings,
            SlackSettings,
            ServerSettings,
            StorageSettings,
            AlertSettings,
            LoggingSettings,
        )
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    clickmeter, slack, server, logging = (
        settings.clickmeter,
        settings.slack,
        settings.server,
        settings.logging,
    )
    assert clickmeter is not None
    assert slack is not None
    assert server is not None
    assert logging is not None
    secrets = [
        clickmeter.clickmeter_api_key.get_secret_value(),
        slack.slack_bot_token.get_secret_value(),
        slack.slack_signing_secret.get_secret_value(),
    ]
    if slack.slack_app_token is not None:
        secrets.append(slack.slack_app_token.get_secret_value())
    configure_logging(logging.log_level, secrets, logging.log_format)
    return clickmeter, slack, server


#: How long identical ClickMeter GETs share one answer. Answers show the time of their data, and
#: without sharing 9 requests a second would serve fewer than 9 commands a second.
CLICKMETER_CACHE_TTL_S = 30.0


def _services(clickmeter: ClickMeterSettings) -> Services:
    """The bot's services: the ClickMeter client and the alert database (DATABASE_URL; the
    web app migrates it at start-up, Socket Mode before the first alert command)."""
    from alerts.storage import Database
    from config import AlertSettings, StorageSettings

    try:
        settings = load_settings(StorageSettings, AlertSettings)
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    storage, alerts = settings.storage, settings.alerts
    assert storage is not None
    assert alerts is not None
    client = ClickMeterClient(
        clickmeter.clickmeter_api_key,
        base_url=clickmeter.clickmeter_api_url,
        cache_ttl=CLICKMETER_CACHE_TTL_S,
    )
    return Services(
        clickmeter=client,
        db=Database(storage.database_url),
        poll_seconds=alerts.alert_poll_seconds,
    )


def _freeze_startup_heap() -> None:
    """Keep what start-up built (modules, the app, its clients) out of the cyclic GC.

    It lives as long as the process, yet every full collection walked all of it (~70,000
    objects): 50 to 100 ms with the event loop stopped, which every request in flight waited
    out. Frozen, a full collection walks only what requests made since.
    """
    gc.collect()
    gc.freeze()


@app.command()
def web() -> None:
    """Serve the Slack app over HTTP on PORT (POST /slack/events, GET /healthz)."""
    import uvicorn

    from bot.web import create_web_app

    clickmeter, slack, server = _bot_settings()
    web_app = create_web_app(slack, _services(clickmeter))
    out.print(f"clickbot listening on http://0.0.0.0:{server.port}/slack/events", highlight=False)
    _freeze_startup_heap()
    uvicorn.run(web_app, host="0.0.0.0", port=server.port, log_level="warning")  # noqa: S104


@app.command()
def run() -> None:
    """Run the bot: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    clickmeter, slack, _ = _bot_settings()
    if slack.slack_app_token is None:
        web()
        return
    from bot.socket import run_socket_mode

    out.print("clickbot connecting to Slack in Socket Mode", highlight=False)
    _freeze_startup_heap()
    asyncio.run(run_socket_mode(slack, _services(clickmeter)))


@app.command()
def demo() -> None:
    """Start the sandbox, a local Slack and the bot; type /clickmeter commands or watch a tour."""
    from bot.demo import run_demo

    raise typer.Exit(code=run_demo(out))


@app.command()
def replay(
    file: Annotated[str, typer.Argument(help="CSV of counts per interval: timestamp,value.")],
    detector: Annotated[str, typer.Option(help="spike, drop or threshold.")] = "spike",
    sensitivity: Annotated[str, typer.Option(help="low, medium or high.")] = "medium",
    threshold: Annotated[
        float | None, typer.Option(min=0, help="Clicks per window, for --detector threshold.")
    ] = None,
    window: Annotated[
        int | None, typer.Option(min=1, help="Intervals per window (default: per detector).")
    ] = None,
    tz: Annotated[str, typer.Option(help="Time zone whose hours the baseline learns.")] = "UTC",
) -> None:
    """Replay a CSV of counts per interval through a detector: one JSON line per episode."""
    import json

    from alerts.detect import KINDS, SENSITIVITIES, make_detector, read_series
    from alerts.detect import replay as replay_series

    problems = []
    if detector not in KINDS:
        problems.append(f"--detector must be one of {', '.join(KINDS)}")
    if sensitivity not in SENSITIVITIES:
        problems.append(f"--sensitivity must be one of {', '.join(SENSITIVITIES)}")
    if detector == "threshold" and threshold is None:
        problems.append("--detector threshold needs --threshold N")
    try:
        observations, interval = read_series(file) if not problems else ([], 300.0)
        built = make_detector(
            detector,
            sensitivity,  # type: ignore[arg-type]  # checked against SENSITIVITIES above
            threshold=threshold,
            window=window,
            tz=tz,
            interval_seconds=interval,  # the CSV's own spacing: windows count its rows
        )
    except (ValueError, KeyError, OSError) as exc:
        problems.append(str(exc))
    if problems:
        for line in problems:
            err.print(f"[red]✗[/red] {line}", highlight=False)
        raise typer.Exit(code=2)
    for episode in replay_series(built, observations).episodes:
        typer.echo(json.dumps(episode.to_json()))


@app.command()
def worker() -> None:
    """Run the alert worker: poll ClickMeter every ALERT_POLL_SECONDS and deliver alerts."""
    from alerts.worker import run_worker
    from bot.logs import configure_logging
    from config import AlertSettings, StorageSettings

    try:
        settings = load_settings(
            ClickMeterSettings, SlackSettings, StorageSettings, AlertSettings, LoggingSettings
        )
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    clickmeter, slack, storage = settings.clickmeter, settings.slack, settings.storage
    alerts, logging = settings.alerts, settings.logging
    assert clickmeter is not None
    assert slack is not None
    assert storage is not None
    assert alerts is not None
    assert logging is not None
    key, token = clickmeter.clickmeter_api_key, slack.slack_bot_token
    configure_logging(logging.log_level, [key.get_secret_value(), token.get_secret_value()])
    out.print(f"clickbot worker: polling every {alerts.alert_poll_seconds}s", highlight=False)
    asyncio.run(
        run_worker(
            database_url=storage.database_url,
            clickmeter_key=key.get_secret_value(),
            clickmeter_url=clickmeter.clickmeter_api_url,
            poll_seconds=alerts.alert_poll_seconds,
            slack_token=token.get_secret_value(),
            slack_api_url=slack.slack_api_url,
        )
    )


def main() -> None:
    app()
