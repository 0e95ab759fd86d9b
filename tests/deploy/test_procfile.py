"""The Procfile as a platform runs it: `web` and `worker` under honcho, against the sandbox.

Both are real processes started from the Procfile's own lines, configured only through the
environment, on a fresh PostgreSQL database (two processes may not share SQLite): the web
process serves /healthz, the worker polls ClickMeter and delivers an alert to Slack, and
SIGTERM stops both cleanly. `clickbot run` does both in one process, on SQLite.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devtools.localslack import MockSlackServer
from devtools.localslack.signed import TEAM_ID, USER_ID, signed_headers, slash_command_body
from storage import Database
from tests.conftest import Sandbox
from tests.deploy.environment import BIN, SIGNING_SECRET, deployment_env, start_clickbot
from tests.faults.harness import PostgresUnavailable, postgres_database
from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]
WORKER_ONLY = ("clickbot_poll_cycle", "clickbot_alerts_fired", "clickbot_deliveries")


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """The samples of a /metrics page, by name and labels."""
    text = httpx.get(url, timeout=5).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def polled_ok(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    return samples.get(("clickbot_poll_cycles_total", (("result", "ok"),)), 0.0)


def add_rule(database_url: str) -> None:
    async def go() -> None:
        async with Database(database_url) as db:
            await db.migrate()
            async with db.transaction() as tx:
                await tx.rules.add(
                    TEAM_ID,
                    created_by=USER_ID,
                    channel_id="C0GENERAL",
                    scope_kind="account",
                    scope_ref="account",
                    scope_label="the account",
                    condition="spike",
                    sensitivity="medium",
                )

    asyncio.run(go())


def wait_for(check: Callable[[], object], timeout: float, what: str) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with_value = check()
        if with_value:
            return with_value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database (skips without one, fails under CI)."""
    try:
        with postgres_database() as url:
            yield url
    except PostgresUnavailable as unavailable:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{unavailable}; CI must have it")
        pytest.skip(str(unavailable))


@pytest.fixture
def procfile_processes(
    make_sandbox: Callable[..., Sandbox],
    mock_slack: MockSlackServer,
    tmp_path: Path,
    postgres_url: str,
) -> Iterator[tuple[subprocess.Popen[str], str, str, str]]:
    sandbox = make_sandbox(frozen=False, start=None)
    database_url = postgres_url
    add_rule(database_url)
    port, worker_metrics_port = free_port(), free_port()
    env = deployment_env(
        sandbox,
        mock_slack,
        tmp_path,
        database_url,
        PORT=str(port),
        ALERT_POLL_SECONDS="30",
        LOG_FORMAT="json",
        WORKER_METRICS_PORT=str(worker_metrics_port),
    )
    honcho = subprocess.Popen(  # noqa: S603 - our own Procfile, under honcho
        [
            str(BIN / "honcho"),
            "-f",
            str(REPO / "Procfile"),
            "-d",
            str(tmp_path),
            "start",
            "web",
            "worker",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        yield (
            honcho,
            f"http://127.0.0.1:{port}",
            f"http://127.0.0.1:{worker_metrics_port}",
            sandbox.api_key,
        )
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait(10)


def test_web_and_worker_run_from_the_procfile(
    procfile_processes: tuple[subprocess.Popen[str], str, str, str], mock_slack: MockSlackServer
) -> None:
    honcho, web_url, worker_url, api_key = procfile_processes

    def health() -> dict[str, object] | None:
        try:
            answer = httpx.get(f"{web_url}/healthz", timeout=2)
        except httpx.TransportError:
            return None
        return answer.json() if answer.status_code == 200 else None

    # The web process is up and reads the database the worker writes: a poll is recorded.
    wait_for(health, 60, "the web process's /healthz")
    polled = wait_for(
        lambda: (h := health()) and h["scheduler"]["last_poll_at"],  # type: ignore[index]
        60,
        "the worker's first poll",
    )
    assert polled
    metrics = httpx.get(f"{web_url}/metrics", timeout=5).text
    assert "clickbot_outbox_depth" in metrics
    # The web process does not run the worker: it shows none of its series (it used to show
    # them as zeros). The worker serves them itself, on WORKER_METRICS_PORT, with its count.
    assert not [name for (name, _) in scrape(f"{web_url}/metrics") if name.startswith(WORKER_ONLY)]
    worker_metrics = scrape(f"{worker_url}/metrics")
    assert polled_ok(worker_metrics) >= 1
    assert any(name == "clickbot_clickmeter_requests_total" for (name, _) in worker_metrics)
    assert ("clickbot_outbox_depth", ()) not in worker_metrics  # the web process's, from the db

    # A signed `/clickmeter alert test 1` to the web process; the worker's sender posts it.
    response_url = mock_slack.response_url()
    body = slash_command_body("alert test 1", response_url=response_url)
    ack = httpx.post(
        f"{web_url}/slack/events",
        content=body,
        headers=signed_headers(SIGNING_SECRET, body),
        timeout=10,
    )
    assert ack.status_code == 200
    posted = mock_slack.slack.wait_for(lambda: mock_slack.slack.messages("C0GENERAL"), 30)
    assert len(posted) == 1
    assert "test" in posted[0].text.lower()

    honcho.send_signal(signal.SIGTERM)
    output, _ = honcho.communicate(timeout=60)
    assert honcho.returncode is not None
    assert "Traceback" not in output, output
    assert api_key not in output
    assert mock_slack.token not in output
    assert "web.1" in output
    assert "worker.1" in output


def test_run_serves_and_polls_in_one_process(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    """`clickbot run` without SLACK_APP_TOKEN: the app over HTTP and the worker, one process."""
    sandbox = make_sandbox(frozen=False, start=None)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    add_rule(database_url)
    port = free_port()
    env = deployment_env(
        sandbox, mock_slack, tmp_path, database_url, PORT=str(port), ALERT_POLL_SECONDS="30"
    )
    process = start_clickbot("run", env, tmp_path)
    try:

        def polled() -> object:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.TransportError:
                return None
            return answer.status_code == 200 and answer.json()["scheduler"]["last_poll_at"]

        assert wait_for(polled, 60, "a poll recorded by the one process")
        # Both run here: the app's /metrics shows the worker's series, live.
        assert polled_ok(scrape(f"http://127.0.0.1:{port}/metrics")) >= 1
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Traceback" not in output, output
    assert "the app in HTTP on port" in output
