"""Questions in plain words with several `clickbot web` replicas on one database (SQLite, and
PostgreSQL as in production): the same event reaching two of them is answered once."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest

from devtools.localslack import MockSlackServer
from devtools.localslack.events import direct_message_body, mention_body
from devtools.localslack.models import BOT_USER_ID
from tests.bot.harness import BotUnderTest, running_bot
from tests.conftest import Sandbox
from tests.storage.conftest import (  # noqa: F401 - fixtures
    Backend,
    backend,
    postgres_schema,
    sqlite_template,
)


@pytest.fixture
async def replicas(
    backend: Backend,  # noqa: F811 - the fixture imported above
    sandbox: Sandbox,
    mock_slack: MockSlackServer,
) -> AsyncIterator[list[BotUnderTest]]:
    """Two web apps, each with its own `Database` on the one backend (and its own memory)."""

    def started() -> Iterator[list[BotUnderTest]]:
        with ExitStack() as stack:
            yield [
                stack.enter_context(
                    running_bot(sandbox.url, sandbox.api_key, mock_slack, db=backend.open())
                )
                for _ in range(2)
            ]

    bots = started()
    yield next(bots)
    next(bots, None)


def test_the_same_mention_sent_to_two_replicas_is_answered_once(
    replicas: list[BotUnderTest],
) -> None:
    first, second = replicas
    asked = []
    for round_ in range(6):
        message = first.slack.slack.post_user_message("C0GENERAL", f"<@{BOT_USER_ID}> clicks today")
        body = mention_body(message)
        # Both at once (a retry racing its first attempt); which replica goes first alternates.
        order = replicas if round_ % 2 == 0 else replicas[::-1]
        with ThreadPoolExecutor(2) as pool:
            acks = list(pool.map(BotUnderTest.send_event, order, [body, body]))
        assert [ack.status_code for ack in acks] == [200, 200]
        asked.append(message)
    for message in asked:
        first.wait_thread_reply(message)
    first.wait_idle()
    second.wait_idle()
    assert [len(first.thread_replies(message)) for message in asked] == [1] * len(asked)


def test_a_retry_landing_on_another_replica_is_not_answered_again(
    replicas: list[BotUnderTest],
) -> None:
    first, second = replicas
    message = first.slack.slack.post_user_message("U0ALICE", "clicks yesterday")
    body = direct_message_body(message)
    assert first.send_event(body).status_code == 200
    reply = first.wait_thread_reply(message)
    first.wait_idle()
    # Slack saw the connection fail and retries elsewhere: that replica never saw the message.
    assert second.send_event(body, retry=1, reason="connection_failed").status_code == 200
    second.wait_idle()
    assert first.thread_replies(message) == [reply]
