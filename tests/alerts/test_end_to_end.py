"""The whole alert path over real HTTP, as in production but with the clock moved by hand.

One running bot (the `clickbot web` app: rules made by signed `/clickmeter alert ...` commands)
shares a SQLite file with a `Poller` and the sender (`deliver_once` to the local Slack and a
local webhook receiver). The sandbox's clock is frozen; each cycle moves it on by the poll
interval, runs the poller once and the sender once, so a test sees exactly what a team would
see after each poll. The bot's own clock is the sandbox's, so a mute is in the engine's time.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from alerts.deliver import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Receiver,
    SlackPoster,
    WebhookReceiver,
    deliver_once,
    verify_signature,
)
from alerts.deliver.addresses import AddressPolicy
from alerts.engine import CycleReport, EngineConfig, Poller
from alerts.messages import MUTE_1H_ACTION
from alerts.notice import METADATA_EVENT_TYPE
from bot.services import Services
from bot.web import create_web_app
from clickmeter import ClickMeterClient
from config import SlackSettings, load_group
from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET, BotDriver
from devtools.localslack.models import Message
from devtools.localslack.signed import block_actions_body, slash_command_body
from devtools.sandbox.serving import ThreadedServer
from storage import Database
from tests.alerts.deliver.helpers import slack_receivers
from tests.alerts.engine.conftest import SandboxClock
from tests.conftest import Sandbox

POLL = 300.0
GENERAL = "C0GENERAL"
#: The webhook receiver runs on 127.0.0.1, as with WEBHOOK_ALLOW_LOOPBACK=true.
LOCAL_WEBHOOKS = AddressPolicy(allow_loopback=True)
TO_GENERAL = "to <#C0GENERAL|general>"


@dataclass(frozen=True)
class Received:
    """One request the local webhook receiver got: its headers and raw body."""

    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.body)
        return event

    def verifies(self, secret: str) -> bool:
        return verify_signature(
            secret,
            self.headers[TIMESTAMP_HEADER.lower()],
            self.body,
            self.headers[SIGNATURE_HEADER.lower()],
        )


@dataclass
class HookRecorder:
    """A tiny Starlette app on 127.0.0.1 that keeps every POST to /hook."""

    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        async def hook(request: Request) -> Response:
            body = await request.body()
            with self.lock:
                self.received.append(Received(dict(request.headers), body))
            return Response(status_code=204)

        return Starlette(routes=[Route("/hook", hook, methods=["POST"])])

    def events(self) -> list[Received]:
        with self.lock:
            return list(self.received)


@dataclass
class Stack:
    """The bot, the engine and the sender on one database; the sandbox, Slack and a webhook."""

    sandbox: Sandbox
    clock: SandboxClock
    bot: BotDriver
    db: Database
    poller: Poller
    slack_receivers: list[Receiver]
    hooks: HookRecorder
    hook_url: str
    reports: list[CycleReport] = field(default_factory=list)

    @property
    def slack(self) -> MockSlackServer:
        return self.bot.slack

    def ask(self, text: str) -> dict[str, Any]:
        """`/clickmeter text` from alice in #general: the answer on the response_url."""
        response_url = self.slack.response_url()
        body = slash_command_body(text, response_url=response_url, channel_id=GENERAL)
        ack = self.bot.post(body)
        assert ack.status_code == 200, ack.text
        return self.bot.wait_answer(response_url, 15.0)

    def add_rule(self, text: str) -> int:
        """`/clickmeter alert add text`: the new rule's id, from the answer."""
        answer = self.ask(f"alert add {text}")
        found = re.match(r":white_check_mark: Alert #(\d+):", answer["text"])
        assert found is not None, answer["text"]
        return int(found.group(1))

    def add_webhook(self) -> str:
        """`/clickmeter alert webhook add <local receiver>`: the secret, shown once."""
        answer = self.ask(f"alert webhook add {self.hook_url}")
        secrets = re.findall(r"`([A-Za-z0-9_\-]{32,})`", json.dumps(answer["blocks"]))
        assert len(secrets) == 1, answer
        secret: str = secrets[0]
        return secret

    def click(self, action_id: str, value: str) -> dict[str, Any]:
        """Click a button of an alert post in #general: the private answer."""
        response_url = self.slack.response_url()
        body = block_actions_body(
            action_id,
            value=value,
            response_url=response_url,
            block_id="alert_actions",
            channel_id=GENERAL,
        )
        assert self.bot.post(body).status_code == 200
        return self.bot.wait_answer(response_url, 15.0)

    async def cycle(self, advance: float = POLL) -> CycleReport:
        """Move the sandbox clock on, run one poll cycle, then one pass of the sender."""
        if advance:
            self.clock.advance(advance)
        report = await self.poller.run_cycle()
        assert report.ok, report
        self.reports.append(report)
        webhooks = WebhookReceiver(policy=LOCAL_WEBHOOKS)
        await deliver_once(self.db, [*self.slack_receivers, webhooks])
        return report

    async def cycles(self, count: int) -> None:
        for _ in range(count):
            await self.cycle()

    def posts(self) -> list[Message]:
        """The bot's top-level messages in #general (thread replies left out)."""
        return self.slack.slack.messages(GENERAL, include_replies=False)

    def replies(self, parent: Message) -> list[Message]:
        return [
            m for m in self.slack.slack.messages(GENERAL) if m.is_reply and m.thread_ts == parent.ts
        ]

    def webhook_types(self) -> list[str]:
        return [r.event["type"] for r in self.hooks.events()]

    def links(self) -> list[dict[str, Any]]:
        """The live tracking links, busiest today first."""
        links = [
            d for d in self.sandbox.state()["datapoints"] if d["type"] == 0 and d["status"] == 0
        ]
        return sorted(links, key=lambda d: -d["today_clicks"])

    async def until_posted(self, count: int, cycles: int) -> int:
        """Run cycles until #general holds `count` top-level posts; how many cycles it took."""
        for n in range(1, cycles + 1):
            await self.cycle()
            if len(self.posts()) >= count:
                return n
        raise AssertionError(f"{count} post(s) expected within {cycles} cycles: {self.posts()}")

    async def until_resolved(self, cycles: int) -> int:
        for n in range(1, cycles + 1):
            await self.cycle()
            if any(r.tally.resolved for r in self.reports[-1:]):
                return n
        raise AssertionError(f"not resolved within {cycles} cycles: {self.reports[-cycles:]}")


