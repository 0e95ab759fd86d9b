"""The scripted tour `clickbot demo` plays when stdin is not a terminal: every command, a share,
a tracking link made and paused, a tracking link pasted and unfurled with its live stats, a
spike alert that fires and resolves, an alert made in the New alert modal, and a digest
preview."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text

from devtools.demo.account import DemoAccount
from devtools.demo.modal import modal_alert
from devtools.demo.session import ALERT_CHANNEL, Session
from devtools.localslack.driver import DriverError
from devtools.localslack.render import render_message
from devtools.localslack.signed import USER_ID

#: Poll cycles the tour allows for the alert to fire, then to resolve.
FIRE_CYCLES = 2
RESOLVE_CYCLES = 8
#: The tour gives up after this many unanswered steps rather than wait out every one.
MAX_FAILURES = 2


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


def unfurl(link: str) -> Callable[[Session], object]:
    """Paste `link`'s tracking URL in #general: the bot unfurls it (link_shared, chat.unfurl)."""

    def run(session: Session) -> object:
        url = f"https://s87.eu/{link}"
        session.console.print(Text.assemble(("alice ▸ ", "dim"), (f"pastes {url}", "bold")))
        try:
            _, message = session.bot.share_links([url])
            unfurls = session.bot.wait_unfurl(message, timeout=15.0)
        except DriverError as exc:
            session.fail(str(exc))
            return None
        blocks = unfurls.get(url, {}).get("blocks")
        note = "unfurled under alice's message (chat.unfurl)"
        session.console.print(render_message(url, blocks, ephemeral=False, note=note))
        return unfurls

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
        Step(
            "A tracking link made in Slack, ready to copy",
            ask(f"shorten https://shop.example.com/{hot.name} name {hot.name}-slack group {group}"),
        ),
        Step("Paused from Slack: its clicks stop counting", ask(f"link pause {hot.name}-slack")),
        Step("Its tracking link pasted in #general: unfurled with live stats", unfurl(hot.name)),
        Step("A typo gets a did-you-mean, not an error", ask("tpo contries")),
        Step("Share the account stats in #general", share("stats last7")),
        Step("The link today, before a spike", ask(f"link {hot.name} today")),
        Step(f"An alert for spikes on {hot.name}, in #general", alert_on(hot.name)),
        Step(f"A burst of clicks on {hot.name}", spike(hot.name)),
        Step("The link today, after the spike", ask(f"link {hot.name} today")),
        Step("The poller sees the burst: one alert in #general", alert_fires),
        Step("The burst is over: the alert resolves", alert_resolves),
        Step("A threshold alert made in the New alert modal", modal_alert(hot.name)),
        Step("A daily digest for #general, previewed now in your DMs", digest_preview),
    ]


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
