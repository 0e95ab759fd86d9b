"""ClickMeter's 10 requests/s per key held across processes: two real processes with the
deployment's pacing (`bot.pacing`) send ClickMeter requests at once to a sandbox that enforces
the limit itself (`rate_limit=10`, per client address: both are 127.0.0.1). Shared through
Redis or PostgreSQL, the sandbox refuses none; paced each on its own (SQLite, one process's
pacing), together they run at twice the rate and it refuses some: the control that shows the
test can fail. The sandbox's counters are the judge, not timings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import redis
from pyrate_limiter.buckets.state_bucket import InMemoryStateStore

from clickmeter import SharedPacers
from clickmeter._throttle import key_fingerprint
from tests.conftest import Sandbox

#: Per process: together, at 9/s each without sharing, well past the sandbox's burst of 10.
REQUESTS = 25
REDIS_URL = os.environ.get("CLICKBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except (redis.RedisError, OSError):
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis at {REDIS_URL} must run under CI (.ci/run starts it)")
        pytest.skip(f"no Redis at {REDIS_URL} (set CLICKBOT_TEST_REDIS_URL)")
    return REDIS_URL


def _run_two(sandbox: Sandbox, database: list[str], env: dict[str, str]) -> dict[str, float]:
    start_at = f"{time.time() + 6:.3f}"  # both started (imports done) by then
    command = [sys.executable, "-m", "tests.storage.pacing_process", sandbox.url]
    arguments = [sandbox.api_key, str(REQUESTS), start_at, *database]
    environment = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    environment.pop("REDIS_URL", None)
    environment.update(env)
    processes = [
        subprocess.Popen(  # noqa: S603 - our own test process
            command + arguments, env=environment, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    counts: dict[str, float] = sandbox.raw.get("/_sandbox/throttle").json()
    return counts


@pytest.fixture
def limited(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(rate_limit=10)


def test_through_redis_two_processes_get_no_429(limited: Sandbox) -> None:
    url = _redis_or_skip()
    # The database (in memory, SQLite) has no say: REDIS_URL takes precedence.
    counts = _run_two(limited, ["sqlite+aiosqlite:///:memory:"], {"REDIS_URL": url})
    assert counts["refused"] == 0
    assert counts["admitted"] == 2 * REQUESTS


def test_through_postgresql_two_processes_get_no_429(
    limited: Sandbox, postgres_schema: tuple[str, str]
) -> None:
    url, schema = postgres_schema
    counts = _run_two(limited, [url, schema], {})
    assert counts["refused"] == 0
    assert counts["admitted"] == 2 * REQUESTS


def test_each_process_pacing_alone_exceeds_the_limit(limited: Sandbox, tmp_path: Path) -> None:
    counts = _run_two(limited, [f"sqlite+aiosqlite:///{tmp_path / uuid.uuid4().hex}.db"], {})
    assert counts["refused"] > 0


def test_shared_state_is_named_by_a_hash_of_the_key(limited: Sandbox) -> None:
    names = {
        SharedPacers(lambda name: InMemoryStateStore()).name(limited.api_key, rate)
        for rate in (9.0, 5.0)
    }
    assert len(names) == 2
    assert all(name.startswith("clickbot:pacing:") for name in names)
    assert all(limited.api_key not in name for name in names)
    assert all(key_fingerprint(limited.api_key) in name for name in names)
