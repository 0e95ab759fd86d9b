"""`clickbot demo` (what `make demo` runs): the whole bot on this machine, in a terminal.

Starts the ClickMeter sandbox, a local Slack and the bot's own web app, checks them the way
`clickbot check` does, then sends `/clickmeter …` commands exactly as Slack does (signed HTTP to
/slack/events) and draws each message the local Slack receives on the response_url. At a
terminal you type the commands; otherwise (a pipe, CI) a scripted tour plays and exits.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from rich.console import Console
from rich.text import Text

from bot.check import run_checks
from bot.localslack import MockSlackServer
from bot.localslack.driver import (
    SIGNING_SECRET,
    BotDriver,
    DriverError,
    running_bot,
    share_button_value,
)
from bot.localslack.render import render_post
from bot.logs import RedactSecrets
from clickmeter.sandbox import SandboxConfig, SandboxServer
from config import ClickMeterSettings, SlackTokenSettings, load_group

DEMO_API_KEY = "00000000-0000-4000-8000-000000000000"
DEMO_TIMEZONE = "W. Europe Standard Time"
COMMAND = "/clickmeter"
SPIKE_PER_MINUTE = 120
SPIKE_MINUTES = 5
#: The tour gives up after this many unanswered steps rather than wait out every one.
MAX_FAILURES = 2
#: Seconds to wait for an answer; they take well under one.
ANSWER_TIMEOUT = 15.0
EXIT_WORDS = frozenset({"quit", "exit", "q", ":q"})
HINT = (
    "Type a command as in Slack ([bold]stats last7[/], [bold]top countries[/], "
    "[bold]link <name>[/]…; the /clickmeter is optional). Demo only: [bold]share[/] shares the "
    "last answer in #general, [bold]spike <link>[/] sends it a burst of clicks, "
    "[bold]quit[/] or Ctrl-D leaves."
)

#: The sandbox's datapoint status for a live link (paused and deleted ones make a dull tour).
ACTIVE = 0


@dataclass(frozen=True)
class DemoLink:
    id: int
    name: str
    group: str
    today_clicks: int


@dataclass(frozen=True)
class DemoAccount:
    """What the demo needs from `/_sandbox/state`: the live links, their groups, today's clicks."""

    links: list[DemoLink]

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> DemoAccount:
        groups = {g["id"]: g["name"] for g in state["groups"]}
        links = [
            DemoLink(dp["id"], dp["name"], groups.get(dp["group_id"], ""), dp["today_clicks"])
            for dp in state["datapoints"]
            if dp["status"] == ACTIVE
        ]
        return cls(links)

    def busiest(self) -> DemoLink:
        return max(self.links, key=lambda link: (link.today_clicks, -link.id))

    def find_link(self, ref: str) -> DemoLink | None:
        ref = ref.strip().strip('"').lower()
        return next((k for k in self.links if ref in (str(k.id), k.name.lower())), None)


@dataclass(frozen=True)
class Step:
    """One stop of the tour: a title and what happens there (later features add their own)."""

    title: str
    run: Callable[[Session], object]


def ask(text: str) -> Callable[[Session], object]:
    return lambda session: session.ask(text)


def share(text: str) -> Callable[[Session], object]:
    """Click Share in channel on the answer `text` got earlier in the tour."""

    def run(session: Session) -> object:
        answer = session.answers.get(text)
        if answer is None:
            session.fail(f"nothing to share: `{text}` got no answer")
            return None
        return session.share(answer)

    return run


def spike(link: str) -> Callable[[Session], object]:
    return lambda session: session.spike(link)


