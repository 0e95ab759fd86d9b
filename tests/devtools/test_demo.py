"""`clickbot demo`: the scripted tour (stdin not a terminal) and the typed session, end to end.

Each run starts its own sandbox, local Slack and bot, as `make demo` does.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator

import pytest
from rich.console import Console

from devtools.demo import DEMO_API_KEY, run_demo
from devtools.localslack import MockSlack
from devtools.localslack.driver import SIGNING_SECRET


def recording() -> Console:
    return Console(record=True, width=100)


def scripted(*lines: str | BaseException) -> Callable[[], str]:
    """A prompt that answers with `lines`, raising the exceptions among them, then Ctrl-D."""
    queue: Iterator[str | BaseException] = iter(lines)

    def read_line() -> str:
        line = next(queue, EOFError())
        if isinstance(line, BaseException):
            raise line
        return line

    return read_line


def assert_clean(text: str) -> None:
    assert "Traceback" not in text
    assert MockSlack().bot_token not in text
    assert SIGNING_SECRET not in text
    assert DEMO_API_KEY not in text


def tour_steps(text: str) -> dict[str, str]:
    """The tour's output by step title (titles are the `n/N · title ────` rules)."""
    parts = re.split(r"^\d+/\d+ · (.+?) ─+$", text, flags=re.MULTILINE)
    return {title: body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


def step(steps: dict[str, str], title: str) -> str:
    """The output of the step whose title starts with `title`."""
    (body,) = [body for name, body in steps.items() if name.startswith(title)]
    return body


def clicks_shown(panel: str) -> int:
    """The number under "Clicks" in a drawn link answer."""
    rows = [line.strip("│ ") for line in panel.splitlines()]
    heading = next(i for i, row in enumerate(rows) if row.startswith("Clicks"))
    return int(rows[heading + 1].split()[0].replace(",", ""))


def test_the_tour_plays_every_command_and_exits_0(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: the tour plays
    console = recording()
    assert run_demo(console) == 0
    text = console.export_text()
    assert_clean(text)
    assert "✗" not in text
    assert "✓ ClickMeter: signed in as" in text
    assert "✓ Slack: bot @clickbot" in text

    steps = tour_steps(text)
    assert "📖 ClickMeter in Slack" in step(steps, "What you can ask")
    stats = step(steps, "The account's last 7 days")
    assert "Account stats · last 7 days" in stats
    assert re.search(r"Clicks\s+Unique clicks", stats)
    assert re.search(r"\d{1,3}(,\d{3})+ · [−+]?\d+\.\d%", stats)  # e.g. 25,809 then the change
    countries = step(steps, "Where the clicks come from")
    assert "Countries · last 7 days" in countries
    assert re.search(r"│ +1  US +[\d,]+", countries)
    assert "Referrers · last 30 days" in step(steps, "Who sends them")
    assert "Links · last 7 days" in step(steps, "The busiest links")
    hot = next(t for t in steps if t.startswith("One link: ")).split()[2].rstrip(",")
    assert f"🔗 {hot} · last 7 days" in step(steps, "One link: ")
    assert re.search(r"Group \d+ ·", step(steps, "Its group, "))
    assert "Groups · last 7 days" in step(steps, "Every group")
    assert f"Latest clicks · {hot}" in step(steps, "Its latest clicks")
    made = step(steps, "A tracking link made in Slack")
    assert f"https://s87.eu/{hot}-slack" in made
    assert "Paused" in step(steps, "Paused from Slack")
    unfurled = step(steps, "Its tracking link pasted")
    assert f"pastes https://s87.eu/{hot}" in unfurled
    assert f"🔗 {hot}" in unfurled
    assert "Clicks today" in unfurled
    assert "Top referrers" in unfurled
    assert "[ More ]" in unfurled
    typo = step(steps, "A typo gets a did-you-mean")
    assert "Did you mean /clickmeter top countries?" in typo
    assert "Share in channel" not in typo  # a lesson, not a result to share

    shared = step(steps, "Share the account stats")
    assert "Shared by @alice · /clickmeter stats last7" in shared
    assert "Account stats · last 7 days" in shared
    assert "posted in #general" in shared
    assert "the original (private) message was removed" in shared

    before = clicks_shown(step(steps, "The link today, before a spike"))
    spike = re.search(r"today's clicks on \S+: ([\d,]+) → ([\d,]+)", step(steps, "A burst"))
    assert spike is not None
    low, high = (int(n.replace(",", "")) for n in spike.groups())
    assert high >= low + 500  # 120 a minute for 5 minutes
    after = clicks_shown(step(steps, "The link today, after the spike"))
    assert after >= high > before

    # The spike alert: set with the slash command, fired by the poller within two cycles, posted
    # once in #general with its buttons, then resolved (the post edited, a reply in its thread).
    added = step(steps, "An alert for spikes on ")
    assert f"Alert #1: spike (high) on {hot} → #general" in added
    assert "first look" in added
    assert "an alert fired" not in added  # normal traffic: quiet
    fired = step(steps, "The poller sees the burst")
    assert len(re.findall(r"⏱ poll at", fired)) <= 2
    assert "an alert fired; sender: 1 delivered" in fired
    assert f"🚨 Click spike on {hot}" in fired
    assert "[ Mute 1h ]  [ Mute 1d ]  [ Show link stats ]" in fired
    assert "posted in #general · new post" in fired
    resolved = step(steps, "The burst is over")
    assert "the alert resolved; sender: 2 delivered" in resolved
    assert "an alert fired" not in resolved  # one episode, one post
    assert f"✅ Resolved: click spike on {hot}" in resolved
    assert "edited (chat.update)" in resolved
    assert "✅ Resolved after" in resolved
    assert "reply in its thread" in resolved
    # The modal: opened by the shortcut, the link found as typed, the alert made and told.
    modal = step(steps, "A threshold alert made in the New alert modal")
    assert "views.open: the modal “New alert”" in modal
    assert "block_suggestion: Links: " in modal
    assert "view_submission: 200" in modal
    assert f"💬 to you: :white_check_mark: Alert #2: clicks > 100,000 per 1d on *{hot}*" in modal
    digest = step(steps, "A daily digest for #general")
    assert "New digest #1 · daily at 09:00" in digest
    assert "Daily digest ·" in digest
    assert "a direct message to you" in digest
    assert "📎 chart uploaded with it: clicks-" in digest
    assert "Tour finished: ok." in text


def test_a_typed_session_asks_shares_spikes_and_quits() -> None:
    console = recording()
    read_line = scripted(
        "/clickmeter stats last7", "", "share", "share", "spike", "spike nope", "quit", "never"
    )
    assert run_demo(console, interactive=True, read_line=read_line, datapoints=30) == 0
    text = console.export_text()
    assert_clean(text)
    assert "Demo only: share shares the last answer" in " ".join(text.split())  # the hint
    assert "Account stats · last 7 days" in text
    assert "Shared by @alice · /clickmeter stats last7" in text
    assert "Nothing to share yet" in text  # the second share: the first removed it
    assert "⚡ sandbox: 120 clicks/min on" in text
    assert "No link 'nope' in the sandbox." in text
    assert "alice ▸ /clickmeter" not in text  # what was typed is on screen already


@pytest.mark.parametrize("stop", [EOFError(), KeyboardInterrupt()], ids=["ctrl-d", "ctrl-c"])
def test_ctrl_d_and_ctrl_c_leave_cleanly(stop: BaseException) -> None:
    console = recording()
    read_line = scripted("help", "tpo contries", stop)
    assert run_demo(console, interactive=True, read_line=read_line, datapoints=30) == 0
    text = console.export_text()
    assert_clean(text)
    assert "/clickmeter hits <link> [1-50]" in text  # help answered
    assert "Did you mean /clickmeter top countries?" in text
