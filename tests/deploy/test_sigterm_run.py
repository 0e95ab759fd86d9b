"""SIGTERM to `clickbot run` (the app and the worker in one process) during a poll cycle: the
cycle finishes on open services, and only then are the ClickMeter client and the database
closed. The web app's shutdown used to close them while the worker was still polling."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import httpx

from devtools.localslack import MockSlackServer
from storage import Database
from storage.polling import PollOverview
from tests.conftest import Sandbox
from tests.deploy.environment import deployment_env, start_clickbot
from tests.deploy.test_procfile import add_rule, scrape, wait_for
from tests.servers import free_port

CLICKMETER_LATENCY_MS = 2000


def poll_overview(database_url: str) -> PollOverview:
    async def go() -> PollOverview:
        async with Database(database_url) as db, db.transaction() as tx:
            return await tx.polls.overview()

    return asyncio.run(go())


def test_sigterm_mid_poll_lets_the_cycle_finish(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    sandbox = make_sandbox()
    sandbox.control("faults", {"latency_ms": CLICKMETER_LATENCY_MS})
    database_url = f"sqlite:///{tmp_path / 'clickbot.db'}"
    add_rule(database_url)
    port = free_port()
    env = deployment_env(
        sandbox, mock_slack, tmp_path, database_url, PORT=str(port), ALERT_POLL_SECONDS="300"
    )
    process = start_clickbot("run", env, tmp_path)
    metrics = f"http://127.0.0.1:{port}/metrics"
    try:

        def mid_cycle() -> bool:
            # A ClickMeter call has come back and the cycle has not ended: it is in flight.
            try:
                samples = scrape(metrics)
            except httpx.TransportError:
                return False
            calls = sum(
                v
                for (name, _), v in samples.items()
                if name == "clickbot_clickmeter_requests_total"
            )
            cycles = sum(
                v for (name, _), v in samples.items() if name == "clickbot_poll_cycles_total"
            )
            return calls >= 1 and cycles == 0

        wait_for(mid_cycle, 60, "a poll cycle in flight")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    overview = poll_overview(database_url)
    assert overview.consecutive_failures == 0, output
    assert overview.last_success_at is not None, output
