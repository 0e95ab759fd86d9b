"""The alert worker's jobs, run by the demo in-process and on demand: poll cycles on the
sandbox's frozen clock, each followed by a pass of the sender."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from alerts.deliver import (
    DeliveryReport,
    SlackPoster,
    SlackPostReceiver,
    SlackUpdateReceiver,
    WebhookReceiver,
    deliver_once,
)
from alerts.deliver.digest import DigestReceiver
from alerts.engine import CycleReport, EngineConfig, Poller
from clickmeter import ClickMeterClient
from devtools.localslack import MockSlackServer
from storage import Database

#: The alert poller's interval in the demo (sandbox time: the clock is moved, not waited on).
POLL_SECONDS = 300.0


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
        slack = SlackPoster(self.slack.token, base_url=self.slack.api_url, per_channel_interval=0)
        return [
            SlackPostReceiver(slack),
            SlackUpdateReceiver(slack),
            DigestReceiver(slack),
            WebhookReceiver(),
        ]

    @staticmethod
    def _clock(control: httpx.Client, body: dict[str, Any]) -> datetime:
        response = control.post("/_sandbox/clock", json=body)
        response.raise_for_status()
        return datetime.fromisoformat(response.json()["now"])
