"""Fixtures for the engine tests: a real sandbox over HTTP, a real database, a poller whose
clock is the sandbox's (frozen, moved on explicitly), and helpers to look at the outbox.

The storage fixtures (`backend`, `database`) are reused so a test can run on SQLite and on
PostgreSQL (skipped with a reason when CLICKBOT_TEST_POSTGRES_URL is not set).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from alerts.engine import CycleReport, EngineConfig, Poller
from clickmeter import ClickMeterClient
from storage import AlertRule, Database, OutboxItem
from tests.conftest import Sandbox
from tests.storage.conftest import (  # noqa: F401  (fixtures, used by name)
    backend,
    postgres_schema,
    sqlite_template,
)

TEAM = "T0ENGINE"
CHANNEL = "C0ALERTS"
POLL = 300.0


@dataclass
class SandboxClock:
    """The sandbox's frozen clock, mirrored so the poller stamps readings with sandbox time."""

    sandbox: Sandbox
    now: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.now = datetime.fromisoformat(self.sandbox.control("clock", {})["now"])

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        answer = self.sandbox.control("clock", {"advance_seconds": seconds})
        self.now = datetime.fromisoformat(answer["now"])


@dataclass
class Engine:
    """A sandbox, a database and a poller over both, with helpers the tests share."""

    sandbox: Sandbox
    db: Database
    client: ClickMeterClient
    clock: SandboxClock
    poller: Poller
    reports: list[CycleReport] = field(default_factory=list)

    async def cycle(self, advance: float = POLL) -> CycleReport:
        """Move the sandbox clock on by `advance` seconds, then run one cycle."""
        if advance:
            self.clock.advance(advance)
        report = await self.poller.run_cycle()
        self.reports.append(report)
        return report

    async def add_rule(self, **fields: Any) -> AlertRule:
        values: dict[str, Any] = {
            "created_by": "U0001",
            "channel_id": CHANNEL,
            "scope_kind": "account",
            "scope_ref": "account",
            "scope_label": "the account",
            "condition": "spike",
            "sensitivity": "medium",
            "now": self.clock.now,
        }
        values.update(fields)
        async with self.db.transaction() as tx:
            return await tx.rules.add(TEAM, **values)

    async def add_webhook(self) -> int:
        async with self.db.transaction() as tx:
            hook = await tx.webhooks.add(TEAM, url="https://127.0.0.1/hook", created_by="U0001")
            return hook.id

    async def outbox(self) -> list[OutboxItem]:
        async with self.db.transaction() as tx:
            items = await tx.session.scalars(select(OutboxItem).order_by(OutboxItem.id))
            return list(items)

    async def kinds(self) -> list[tuple[str, str]]:
        """(outbox kind, notice kind) of every item, oldest first."""
        return [(i.kind, i.payload["notice"]["kind"]) for i in await self.outbox()]

    def busiest(self, skip: int = 0) -> int:
        """The id of the tracking link with the most clicks today (after `skip` busier ones)."""
        links = [d for d in self.sandbox.state()["datapoints"] if d["type"] == 0]
        links = [d for d in links if d["status"] == 0] or links
        return int(sorted(links, key=lambda d: -d["today_clicks"])[skip]["id"])


def make_client(sandbox: Sandbox) -> ClickMeterClient:
    # No pacing (the test sandbox has no throttle) and one attempt: a fault fails at once.
    return ClickMeterClient(
        sandbox.api_key,
        base_url=sandbox.url,
        requests_per_second=None,
        max_attempts=1,
        timeout=5.0,
    )


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'engine.sqlite3'}")
    await db.migrate()
    yield db
    await db.dispose()


EngineFactory = Callable[..., Engine]


@pytest.fixture
async def make_engine(
    make_sandbox: Callable[..., Sandbox], sqlite_db: Database
) -> AsyncIterator[Callable[..., Engine]]:
    """`make_engine(db=None, config=None, **sandbox_overrides)`: a frozen sandbox (30 links
    by default) and a poller on `db` (default: a fresh SQLite file)."""
    clients: list[ClickMeterClient] = []

    def factory(
        db: Database | None = None, config: EngineConfig | None = None, **overrides: Any
    ) -> Engine:
        sandbox = make_sandbox(**overrides)
        client = make_client(sandbox)
        clients.append(client)
        clock = SandboxClock(sandbox)
        database = db or sqlite_db
        poller = Poller(database, client, config or EngineConfig(poll_seconds=POLL), clock=clock)
        return Engine(sandbox, database, client, clock, poller)

    yield factory
    for client in clients:
        await client.aclose()
