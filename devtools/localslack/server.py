"""Serve a `MockSlack` over real HTTP on 127.0.0.1 (a free port) from a background thread."""

from __future__ import annotations

import logging
from contextlib import ExitStack
from types import TracebackType

from starlette.types import Receive, Scope, Send

from devtools.localslack.app import MockSlack
from devtools.sandbox.serving import serve_in_thread


class _HideInjectedDisconnects(logging.Filter):
    """uvicorn complains about each injected disconnect; those are on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "returned without starting response" not in record.getMessage()


_HIDE_DISCONNECTS = _HideInjectedDisconnects()


class MockSlackServer:
    """`with MockSlackServer() as server:` → `server.api_url` for `AsyncWebClient(base_url=...)`.

    `server.slack` is the `MockSlack` state (calls, messages, faults) to assert on.
    """

    def __init__(self, slack: MockSlack | None = None, *, log_level: str = "warning") -> None:
        self.slack = slack if slack is not None else MockSlack()
        self._app = self.slack.app()
        self._log_level = log_level
        self._stack = ExitStack()
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (no trailing slash)."""
        if self._base_url is None:
            raise RuntimeError("MockSlackServer is not running")
        return self._base_url

    @property
    def api_url(self) -> str:
        """`http://127.0.0.1:PORT/api/`: the value for SLACK_API_URL / `base_url=`."""
        return f"{self.base_url}/api/"

    @property
    def token(self) -> str:
        return self.slack.bot_token

    @property
    def app_token(self) -> str:
        """The app-level token (xapp-...) that apps.connections.open accepts."""
        return self.slack.app_token

    def response_url(
        self,
        *,
        channel: str | None = "C0GENERAL",
        user: str | None = "U0ALICE",
        message_ts: str | None = None,
    ) -> str:
        """Mint a response URL served by this server."""
        return self.slack.mint_response_url(channel=channel, user=user, message_ts=message_ts)

    def reset(self, slack: MockSlack | None = None) -> MockSlack:
        """Serve a fresh (or the given) `MockSlack` from now on, on the same URL.

        Cheaper than a new server per test: start one, reset it before each test.
        """
        fresh = slack if slack is not None else MockSlack()
        if self._base_url is not None:
            fresh.base_url = self._base_url
        self.slack, self._app = fresh, fresh.app()
        return fresh

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI: hand the request to the current `MockSlack`."""
        await self._app(scope, receive, send)

    def start(self) -> MockSlackServer:
        self._base_url = self._stack.enter_context(serve_in_thread(self, log_level=self._log_level))
        self.slack.base_url = self._base_url
        logging.getLogger("uvicorn.error").addFilter(_HIDE_DISCONNECTS)
        return self

    def stop(self) -> None:
        self._stack.close()
        self._base_url = None

    def __enter__(self) -> MockSlackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
