"""The bot under test: the real web app over HTTP, the sandbox behind it, the Slack mock beside.

Commands arrive as Slack sends them: form bodies signed with the signing secret. The driver
lives in `devtools.localslack.driver` so the terminal demo runs the very same path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from devtools.localslack import MockSlackServer
from devtools.localslack.driver import SIGNING_SECRET, BotDriver
from devtools.localslack.driver import running_bot as _running_bot

__all__ = ["SIGNING_SECRET", "BotUnderTest", "running_bot"]

BotUnderTest = BotDriver


@contextmanager
def running_bot(
    sandbox_url: str, api_key: str, slack: MockSlackServer, **client_options: Any
) -> Iterator[BotDriver]:
    """The bot against the (unthrottled) test sandbox: no client-side pacing unless asked."""
    options: dict[str, Any] = {"requests_per_second": None, **client_options}
    with _running_bot(sandbox_url, api_key, slack, **options) as bot:
        yield bot
