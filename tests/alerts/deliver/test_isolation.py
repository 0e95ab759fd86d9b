"""One slow receiver cannot hold the others: every send has an overall deadline, and webhooks
and Slack have senders of their own. The slow receiver is a tarpit on 127.0.0.1 that accepts
a webhook's POST and answers one header byte, then nothing until the test lets it go."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from alerts.deliver import Receiver, WebhookReceiver, deliver_once, run_sender
from alerts.deliver.addresses import AddressPolicy
from alerts.outbox import enqueue_webhook
from storage import Database
from tests.alerts.deliver.helpers import CREATOR, TEAM, fire, item, notice, wait_until_sent

#: The tarpit listens on this machine, which webhooks may reach only in local development.
LOCAL = AddressPolicy(allow_loopback=True)


@dataclass
class Tarpit:
    """A receiver that trickles: one byte of a status line, then waits for `release`."""

    port: int = 0
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"H")
            await writer.drain()
            self.connected.set()
            await self.release.wait()
        writer.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"


@pytest.fixture
async def tarpit() -> AsyncIterator[Tarpit]:
    pit = Tarpit()
    server = await asyncio.start_server(pit.handle, "127.0.0.1", 0)
    pit.port = server.sockets[0].getsockname()[1]
    try:
        yield pit
    finally:
        pit.release.set()
        server.close()
        await server.wait_closed()


async def queue_webhook(db: Database, url: str) -> int:
    async with db.transaction() as tx:
        webhook = await tx.webhooks.add(TEAM, url=url, created_by=CREATOR)
        queued = await enqueue_webhook(
            tx, notice(rule_id=None), webhook.id, dedupe_key=f"webhook:{webhook.id}"
        )
        return queued.id


async def test_a_send_past_its_deadline_is_retried_not_waited_for(
    db: Database, tarpit: Tarpit
) -> None:
    item_id = await queue_webhook(db, tarpit.url)
    # The receiver's own read timeout would wait an hour for the next byte; the deadline not.
    receiver = WebhookReceiver(timeout=3600, policy=LOCAL)
    # Long enough to connect on a loaded machine (making the first client can take 0.3 s).
    report = await deliver_once(db, [receiver], deadline=1.5)
    assert tarpit.connected.is_set()
    assert report.retried == [item_id]
    retried = await item(db, item_id)
    assert retried.status == "failed"
    assert retried.last_error == "no answer within 1.5s"


async def test_a_tarpit_webhook_does_not_hold_slack_deliveries(
    db: Database, tarpit: Tarpit, slack: list[Receiver]
) -> None:
    webhook_item = await queue_webhook(db, tarpit.url)
    stop, wake = asyncio.Event(), asyncio.Event()
    receivers: list[Receiver] = [WebhookReceiver(timeout=3600, policy=LOCAL), *slack]
    sender = asyncio.create_task(
        run_sender(db, receivers, stop, interval=0.05, wake=wake, deadline=3600)
    )
    try:
        await asyncio.wait_for(tarpit.connected.wait(), timeout=10)
        # The webhook's pass is stuck in the tarpit; an alert queued now goes out anyway.
        post = (await fire(db)).post_id
        wake.set()
        await wait_until_sent(db, post)
        assert (await item(db, webhook_item)).status == "sending"
    finally:
        stop.set()
        tarpit.release.set()
        await asyncio.wait_for(sender, timeout=30)