@pytest.fixture
async def stack(
    request: pytest.FixtureRequest,
    make_sandbox: Callable[..., Sandbox],
    mock_slack: MockSlackServer,
    tmp_path: Path,
) -> AsyncIterator[Stack]:
    """The stack on a fresh sandbox of 30 links (`indirect` parametrisation: another size)."""
    sandbox = make_sandbox(datapoints=getattr(request, "param", 30))
    clock = SandboxClock(sandbox)
    url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    settings = load_group(
        SlackSettings,
        slack_bot_token=mock_slack.token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=mock_slack.api_url,
        slack_app_token=None,
    )
    services = Services(
        clickmeter=ClickMeterClient(
            sandbox.api_key, base_url=sandbox.url, requests_per_second=None
        ),
        db=Database(url),
        now=clock,
        poll_seconds=POLL,
        webhook_policy=LOCAL_WEBHOOKS,
    )
    hooks = HookRecorder()
    client = ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, requests_per_second=None, max_attempts=1, timeout=5.0
    )
    with (
        ThreadedServer(create_web_app(settings, services)) as server,
        ThreadedServer(hooks.app()) as receiver,
        httpx.Client(timeout=15) as http,
    ):
        db = Database(url)
        await db.migrate()  # the app did it at start-up: a no-op
        slack = slack_receivers(
            SlackPoster(mock_slack.token, base_url=mock_slack.api_url, per_channel_interval=0)
        )
        poller = Poller(db, client, EngineConfig(poll_seconds=POLL), clock=clock)
        yield Stack(
            sandbox,
            clock,
            BotDriver(server.url, mock_slack, http, SIGNING_SECRET),
            db,
            poller,
            slack,
            hooks,
            f"{receiver.url}/hook",
        )
        await db.dispose()
        await client.aclose()


def alert_of(message: Message) -> dict[str, Any]:
    """The message's metadata payload; asserts it is an alert's tag."""
    assert message.metadata is not None
    assert message.metadata["event_type"] == METADATA_EVENT_TYPE
    payload: dict[str, Any] = message.metadata["event_payload"]
    return payload


def button_value(message: Message, action_id: str) -> str:
    for block in message.blocks or []:
        for element in block.get("elements") or [] if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                value: str = element["value"]
                return value
    raise AssertionError(f"no {action_id} button on {message.text!r}")


async def test_spike_fires_once_resolves_and_the_webhook_verifies(stack: Stack) -> None:
    link = stack.links()[0]
    rule = stack.add_rule(f"link {link['name']} spike high {TO_GENERAL}")
    secret = stack.add_webhook()
    await stack.cycle(0)  # the first snapshot
    await stack.cycles(3)  # normal traffic
    assert stack.posts() == []
    assert stack.hooks.events() == []

    # 15 minutes: the spike outlasts the cycle that sees it.
    stack.sandbox.control(
        "spike", {"datapoint_id": link["id"], "clicks_per_minute": 40, "minutes": 15}
    )
    assert await stack.until_posted(1, 2) <= 2
    assert len(stack.slack.slack.calls_to("chat.postMessage")) == 1
    (post,) = stack.posts()
    tag = alert_of(post)
    assert (tag["rule_id"], tag["kind"]) == (rule, "firing")
    assert link["name"] in post.text
    (fired,) = stack.hooks.events()
    assert fired.event["type"] == "alert.firing"
    assert fired.event["rule_id"] == rule
    assert fired.verifies(secret)
    assert not fired.verifies(secret[::-1])

    # While the spike lasts: the same post (edited at most), nothing new.
    await stack.cycle()
    assert len(stack.posts()) == 1
    assert stack.webhook_types() == ["alert.firing"]

    await stack.until_resolved(8)
    (post,) = stack.posts()
    assert post.edited_ts is not None
    assert "Resolved" in post.text
    (reply,) = stack.replies(post)
    assert "Resolved" in reply.text
    assert stack.webhook_types() == ["alert.firing", "alert.resolved"]
    assert all(r.verifies(secret) for r in stack.hooks.events())
    # Long after: nothing more said.
    await stack.cycles(2)
    assert len(stack.posts()) == 1
    assert len(stack.slack.slack.calls_to("chat.postMessage")) == 2  # the post and the reply


