"""Shared fixtures: the ClickMeter sandbox served over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from devtools.localslack import MockSlackServer
from devtools.sandbox import SandboxConfig, SandboxServer

SANDBOX_KEY = "0f6c1b2a-3d4e-4f50-8a9b-c0d1e2f3a4b5"
#: A fixed instant so the seeded account and its history are the same on every run.
SANDBOX_START = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)


@dataclass
class Sandbox:
    """A running sandbox: its base URL, its key, and helpers for the control endpoints."""

    url: str
    api_key: str
    server: SandboxServer
    #: A kept-alive client without the key (control endpoints, auth tests).
    raw: httpx.Client = field(init=False, repr=False)
    #: A kept-alive client with the key header: share it rather than opening new ones.
    api: httpx.Client = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.raw = httpx.Client(base_url=self.url, timeout=30)
        self.api = self.client()

    def control(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST to /_sandbox/<action> and return the JSON answer (raises on an error)."""
        response = self.raw.post(f"/_sandbox/{action}", json=body or {})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.raw.get("/_sandbox/state").json()
        return result

    def client(self, **kwargs: Any) -> httpx.Client:
        """An httpx client for the API, with the key header set."""
        return httpx.Client(
            base_url=self.url,
            headers={"X-Clickmeter-Authkey": self.api_key},
            timeout=30,
            **kwargs,
        )

    def close(self) -> None:
        self.raw.close()
        self.api.close()
        self.server.stop()


def _start(**overrides: Any) -> Sandbox:
    settings: dict[str, Any] = {
        "api_key": SANDBOX_KEY,
        "seed": 7,
        "datapoints": 60,
        "rate_limit": 0.0,
        "start": SANDBOX_START,
    }
    settings.update(overrides)
    freeze = settings.pop("frozen", True)
    server = SandboxServer(SandboxConfig(**settings)).start()
    sandbox = Sandbox(server.url, settings["api_key"], server)
    if freeze:
        sandbox.control("clock", {"frozen": True})
    return sandbox


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """One shared, frozen-clock sandbox (60 datapoints, no throttle). Don't mutate it:
    tests that spike, fault, move the clock or make links take their own from `make_sandbox`
    (it refuses writes, so no fuzzer or schemathesis case can change it)."""
    instance = _start(read_only=True)
    yield instance
    instance.close()


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Factory for a private sandbox: `make_sandbox(rate_limit=10, datapoints=20, ...)`.

    Accepts any SandboxConfig field, plus `frozen=False` to leave its clock running."""
    started: list[Sandbox] = []

    def factory(**overrides: Any) -> Sandbox:
        overrides.setdefault("datapoints", 30)
        instance = _start(**overrides)
        started.append(instance)
        return instance

    yield factory
    for instance in started:
        instance.close()


@pytest.fixture(scope="session")
def running_server() -> Iterator[MockSlackServer]:
    """The mock Slack Web API, one server for the session (tests reset its state)."""
    with MockSlackServer() as running:
        yield running


@pytest.fixture
def mock_slack(running_server: MockSlackServer) -> MockSlackServer:
    """The mock Slack server with fresh state for this test."""
    running_server.reset()
    return running_server
