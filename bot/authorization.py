"""Who the bot is in Slack, learnt once with `auth.test` and shared by every request.

Bolt's single-workspace authorization calls `auth.test` on the first request, and every request
that arrives before that answer calls it again: a cold burst of slash commands all wait on
Slack. Here one call serves everyone (single flight), and `warm()` makes it at start-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


class CachedAuthorization:
    """A Bolt `authorize` function for one bot token, with `auth.test` cached."""

    def __init__(self, client: AsyncWebClient, bot_token: str) -> None:
        self._client = client
        self._bot_token = bot_token
        self._result: AuthorizeResult | None = None
        self._pending: asyncio.Future[AuthorizeResult] | None = None

    async def warm(self) -> None:
        """Learn the bot's identity now; a failure is logged and retried on the next request."""
        try:
            await self._authorize()
        except Exception as exc:  # a start-up must not die because Slack is briefly away
            log.warning("auth.test failed at start-up (%s); retrying on first request", exc)

    def as_bolt_authorize(self) -> Callable[[], Awaitable[AuthorizeResult]]:
        """The function to give Bolt as `authorize`.

        Bolt passes arguments by the names it finds in the function's signature, so it gets a
        plain function without any (a method would be offered `self`).
        """

        async def authorize() -> AuthorizeResult:
            return await self._authorize()

        return authorize

    async def _authorize(self) -> AuthorizeResult:
        if self._result is not None:
            return self._result
        if self._pending is None or (self._pending.done() and self._pending.exception()):
            self._pending = asyncio.ensure_future(self._auth_test())
        return await asyncio.shield(self._pending)

    async def _auth_test(self) -> AuthorizeResult:
        response = await self._client.auth_test(token=self._bot_token)
        self._result = AuthorizeResult.from_auth_test_response(
            auth_test_response=response, bot_token=self._bot_token
        )
        return self._result