async def test_threshold_rule_fires_once_and_resolves(stack: Stack) -> None:
    link = stack.links()[0]
    before = link["today_clicks"]
    await stack.cycle(0)
    await stack.cycles(3)  # 15 minutes of normal traffic, measured
    normal = next(d for d in stack.links() if d["id"] == link["id"])["today_clicks"] - before
    limit = max(3 * normal, normal + 30)
    rule = stack.add_rule(f"link {link['name']} clicks > {limit} per 15m {TO_GENERAL}")
    await stack.cycles(2)
    assert stack.posts() == []

    per_minute = limit // 5 + 10  # over the limit within 10 minutes, whatever the window
    stack.sandbox.control(
        "spike", {"datapoint_id": link["id"], "clicks_per_minute": per_minute, "minutes": 10}
    )
    assert await stack.until_posted(1, 2) <= 2
    (post,) = stack.posts()
    assert (alert_of(post)["rule_id"], alert_of(post)["kind"]) == (rule, "firing")
    await stack.until_resolved(8)
    (post,) = stack.posts()
    assert "Resolved" in post.text
    assert len(stack.replies(post)) == 1


@pytest.mark.parametrize("stack", [200], indirect=True, ids=["200-links"])
async def test_drop_rule_fires_when_traffic_stops_and_resolves(stack: Stack) -> None:
    # No single sandbox link is busy enough for a drop to be told from Poisson noise (the
    # busiest gets about 8 clicks per 15 minutes), so the rule covers the busiest tag's links.
    today: dict[str, int] = {}
    for link in stack.links():
        for name in link["tags"]:
            today[name] = today.get(name, 0) + link["today_clicks"]
    tag = max(today, key=lambda name: today[name])
    rule = stack.add_rule(f"tag {tag} drop high {TO_GENERAL}")
    await stack.cycle(0)
    await stack.cycles(2)
    assert stack.posts() == []

    for link in stack.sandbox.state()["datapoints"]:
        if tag in link["tags"]:
            stack.sandbox.control("pause", {"datapoint_id": link["id"], "minutes": 40})
    assert await stack.until_posted(1, 5) <= 5  # a full window (3 x 5 min) of silence first
    (post,) = stack.posts()
    assert (alert_of(post)["rule_id"], alert_of(post)["kind"]) == (rule, "firing")
    await stack.until_resolved(10)  # the links resume after their pause
    (post,) = stack.posts()
    assert "Resolved" in post.text
    assert len(stack.replies(post)) == 1


async def test_a_muted_rule_stays_quiet_and_unmuting_announces_what_still_fires(
    stack: Stack,
) -> None:
    link = stack.links()[0]
    rule = stack.add_rule(f"link {link['name']} spike high {TO_GENERAL}")
    secret = stack.add_webhook()
    muted = stack.ask(f"alert mute {rule} 2h")
    assert "muted until" in muted["text"]
    await stack.cycle(0)
    await stack.cycle()

    stack.sandbox.control(
        "spike", {"datapoint_id": link["id"], "clicks_per_minute": 60, "minutes": 30}
    )
    await stack.cycles(2)
    assert any(r.tally.fired for r in stack.reports[-2:])  # the engine saw it...
    assert stack.posts() == []  # ...and said nothing
    assert stack.hooks.events() == []

    # Unmuted while the spike still lasts: the episode is announced, once.
    assert "is on again" in stack.ask(f"alert unmute {rule}")["text"]
    await stack.cycle()
    (post,) = stack.posts()
    assert alert_of(post)["kind"] == "firing"
    assert stack.webhook_types() == ["alert.firing"]
    assert stack.hooks.events()[0].verifies(secret)

    # The post's Mute 1h button mutes the rule again; the rest of the episode stays quiet.
    answer = stack.click(MUTE_1H_ACTION, button_value(post, MUTE_1H_ACTION))
    assert f"Alert #{rule} muted until" in answer["text"]
    await stack.cycles(2)
    assert len(stack.posts()) == 1
