"""`clickbot demo` (what `make demo` runs): the whole bot on this machine, in a terminal.

Starts the ClickMeter sandbox, a local Slack and the bot's own web app, checks them the way
`clickbot check` does, then sends `/clickmeter …` commands exactly as Slack does (signed HTTP to
/slack/events) and draws each message the local Slack receives on the response_url. At a
terminal you type the commands; otherwise (a pipe, CI) a scripted tour plays and exits.

The tour also sets a spike alert with `/clickmeter alert add`, then runs the alert worker's jobs
in-process (poll cycles, each moving the sandbox's frozen clock on by the poll interval, and
a pass of the sender) on the bot's own database, a temporary SQLite file, and draws the alert
post #general gets, its resolved edit and the reply in its thread.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
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

from alerts.deliver import DeliveryReport, SlackReceiver, WebhookReceiver, deliver_once
from alerts.deliver.digest import DigestReceiver
from alerts.engine import CycleReport, EngineConfig, Poller
from alerts.notice import METADATA_EVENT_TYPE
from bot.check import run_checks
from bot.logs import RedactSecrets
from clickmeter import ClickMeterClient
from config import ClickMeterSettings, SlackTokenSettings, load_group
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import (
    SIGNING_SECRET,
    BotDriver,
    DriverError,
    running_bot,
    share_button_value,
)
from devtools.localslack.models import Message
from devtools.localslack.render import render_message, render_post
from devtools.localslack.signed import USER_ID
from devtools.sandbox import SandboxConfig, SandboxServer
from storage import Database, utcnow

DEMO_API_KEY = "00000000-0000-4000-8000-000000000000"
DEMO_TIMEZONE = "W. Europe Standard Time"
COMMAND = "/clickmeter"
SPIKE_PER_MINUTE = 120
SPIKE_MINUTES = 5
#: The alert poller's interval in the demo (sandbox time: the clock is moved, not waited on).
POLL_SECONDS = 300.0
ALERT_CHANNEL = "C0GENERAL"
#: Poll cycles the tour allows for the alert to fire, then to resolve.
FIRE_CYCLES = 2
RESOLVE_CYCLES = 8
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


def alert_on(link: str) -> Callable[[Session], object]:
    """Add a spike alert on `link` to #general, then let the poller take its first looks."""

    def run(session: Session) -> object:
        answer = session.ask(f"alert add link {link} spike high to <#{ALERT_CHANNEL}|general>")
        if answer is None:
            return None
        return session.poll(2, first=True)

    return run


def alert_fires(session: Session) -> object:
    """Poll until the alert is posted in #general; draw the post."""
    session.poll(FIRE_CYCLES, until=lambda _: session.alert_post() is not None)
    post = session.alert_post()
    if post is None:
        session.fail(f"no alert in #general within {FIRE_CYCLES} poll cycles")
        return None
    session.show_message(post, "new post, tagged with its outbox id")
    return post


def alert_resolves(session: Session) -> object:
    """Poll until the episode resolves; draw the edited post and the reply in its thread."""
    reports = session.poll(RESOLVE_CYCLES, until=lambda report: report.tally.resolved > 0)
    post = session.alert_post()
    if not any(report.tally.resolved for report in reports) or post is None:
        session.fail(f"the alert did not resolve within {RESOLVE_CYCLES} poll cycles")
        return None
    session.show_message(post, "edited (chat.update)")
    for reply in session.thread(post):
        session.show_message(reply, "reply in its thread")
    return reports


def digest_preview(session: Session) -> object:
    """Add a daily digest for #general, then `digest preview` it: the sender delivers it to
    the asker as a direct message, chart included."""
    added = session.ask(f"digest add daily at 09:00 to <#{ALERT_CHANNEL}|general>")
    if added is None or session.ask("digest preview 1") is None:
        return None
    if session.alerts is None:
        session.fail("digests are not set up in this demo")
        return None
    sent = session.alerts.send()
    slack = session.bot.slack.slack
    direct = "D" + USER_ID[1:]
    previews = [
        m
        for m in slack.messages(direct)
        if (m.metadata or {}).get("event_type") == "clickbot_digest"
    ]
    if not previews:
        session.fail(f"no digest preview arrived (sender: {len(sent.sent)} delivered)")
        return None
    session.show_message(previews[-1], "a direct message to you", where="your DMs")
    for file in slack.files.values():
        if file.content:
            session.console.print(
                Text(f"📎 chart uploaded with it: {file.filename}, {len(file.content):,} bytes"),
                highlight=False,
            )
    return previews[-1]


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
        Step(f"An alert for spikes on {hot.name}, in #general", alert_on(hot.name)),
        Step(f"A burst of clicks on {hot.name}", spike(hot.name)),
        Step("The link today, after the spike", ask(f"link {hot.name} today")),
        Step("The poller sees the burst: one alert in #general", alert_fires),
        Step("The burst is over: the alert resolves", alert_resolves),
        Step("A daily digest for #general, previewed now in your DMs", digest_preview),
    ]


@dataclass(frozen=True)
class Cycle:
    """One poll cycle of the demo and the sender pass after it."""

    at: datetime
    #: Whether the clock was moved on by the poll interval before it.
    moved: bool
    report: CycleReport
    sent: DeliveryReport


#: Called after each cycle; True stops the polling there.
OnCycle = Callable[[Cycle], bool]


