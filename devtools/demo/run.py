"""`run_demo`: the demo's processes wired together (sandbox, local Slack, the bot's web app on a
temporary SQLite database), checked like `clickbot check`, then the tour or the prompt."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.text import Text

from bot.check import run_checks
from bot.logs import RedactSecrets
from config import ClickMeterSettings, SlackTokenSettings, load_group
from devtools.demo.session import Session
from devtools.demo.terminal import is_terminal, prompt_reader, repl
from devtools.demo.tour import tour
from devtools.demo.worker import POLL_SECONDS, DemoAlerts
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET, running_bot
from devtools.sandbox import SandboxConfig, SandboxServer
from storage import Database, utcnow

DEMO_API_KEY = "00000000-0000-4000-8000-000000000000"
DEMO_TIMEZONE = "W. Europe Standard Time"


class _OneLine(logging.Filter):
    """Log records as one line, never a traceback: the demo shows what happened, not where."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()} ({type(exc).__name__}: {str(exc)[:200]})"
            record.args = None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


@contextmanager
def _quiet_logs(console: Console, secrets: list[str]) -> Iterator[None]:
    """Warnings from the bot and its servers as dim lines on the console, scrubbed, one line
    each; the previous logging set-up comes back afterwards."""

    class ToConsole(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            line = f"log {record.levelname.lower()}: {record.getMessage()}"
            console.print(Text(line, style="dim yellow"), highlight=False)

    # One line first, then scrubbed: the one-line text quotes the exception.
    filters: list[logging.Filter] = [_OneLine(), RedactSecrets(secrets)]
    handler = ToConsole(logging.WARNING)
    for f in filters:
        handler.addFilter(f)
    root, uvicorn_error = logging.getLogger(), logging.getLogger("uvicorn.error")
    root.addHandler(handler)
    for f in filters:  # uvicorn logs through its own handlers, not the root's
        uvicorn_error.addFilter(f)
    try:
        yield
    finally:
        root.removeHandler(handler)
        for f in filters:
            uvicorn_error.removeFilter(f)


def _sandbox_start() -> datetime | None:
    """Real time, unless the account's midnight is near: the spike and the poll cycles (about
    an hour of sandbox time at most) would move the clock into tomorrow, where `today` starts
    from zero, so start the sandbox two hours back."""
    now = utcnow()
    local = now.astimezone(ZoneInfo("Europe/Berlin"))  # DEMO_TIMEZONE's zone
    if local.hour == 23 or (local.hour == 22 and local.minute >= 30):
        return now - timedelta(hours=2)
    return None


def _check(console: Console, sandbox_url: str, slack: MockSlackServer) -> bool:
    clickmeter = load_group(
        ClickMeterSettings, clickmeter_api_key=DEMO_API_KEY, clickmeter_api_url=sandbox_url
    )
    slack_token = load_group(
        SlackTokenSettings, slack_bot_token=slack.token, slack_api_url=slack.api_url
    )
    console.rule("clickbot check", align="left")
    results = asyncio.run(run_checks(clickmeter, slack_token))
    marks = {True: "[green]✓[/]", False: "[red]✗[/]", None: "[dim]–[/]"}
    for result in results:
        console.print(marks[result.ok], Text(f"{result.name}: {result.detail}"), highlight=False)
    return not any(result.ok is False for result in results)


def run_demo(
    console: Console | None = None,
    *,
    interactive: bool | None = None,
    read_line: Callable[[], str] | None = None,
    datapoints: int = 200,
) -> int:
    """Run the demo; returns a process exit code. `interactive` defaults to whether stdin is a
    terminal; `read_line` replaces the prompt (tests)."""
    console = console or Console()
    interactive = is_terminal() if interactive is None else interactive
    config = SandboxConfig(
        api_key=DEMO_API_KEY,
        seed=1,
        datapoints=datapoints,
        timezone=DEMO_TIMEZONE,
        rate_limit=10.0,
        start=_sandbox_start(),
    )
    try:
        with ExitStack() as stack:
            slack = stack.enter_context(MockSlackServer())
            stack.enter_context(_quiet_logs(console, [slack.token, SIGNING_SECRET, DEMO_API_KEY]))
            sandbox = stack.enter_context(SandboxServer(config))
            console.print(
                f"Sandbox {sandbox.url} ({datapoints} links, seed 1, 10 req/s) · "
                f"local Slack {slack.base_url}",
                highlight=False,
            )
            if not _check(console, sandbox.url, slack):
                return 1
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="clickbot-demo-"))
            database_url = f"sqlite+aiosqlite:///{folder}/clickbot.sqlite3"
            bot = stack.enter_context(
                running_bot(
                    sandbox.url,
                    DEMO_API_KEY,
                    slack,
                    db=Database(database_url),
                    poll_seconds=POLL_SECONDS,
                )
            )
            console.print(
                f"clickbot (the `clickbot web` app) at {bot.url}/slack/events · "
                "alerts in a temporary SQLite file",
                highlight=False,
            )
            alerts = DemoAlerts(database_url, sandbox.url, DEMO_API_KEY, slack)
            session = Session(console, bot, sandbox.url, alerts)
            stack.callback(session.close)
            if interactive:
                return repl(session, read_line or prompt_reader(console))
            return tour(session)
    except KeyboardInterrupt:
        console.print()
        return 0
    except Exception as exc:  # the demo ends with a sentence, never a traceback
        stopped = f"✗ the demo stopped: {type(exc).__name__}: {exc}"
        console.print(Text(stopped, style="red"), highlight=False)
        return 1
