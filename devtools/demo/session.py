"""One user of the demo (alice, in #general) talking to the bot: commands sent as Slack sends
them, shares, spikes and poll cycles, with every message the local Slack gets drawn."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import httpx
from rich.console import Console
from rich.text import Text

from alerts.engine import CycleReport
from alerts.notice import METADATA_EVENT_TYPE
from devtools.demo.account import DemoAccount
from devtools.demo.worker import Cycle, DemoAlerts
from devtools.localslack.driver import BotDriver, DriverError, share_button_value
from devtools.localslack.models import Message
from devtools.localslack.render import render_message, render_post

COMMAND = "/clickmeter"
SPIKE_PER_MINUTE = 120
SPIKE_MINUTES = 5
ALERT_CHANNEL = "C0GENERAL"
#: Seconds to wait for an answer; they take well under one.
ANSWER_TIMEOUT = 15.0


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
