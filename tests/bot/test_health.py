"""`/healthz` is cheap and read-only: bounded counts of undelivered and dead items only, in a
transaction that takes no write lock (on SQLite it answers while the sender holds one)."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import cast

import pytest

from bot import health
from bot.services import Services
from clickmeter import ClickMeterClient
from storage import Database


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[tuple[Database, Path]]:
    path = tmp_path / "clickbot.sqlite3"
    async with Database(f"sqlite+aiosqlite:///{path}") as db:
        await db.migrate()
        yield db, path


async def queue(db: Database, count: int, *, dead: int = 0) -> None:
    async with db.transaction() as tx:
        for n in range(count + dead):
            item = await tx.outbox.enqueue(
                "T1", kind="slack.post", target="C1", payload={}, dedupe_key=f"k{n}"
            )
            if n >= count:
                await tx.outbox.mark_dead(item.id, "not_in_channel")


def services(db: Database) -> Services:
    return Services(clickmeter=cast(ClickMeterClient, None), db=db)


async def test_healthz_answers_while_a_writer_holds_the_sqlite_lock(
    database: tuple[Database, Path],
) -> None:
    db, path = database
    await queue(db, 2, dead=1)
    writer = sqlite3.connect(path, timeout=0)
    try:
        writer.execute("BEGIN IMMEDIATE")  # what the sender's transactions take
        status, body = await health.health_report(services(db))
    finally:
        writer.rollback()
        writer.close()
    assert status == 200
    assert body["outbox"] == {"depth": 2, "dead": 1}


async def test_healthz_counts_no_further_than_its_cap(
    database: tuple[Database, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, _ = database
    monkeypatch.setattr(health, "COUNT_CAP", 3)
    await queue(db, 5, dead=4)
    status, body = await health.health_report(services(db))
    assert status == 200
    assert body["outbox"] == {"depth": 3, "dead": 3}
