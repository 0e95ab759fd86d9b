"""The answers being built: Bolt's lazy listeners, tracked so shutdown can wait for them.

Bolt starts each lazy listener (a slash command's answer, a button's update) as a bare asyncio
task and forgets it. On SIGTERM the services they use (the ClickMeter client, the database)
would be closed under them, and a command acked a moment before would never be answered.
`AnswersInFlight` keeps those tasks; `Services.aclose` waits for them, with a bound, first.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from slack_bolt.lazy_listener.async_internals import to_runnable_function
from slack_bolt.lazy_listener.asyncio_runner import AsyncioLazyListenerRunner
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger(__name__)


class AnswersInFlight:
    """Tasks started through `start` that have not finished yet."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def start(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def drain(self, within: float) -> int:
        """Wait up to `within` seconds for every task (new ones started meanwhile included);
        cancel what is left and return how many that was."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        unfinished = list(self._tasks)
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.wait(unfinished)
            log.warning(
                "stopped %d answer(s) still being built after %.0f s: those commands were "
                "acknowledged but not answered",
                len(unfinished),
                within,
            )
        return len(unfinished)


class TrackedLazyListenerRunner(AsyncioLazyListenerRunner):
    """Bolt's asyncio lazy-listener runner, with each listener's task kept in `answers`."""

    def __init__(self, logger: logging.Logger, answers: AnswersInFlight) -> None:
        super().__init__(logger)
        self.answers = answers

    def start(self, function: Callable[..., Awaitable[None]], request: AsyncBoltRequest) -> None:
        self.answers.start(
            to_runnable_function(internal_func=function, logger=self.logger, request=request)
        )
