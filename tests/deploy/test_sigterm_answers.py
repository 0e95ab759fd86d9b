"""SIGTERM to the web process while a command's answer is being built: the answer still comes.

A real `clickbot web` process, a sandbox that takes 3 s per request. A `/clickmeter stats` is
acknowledged, SIGTERM follows at once: the process waits for the answer (it used to close the
ClickMeter client and the database under it) and only then exits.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from pathlib import Path

import httpx

from bot.inflight import AnswersInFlight
from devtools.localslack import MockSlackServer
from devtools.localslack.signed import signed_headers, slash_command_body
from tests.conftest import Sandbox
from tests.deploy.environment import SIGNING_SECRET, deployment_env, start_clickbot
from tests.deploy.test_procfile import wait_for
from tests.servers import free_port

CLICKMETER_LATENCY_MS = 3000


def test_a_command_acked_before_sigterm_is_answered(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, tmp_path: Path
) -> None:
    sandbox = make_sandbox()
    port = free_port()
    env = deployment_env(
        sandbox, mock_slack, tmp_path, f"sqlite:///{tmp_path / 'clickbot.db'}", PORT=str(port)
    )
    web = start_clickbot("web", env, tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:

        def up() -> bool:
            try:
                return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_for(up, 60, "the web process's /healthz")
        sandbox.control("faults", {"latency_ms": CLICKMETER_LATENCY_MS})
        response_url = mock_slack.response_url()
        body = slash_command_body("stats", response_url=response_url)
        ack = httpx.post(
            f"{url}/slack/events",
            content=body,
            headers=signed_headers(SIGNING_SECRET, body),
            timeout=10,
        )
        assert ack.status_code == 200
        web.send_signal(signal.SIGTERM)  # the answer is waiting on ClickMeter
        output, _ = web.communicate(timeout=60)
    finally:
        if web.poll() is None:
            web.kill()
    # uvicorn ends the process with the signal it stopped on, once it is done.
    assert web.returncode == -signal.SIGTERM, output
    assert "Traceback" not in output, output
    answers = mock_slack.slack.responses_to(response_url)
    assert len(answers) == 1, output
    text = answers[0].body["text"]
    assert "Clicks" in text or "clicks" in text, text
    assert "ClickMeter" not in text or "try again" not in text.lower(), text


def test_the_wait_is_bounded_and_stragglers_are_cancelled() -> None:
    """An answer that would never finish does not hold shutdown: it is cancelled at the bound."""
    answers = AnswersInFlight()
    finished: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0)
        finished.append("quick")

    async def stuck() -> None:
        await asyncio.Event().wait()

    async def go() -> tuple[int, bool]:
        answers.start(quick())
        straggler = answers.start(stuck())
        left = await answers.drain(within=0.05)
        return left, straggler.cancelled()

    assert asyncio.run(go()) == (1, True)
    assert finished == ["quick"]
    assert len(answers) == 0
