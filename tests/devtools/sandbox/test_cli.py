"""`clickbot sandbox` as a user starts it: its flags reach the served account."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.servers import free_port

CLICKBOT = str(Path(sys.executable).parent / "clickbot")
KEY = "0f8fad5b-d9cb-469f-a165-70867728950e"


def test_the_command_serves_the_configured_account() -> None:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own console script
        [
            CLICKBOT,
            "sandbox",
            "--port",
            str(port),
            "--api-key",
            KEY,
            "--seed",
            "3",
            "--datapoints",
            "25",
            "--timezone",
            "Mountain Standard Time",
            "--rate-limit",
            "0",
            "--max-datapoints",
            "40",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        me = None
        while time.monotonic() < deadline and me is None:
            try:
                answer = httpx.get(
                    f"http://127.0.0.1:{port}/me", headers={"X-Clickmeter-Authkey": KEY}
                )
                me = answer.json()
            except httpx.TransportError:
                time.sleep(0.2)
        assert me is not None, "the sandbox did not start"
        assert me["timezonename"] == "Mountain Standard Time"
        count = httpx.get(
            f"http://127.0.0.1:{port}/datapoints/count", headers={"X-Clickmeter-Authkey": KEY}
        ).json()
        assert count == {"count": 25}
        plan = httpx.get(
            f"http://127.0.0.1:{port}/me/plan", headers={"X-Clickmeter-Authkey": KEY}
        ).json()
        assert plan["maximumDatapoints"] == 40
        refused = httpx.get(f"http://127.0.0.1:{port}/me")
        assert refused.status_code == 401
    finally:
        process.terminate()
        process.wait(10)


def test_an_unknown_timezone_is_refused_with_one_line() -> None:
    done = subprocess.run(  # noqa: S603
        [CLICKBOT, "sandbox", "--timezone", "Mars Standard Time"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Unknown time zone 'Mars Standard Time'" in done.stderr
    assert "Traceback" not in done.stderr
