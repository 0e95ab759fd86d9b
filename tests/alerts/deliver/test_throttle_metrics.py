"""Slack's rate limits on the worker's metrics page: a post the local Slack turns away with 429
is counted in `clickbot_slack_throttled_total`, by receiver, as the worker serves it (the
sender reports to the Prometheus observer; the page is prometheus_client's, on its own port)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client import start_http_server
from prometheus_client.parser import text_string_to_metric_families

from alerts.deliver import Receiver, run_sender
from bot.metrics import WORKER_REGISTRY, PrometheusObserver
from devtools.localslack import MockSlackServer
from storage import Database
from tests.alerts.deliver.helpers import fire, wait_until_sent
from tests.servers import free_port


@pytest.fixture
def worker_metrics() -> Iterator[str]:
    """The worker's metrics page, served as `clickbot worker` serves it."""
    port = free_port()
    server, thread = start_http_server(port, addr="127.0.0.1", registry=WORKER_REGISTRY)
    yield f"http://127.0.0.1:{port}/metrics"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


async def throttled(url: str, receiver: str) -> float:
    async with httpx.AsyncClient() as http:
        text = (await http.get(url)).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "clickbot_slack_throttled_total" and sample.labels == {
                "receiver": receiver
            }:
                return sample.value
    return 0.0


async def test_a_rate_limited_post_is_counted_once_by_receiver(
    db: Database, mock_slack: MockSlackServer, slack: list[Receiver], worker_metrics: str
) -> None:
    before = await throttled(worker_metrics, "slack.post")
    updates_before = await throttled(worker_metrics, "slack.update")
    post = (await fire(db, "C0GENERAL")).post_id
    mock_slack.slack.rate_limit(retry_after=1, method="chat.postMessage")
    stop = asyncio.Event()
    sender = asyncio.create_task(
        run_sender(db, slack, stop, interval=0.05, observer=PrometheusObserver())
    )
    try:
        await wait_until_sent(db, post)
    finally:
        stop.set()
        await asyncio.wait_for(sender, timeout=5)
    assert [c.status for c in mock_slack.slack.calls_to("chat.postMessage")] == [429, 200]
    assert await throttled(worker_metrics, "slack.post") - before == 1
    assert await throttled(worker_metrics, "slack.update") == updates_before
