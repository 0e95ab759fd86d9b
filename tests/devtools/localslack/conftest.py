"""Fixtures: one mock Slack server, with fresh state per test, and a slack_sdk client."""

from __future__ import annotations

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlack, MockSlackServer


@pytest.fixture
def server(running_server: MockSlackServer) -> MockSlackServer:
    """The shared server, serving a fresh `MockSlack` for this test."""
    running_server.reset()
    return running_server


@pytest.fixture
def slack(server: MockSlackServer) -> MockSlack:
    return server.slack


@pytest.fixture
def client(server: MockSlackServer) -> AsyncWebClient:
    return AsyncWebClient(token=server.token, base_url=server.api_url, timeout=5)
