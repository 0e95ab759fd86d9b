"""The `stack` fixture: a fresh PostgreSQL database, the sandbox, the local Slack and a tarpit,
for the clickbot processes a test starts. On the way out every log those processes wrote is
read: a secret, a request body, a response URL, SQL parameters or a traceback fails the test.

PostgreSQL is the server of CLICKBOT_TEST_POSTGRES_URL (default 127.0.0.1:5432, trust auth);
when it cannot be reached the suite skips, saying so, except under CI (CI=true), which has it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.faults.harness import PostgresUnavailable, Stack, postgres_database


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    with ExitStack() as resources:
        try:
            url = resources.enter_context(postgres_database())
        except PostgresUnavailable as unavailable:
            if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
                pytest.fail(f"{unavailable}; CI must have it")
            pytest.skip(str(unavailable))
        running = resources.enter_context(Stack.open(tmp_path, url))
        yield running
        for process in running.processes:
            process.stop()
        leaks = running.leaks()
    assert leaks == [], "the logs hold what they must not:\n" + "\n".join(leaks)