def tour_steps(account: DemoAccount) -> list[Step]:
    hot = account.busiest()
    group = f'"{hot.group}"' if " " in hot.group else hot.group
    return [
        Step("What you can ask", ask("help")),
        Step("The account's last 7 days against the 7 before", ask("stats last7")),
        Step("Where the clicks come from", ask("top countries")),
        Step("Who sends them, over 30 days", ask("top referrers last30")),
        Step("The busiest links", ask("links")),
        Step(f"One link: {hot.name}, busiest today so far", ask(f"link {hot.name}")),
        Step(f"Its group, {hot.group}", ask(f"group {group}")),
        Step("Every group", ask("groups")),
        Step("Its latest clicks", ask(f"hits {hot.name} 5")),
        Step("A typo gets a did-you-mean, not an error", ask("tpo contries")),
        Step("Share the account stats in #general", share("stats last7")),
        Step("The link today, before a spike", ask(f"link {hot.name} today")),
        Step(f"A burst of clicks on {hot.name}", spike(hot.name)),
        Step("The link today, after the spike", ask(f"link {hot.name} today")),
    ]


class Session:
    """One user (alice, in #general) talking to the bot, with each answer drawn as it arrives."""

    def __init__(self, console: Console, bot: BotDriver, sandbox_url: str) -> None:
        self.console = console
        self.bot = bot
        self.sandbox = httpx.Client(base_url=sandbox_url, timeout=10)
        workspace = bot.slack.slack
        self.names = {u.id: u.name for u in workspace.users.values()}
        self.names.update({c.id: c.name for c in workspace.channels.values()})
        self.last_answer: dict[str, Any] | None = None
        #: Shareable answers by the command that got them, so the tour can share an older one.
        self.answers: dict[str, dict[str, Any]] = {}
        self.failures = 0

    def close(self) -> None:
        self.sandbox.close()

    def ask(self, text: str, *, echo: bool = True) -> dict[str, Any] | None:
        """Send `/clickmeter text`, draw the answer; None (and a one-line reason) if none came."""
        if echo:
            self.console.print(Text.assemble(("alice ▸ ", "dim"), (f"{COMMAND} {text}", "bold")))
        started = time.monotonic()
        try:
            ack, response_url = self.bot.command(text)
            acked = time.monotonic()
            if ack.status_code != 200:
                raise DriverError(f"the bot refused the command (HTTP {ack.status_code})")
            answer = self.bot.wait_answer(response_url, timeout=ANSWER_TIMEOUT)
        except (DriverError, httpx.HTTPError) as exc:
            self.fail(str(exc))
            return None
        answered = time.monotonic()
        self.console.print(
            f"[dim]→ signed POST /slack/events: ack {ack.status_code} in "
            f"{(acked - started) * 1000:.0f} ms, answer on the response_url after "
            f"{(answered - started) * 1000:.0f} ms[/]",
            highlight=False,
        )
        self.console.print(render_post(answer, names=self.names))
        if share_button_value(answer) is not None:
            self.last_answer = answer
            self.answers[text] = answer
        return answer

    def share(self, answer: dict[str, Any] | None = None) -> list[dict[str, Any]] | None:
        """Click Share in channel on `answer` (the last one by default); draw what Slack gets."""
        answer = answer or self.last_answer
        if answer is None:
            self.console.print("[yellow]Nothing to share yet: ask something first.[/]")
            return None
        self.console.print("[dim]alice ▸ clicks[/] [bold]\\[ Share in channel ][/]")
        try:
            posts = self.bot.share(answer, timeout=ANSWER_TIMEOUT)
        except (DriverError, httpx.HTTPError) as exc:
            self.fail(str(exc))
            return None
        self.console.print("[dim]→ signed POST /slack/events (block_actions): 200[/]")
        for body in posts:
            self.console.print(render_post(body, names=self.names))
        if answer is self.last_answer:
            self.last_answer = None  # its private copy is gone
        return posts

    def state(self) -> DemoAccount:
        response = self.sandbox.get("/_sandbox/state")
        response.raise_for_status()
        return DemoAccount.from_state(response.json())

    def spike(self, link: str) -> tuple[int, int] | None:
        """A burst of clicks on `link` (a name or id), the sandbox clock moved past it;
        today's clicks on it before and after, from the sandbox's own books."""
        account = self.state()
        found = account.find_link(link)
        if found is None:
            self.console.print(Text(f"No link {link!r} in the sandbox.", style="yellow"))
            return None
        body = {
            "datapoint_id": found.id,
            "clicks_per_minute": SPIKE_PER_MINUTE,
            "minutes": SPIKE_MINUTES,
        }
        self.sandbox.post("/_sandbox/spike", json=body).raise_for_status()
        advance = {"advance_seconds": SPIKE_MINUTES * 60}
        self.sandbox.post("/_sandbox/clock", json=advance).raise_for_status()
        after = self.state().find_link(str(found.id))
        now = after.today_clicks if after is not None else found.today_clicks
        said = (
            f"⚡ sandbox: {SPIKE_PER_MINUTE} clicks/min on {found.name} for {SPIKE_MINUTES} "
            f"minutes, clock moved {SPIKE_MINUTES} minutes on\n"
            f"   today's clicks on {found.name}: {found.today_clicks:,} → {now:,}"
        )
        self.console.print(Text(said, style="magenta"), highlight=False)
        return found.today_clicks, now

    def fail(self, reason: str) -> None:
        self.failures += 1
        self.console.print(Text(f"✗ {reason}", style="red"), highlight=False)


