"""Answered messages: a message is claimed once, by one of any number of processes claiming it
at once, per workspace and channel; claims older than the retention are pruned."""

from __future__ import annotations

import asyncio

from storage import Database
from tests.storage.conftest import Backend
from tests.storage.helpers import OTHER_TEAM, TEAM, at


async def claim(db: Database, team: str, channel: str, ts: str, seconds: float = 0) -> bool:
    async with db.transaction() as tx:
        return await tx.answered.claim(team, channel, ts, now=at(seconds))


async def test_a_message_is_claimed_once(database: Database) -> None:
    assert await claim(database, TEAM, "C0GENERAL", "1700000000.000100")
    assert not await claim(database, TEAM, "C0GENERAL", "1700000000.000100", seconds=30)
    # The same ts elsewhere is another message.
    assert await claim(database, TEAM, "C0RANDOM", "1700000000.000100")
    assert await claim(database, OTHER_TEAM, "C0GENERAL", "1700000000.000100")


async def test_of_processes_claiming_at_once_exactly_one_wins(backend: Backend) -> None:
    replicas = [backend.open() for _ in range(4)]
    for round_ in range(5):
        ts = f"1700000000.{round_:06d}"
        won = await asyncio.gather(*(claim(db, TEAM, "C0GENERAL", ts) for db in replicas))
        assert sorted(won) == [False, False, False, True]


async def test_claims_older_than_the_retention_are_pruned(database: Database) -> None:
    await claim(database, TEAM, "C0GENERAL", "1.000001", seconds=0)
    await claim(database, TEAM, "C0GENERAL", "1.000002", seconds=3600)
    async with database.transaction() as tx:
        assert await tx.answered.prune(before=at(60)) == 1
    assert await claim(database, TEAM, "C0GENERAL", "1.000001", seconds=7200)  # forgotten
    assert not await claim(database, TEAM, "C0GENERAL", "1.000002", seconds=7200)
