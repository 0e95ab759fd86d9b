"""The `clickbot` command line: one subcommand per way of running clickbot.

Each command imports what it runs inside its own function, so a short one (`check`, `migrate`)
starts without loading the Slack app, the worker or the sandbox.
"""

from __future__ import annotations

import asyncio
import logging as stdlib_logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.console import Console

from config import (
    AlertSettings,
    ClickMeterSettings,
    LoggingSettings,
    SecretKeySettings,
    ServerSettings,
    Settings,
    SettingsError,
    SlackOAuthSettings,
    SlackSettings,
    StorageSettings,
    WebhookSettings,
    WorkerSettings,
    load_settings,
    slack_mode,
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
    max_datapoints: Annotated[
        int, typer.Option(min=1, help="The plan's datapoint quota: new links beyond are refused.")
    ] = 5000,
) -> None:
    """Run a local ClickMeter API v2 with a synthetic account and live traffic."""
    from clickmeter._timezones import UnknownTimezoneError, zone_from_windows
    from devtools.sandbox import SandboxConfig, run_sandbox

    try:
        zone_from_windows(timezone)
    except UnknownTimezoneError as exc:
        err.print(f"[red]✗[/red] --timezone: {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    config = SandboxConfig(
        api_key=api_key,
        seed=seed,
        datapoints=datapoints,
        timezone=timezone,
        rate_limit=rate_limit,
        max_datapoints=max_datapoints,
    )
    out.print(
        f"ClickMeter sandbox on http://{host}:{port} ({datapoints} datapoints, seed {seed}, "
        f"{timezone}, {'no throttle' if rate_limit == 0 else f'{rate_limit:g} req/s'}). "
        "Use it with CLICKMETER_API_URL set to that address.",
        highlight=False,
    )
    run_sandbox(config, host=host, port=port)


#: What every way of running the bot reads, all checked at once so every problem is reported
#: in one go.
BOT_SETTINGS = (
    ClickMeterSettings,
    SlackSettings,
    ServerSettings,
    StorageSettings,
    AlertSettings,
    LoggingSettings,
    WebhookSettings,
    WorkerSettings,
)


def _bot_settings() -> tuple[type[Any], ...]:
    """BOT_SETTINGS for the mode the Slack credentials given select (or stop with one line)."""
    try:
        mode = slack_mode()
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    if mode == "single":
        return BOT_SETTINGS
    return tuple(SlackOAuthSettings if g is SlackSettings else g for g in BOT_SETTINGS)


def _configured(*groups: type[Any]) -> Settings:
    """Load `groups` (or stop with one line per problem) and set up logging from them."""
    from bot.logs import configure_logging

    try:
        settings = load_settings(*groups)
    except SettingsError as exc:
        raise _fail_on_settings(exc) from None
    logging = settings.need(LoggingSettings)
    configure_logging(logging.log_level, settings.secrets(), logging.log_format)
    return settings


@contextmanager
def _one_process(settings: Settings) -> Iterator[None]:
    """On a SQLite file, hold this process's lock on it while the block runs (or stop with one
    line: another process holds it, and SQLite serves one); nothing to hold on PostgreSQL."""
    from storage.single_process import SQLiteInUse, hold_sqlite

    try:
        held = hold_sqlite(settings.need(StorageSettings).database_url)
    except SQLiteInUse as exc:
        err.print(f"[red]✗[/red] {exc}", highlight=False)
        raise typer.Exit(code=2) from None
    try:
        yield
    finally:
        if held is not None:
            held.release()


@app.command()
def check() -> None:
    """Check every setting the bot's processes read, ClickMeter (/me), Slack (auth.test) and the
    database (reachable, migrated): the release step, run after `clickbot migrate`."""
    from bot.check import run_checks

    settings = _configured(*_bot_settings())
    slack: SlackSettings | SlackOAuthSettings = (
        settings.need(SlackOAuthSettings)
        if settings.mode == "distribution"
        else settings.need(SlackSettings)
    )
    # Reading the schema's revision makes Alembic log at INFO; the database's line says it.
    stdlib_logging.getLogger("alembic").setLevel(stdlib_logging.WARNING)
    results = asyncio.run(
        run_checks(settings.need(ClickMeterSettings), slack, settings.need(StorageSettings))
    )
    port = settings.need(ServerSettings).port
    how = f"clickbot web serves Slack over HTTP on port {port}" + (
        ", clickbot run connects in Socket Mode" if slack.slack_app_token is not None else ""
    )
    how = (
        f"distribution mode (any workspace installs at /slack/install); {how}"
        if settings.mode == "distribution"
        else f"single-workspace mode; {how}"
    )
    out.print(
        f"[green]✓[/green] settings: read from the environment and .env; {how}", highlight=False
    )
    marks = {True: "[green]✓[/green]", False: "[red]✗[/red]"}
    for result in results:
        out.print(f"{marks[result.ok]} {result.name}: {result.detail}", highlight=False)
    raise typer.Exit(code=1 if any(r.ok is False for r in results) else 0)