@dataclass
class DemoAlerts:
    """The alert worker's jobs, run in-process on demand over the bot's database: poll cycles
    (the sandbox clock moved on by the interval before each) and a pass of the sender."""

    database_url: str
    sandbox_url: str
    api_key: str
    slack: MockSlackServer
    poll_seconds: float = POLL_SECONDS

    def cycles(self, count: int, each: OnCycle, *, first: bool = False) -> None:
        """Up to `count` cycles, each followed by a sender pass and handed to `each` (which
        returns True to stop there); `first`: the first cycle leaves the clock where it is (the
        poller's first snapshot). The sender's clock is the sandbox's too: items are stamped
        with sandbox time, which may run ahead of the real one."""

        async def run() -> None:
            with httpx.Client(base_url=self.sandbox_url, timeout=10) as control:
                now = self._clock(control, {"frozen": True})

                def clock() -> datetime:
                    return now

                async with Database(self.database_url) as db:
                    client = ClickMeterClient(self.api_key, base_url=self.sandbox_url)
                    receivers = self._receivers()
                    poller = Poller(db, client, EngineConfig(self.poll_seconds), clock=clock)
                    try:
                        for n in range(count):
                            moved = bool(n or not first)
                            if moved:
                                now = self._clock(control, {"advance_seconds": self.poll_seconds})
                            report = await poller.run_cycle()
                            sent = await deliver_once(db, receivers, now=now)
                            if each(Cycle(now, moved, report, sent)):
                                break
                    finally:
                        await client.aclose()

        asyncio.run(run())

    def send(self) -> DeliveryReport:
        """One pass of the sender (alerts, digests, webhooks) on the sandbox's clock."""

        async def run() -> DeliveryReport:
            with httpx.Client(base_url=self.sandbox_url, timeout=10) as control:
                now = self._clock(control, {"frozen": True})
            async with Database(self.database_url) as db:
                return await deliver_once(db, self._receivers(), now=now)

        return asyncio.run(run())

    def _receivers(self) -> list[Any]:
        token, url = self.slack.token, self.slack.api_url
        return [
            SlackReceiver(token, base_url=url, per_channel_interval=0),
            DigestReceiver(token, base_url=url, per_channel_interval=0),
            WebhookReceiver(),
        ]

    @staticmethod
    def _clock(control: httpx.Client, body: dict[str, Any]) -> datetime:
        response = control.post("/_sandbox/clock", json=body)
        response.raise_for_status()
        return datetime.fromisoformat(response.json()["now"])


class Session:
    """One user (alice, in #general) talking to the bot, with each answer drawn as it arrives."""

    def __init__(
        self,
        console: Console,
        bot: BotDriver,
        sandbox_url: str,
        alerts: DemoAlerts | None = None,
    ) -> None:
        self.console = console
        self.bot = bot
        self.alerts = alerts
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

    def poll(
        self,
        cycles: int,
        *,
        first: bool = False,
        until: Callable[[CycleReport], bool] | None = None,
    ) -> list[CycleReport]:
        """Run up to `cycles` poll cycles and sender passes (stopping once `until(report)`),
        one line for each."""
        reports: list[CycleReport] = []
        if self.alerts is None:
            self.fail("alerts are not set up in this demo")
            return reports
        minutes = f"+{self.alerts.poll_seconds / 60:g} min"

        def each(cycle: Cycle) -> bool:
            report, tally = cycle.report, cycle.report.tally
            reports.append(report)
            if not report.ok:
                said = f"ClickMeter unreadable ({report.error})"
            elif tally.fired:
                said = "an alert fired"
            elif tally.resolved:
                said = "the alert resolved"
            else:
                said = f"{report.rules} rule(s), nothing to say"
            line = (
                f"⏱ poll at {cycle.at.astimezone(UTC):%H:%M} UTC (sandbox clock "
                f"{minutes if cycle.moved else 'as is: first look'}): {report.calls} API "
                f"call(s), {said}; sender: {len(cycle.sent.sent)} delivered"
            )
            self.console.print(Text(line, style="cyan"), highlight=False)
            return until is not None and until(report)

        self.alerts.cycles(cycles, each, first=first)
        return reports

    def alert_post(self) -> Message | None:
        """The latest alert post in #general (thread replies left out)."""
        posts = [
            m
            for m in self.bot.slack.slack.messages(ALERT_CHANNEL, include_replies=False)
            if (m.metadata or {}).get("event_type") == METADATA_EVENT_TYPE
        ]
        return posts[-1] if posts else None

    def thread(self, post: Message) -> list[Message]:
        return [
            m
            for m in self.bot.slack.slack.messages(ALERT_CHANNEL)
            if m.is_reply and m.thread_ts == post.ts
        ]

    def show_message(self, message: Message, note: str, where: str = "#general") -> None:
        """Draw a message as `where` (a channel, by default #general) shows it."""
        self.console.print(
            render_message(
                message.text,
                message.blocks,
                ephemeral=False,
                where=where,
                names=self.names,
                note=note,
            )
        )

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
                return repl(session, read_line or _read_line(console))
            return tour(session)
    except KeyboardInterrupt:
        console.print()
        return 0
    except Exception as exc:  # the demo ends with a sentence, never a traceback
        stopped = f"✗ the demo stopped: {type(exc).__name__}: {exc}"
        console.print(Text(stopped, style="red"), highlight=False)
        return 1