def _strip_command(line: str) -> str:
    text = line.strip()
    if text.lower().startswith(COMMAND):
        text = text[len(COMMAND) :].strip()
    return text


def repl(session: Session, read_line: Callable[[], str]) -> int:
    """Read commands until quit / Ctrl-D / Ctrl-C. Always 0: a failed answer is shown, not fatal."""
    session.console.print(HINT, highlight=False)
    while True:
        try:
            text = _strip_command(read_line())
        except (EOFError, KeyboardInterrupt):
            session.console.print()
            return 0
        word, _, rest = text.partition(" ")
        try:
            if not text:
                continue
            if text.lower() in EXIT_WORDS:
                return 0
            if text.lower() == "share":
                session.share()
            elif word.lower() == "spike":
                session.spike(rest.strip() or session.state().busiest().name)
            else:
                if text.lower() == "help":
                    session.console.print(HINT, highlight=False)
                session.ask(text, echo=False)
        except KeyboardInterrupt:
            session.console.print()
            return 0
        except (httpx.HTTPError, DriverError) as exc:
            session.console.print(Text(f"✗ {exc}", style="red"), highlight=False)


def tour(session: Session) -> int:
    """The scripted tour: every command, a share, a spike. 1 if any step got no answer."""
    account = session.state()
    steps = tour_steps(account)
    for number, step in enumerate(steps, 1):
        if session.failures >= MAX_FAILURES:
            session.console.print("[red]The bot is not answering; the tour stops here.[/]")
            break
        title = Text.assemble((f"{number}/{len(steps)}", "bold"), f" · {step.title}")
        session.console.rule(title, align="left")
        step.run(session)
    session.console.rule()
    outcome = "ok" if session.failures == 0 else f"{session.failures} step(s) failed"
    session.console.print(f"Tour finished: {outcome}.", highlight=False)
    return 0 if session.failures == 0 else 1


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
    """Real time, unless the account's midnight is near: the spike then moves the clock into
    tomorrow and `today` starts from zero, so start the sandbox an hour back."""
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo("Europe/Berlin"))  # DEMO_TIMEZONE's zone
    if local.hour == 23 and local.minute >= 30:
        return now - timedelta(hours=1)
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


def _is_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):  # closed or replaced stdin
        return False


def _read_line(console: Console) -> Callable[[], str]:
    with suppress(ImportError):
        import readline  # noqa: F401  (arrow keys and history for input())
    return lambda: console.input(f"[bold cyan]{COMMAND}[/] ")


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
    interactive = _is_terminal() if interactive is None else interactive
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
            bot = stack.enter_context(running_bot(sandbox.url, DEMO_API_KEY, slack))
            console.print(
                f"clickbot (the `clickbot web` app) at {bot.url}/slack/events", highlight=False
            )
            session = Session(console, bot, sandbox.url)
            stack.callback(session.close)
            if interactive:
                return repl(session, read_line or _read_line(console))
            return tour(session)
    except KeyboardInterrupt:
        console.print()
        return 0
    except Exception as exc:  # the demo ends with a sentence, never a traceback
        stopped = f"✗ the demo stopped: {type(exc).__name__}: {exc}"
        console.print(Text(stopped, style="red"), highlight=False)
        return 1