@app.command()
def migrate() -> None:
    """Bring the database at DATABASE_URL up to the current schema (a no-op when it is)."""
    import sqlite3

    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    from storage import Database
    from storage.connect import open_sqlite_now
    from storage.migrate import Migration

    url = _configured(StorageSettings, LoggingSettings).need(StorageSettings).database_url
    # Alembic logs each step at INFO; the one line printed below says what they would.
    stdlib_logging.getLogger("alembic").setLevel(stdlib_logging.WARNING)

    async def upgrade(db: Database) -> Migration:
        async with db:
            return await db.migrate()

    try:
        printable_url = make_url(url).render_as_string(hide_password=True)
        db = Database(url)
        open_sqlite_now(db.engine)
        done = asyncio.run(upgrade(db))
    except (SQLAlchemyError, sqlite3.Error, OSError, ImportError) as exc:
        # A DBAPIError's own text carries SQLAlchemy's SQL and help link: the driver's says it.
        reason = exc.orig if isinstance(exc, DBAPIError) else exc
        err.print(
            f"[red]✗[/red] database: cannot migrate DATABASE_URL: {reason}. "
            "Check that it names a reachable database and a driver clickbot has "
            "(sqlite+aiosqlite or postgresql+asyncpg).",
            highlight=False,
        )
        raise typer.Exit(code=1) from None
    if not done.changed:
        what = f"already at revision {done.after}, nothing to do"
    elif done.before is None:
        what = f"created the schema at revision {done.after}"
    else:
        what = f"migrated from revision {done.before} to {done.after}"
    out.print(f"[green]✓[/green] database {printable_url}: {what}", highlight=False)


@app.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt every workspace's stored ClickMeter key with the first key of
    CLICKBOT_SECRET_KEY (put the new key first, run this, then drop the old one)."""
    from cryptography.fernet import InvalidToken

    from storage import Database
    from storage.accounts import KeyBox

    settings = _configured(StorageSettings, SecretKeySettings, LoggingSettings)
    box = KeyBox(settings.need(SecretKeySettings).clickbot_secret_key)
    stdlib_logging.getLogger("alembic").setLevel(stdlib_logging.WARNING)

    async def rotate() -> int:
        async with Database(settings.need(StorageSettings).database_url) as db:
            await db.ensure_schema()
            async with db.transaction() as tx:
                return await tx.accounts.rotate(box)

    try:
        count = asyncio.run(rotate())
    except InvalidToken:
        err.print(
            "[red]✗[/red] a stored key was encrypted with none of CLICKBOT_SECRET_KEY's keys: "
            "keep the old key in the list (after the new one) until this has run; nothing was "
            "changed.",
            highlight=False,
        )
        raise typer.Exit(code=1) from None
    out.print(
        f"[green]✓[/green] re-encrypted {count} workspace key(s) with CLICKBOT_SECRET_KEY's "
        "first key: the others can now be removed from it.",
        highlight=False,
    )


@app.command()
def web() -> None:
    """Serve the Slack app over HTTP on PORT (POST /slack/events, GET /healthz, GET /metrics)."""
    from bot.runtime import serve_web

    settings = _configured(*_bot_settings())
    port = settings.need(ServerSettings).port
    with _one_process(settings):
        out.print(f"clickbot listening on http://0.0.0.0:{port}/slack/events", highlight=False)
        serve_web(settings)


@app.command()
def worker(
    metrics_port: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65535,
            help="Serve this process's /metrics here (default WORKER_METRICS_PORT).",
        ),
    ] = None,
) -> None:
    """Run the scheduler: poll ClickMeter every ALERT_POLL_SECONDS, send digests and alerts."""
    from bot.runtime import run_worker

    settings = _configured(*_bot_settings())
    seconds = settings.need(AlertSettings).alert_poll_seconds
    with _one_process(settings):
        out.print(f"clickbot worker: polling every {seconds}s", highlight=False)
        asyncio.run(run_worker(settings, metrics_port))


@app.command()
def run() -> None:
    """Run everything in one process: the app (Socket Mode with SLACK_APP_TOKEN, else HTTP on
    PORT) and the worker."""
    from bot.runtime import run_all

    settings = _configured(*_bot_settings())
    socket = settings.mode == "single" and settings.need(SlackSettings).slack_app_token is not None
    port = settings.need(ServerSettings).port
    how = "Socket Mode" if socket else f"HTTP on port {port}"
    with _one_process(settings):
        out.print(f"clickbot running: the app in {how}, and the worker", highlight=False)
        asyncio.run(run_all(settings))


@app.command()
def demo() -> None:
    """Start the sandbox, a local Slack and the bot; type /clickmeter commands or watch a tour."""
    from devtools.demo import run_demo

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


def main() -> None:
    app()
