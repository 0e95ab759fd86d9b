from __future__ import annotations

from collections.abc import Iterator

import pytest

from devtools.localslack import MockSlackServer
from tests.bot.harness import BotUnderTest, running_bot
from tests.conftest import Sandbox


@pytest.fixture
def bot(sandbox: Sandbox, mock_slack: MockSlackServer) -> Iterator[BotUnderTest]:
    with running_bot(sandbox.url, sandbox.api_key, mock_slack) as running:
        yield running
