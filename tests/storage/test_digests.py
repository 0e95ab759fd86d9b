"""Digests storage, on SQLite and PostgreSQL: add, read per team, remove, and `mark_run` as a
forward-only record of the last run; and the outbox takes 'slack.digest' items."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import Database, Transaction
from storage.migrate import downgrade, upgrade
from storage.models import Digest
from tests.storage.conftest import Backend
from tests.storage.helpers import OTHER_TEAM, TEAM, at


async def add_digest(tx: Transaction, team_id: str = TEAM, **overrides: Any) -> Digest:
    fields: dict[str, Any] = {
        "created_by": "U0001",
        "channel_id": "C0001",
        "at_time": "09:00",
        "timezone": "Europe/Rome",
        "now": at(0),
    }
    fields.update(overrides)
    return await tx.digests.add(team_id, **fields)


async def test_add_and_read_back(database: Database) -> None:
    async with database.transaction() as tx:
        digest = await add_digest(
            tx,
            cadence="weekly",
            weekday=0,
            reports=["countries", "browsers"],
            links_filter="tag:email",
            next_run_at=at(3600),
        )
    async with database.transaction() as tx:
        found = await tx.digests.get(TEAM, digest.id)
    assert found is not None
    assert (found.cadence, found.weekday, found.at_time, found.timezone) == (
        "weekly",
        0,
        "09:00",
        "Europe/Rome",
    )
    assert found.reports == ["countries", "browsers"]
    assert found.links_filter == "tag:email"
    assert found.created_at == at(0)
    assert found.next_run_at == at(3600)
    assert found.last_run_for is None
    assert found.removed_at is None


async def test_defaults(database: Database) -> None:
    async with database.transaction() as tx:
        digest = await add_digest(tx)
    assert (digest.cadence, digest.weekday, digest.reports, digest.links_filter) == (
        "daily",
        None,
        ["countries", "referrers"],
        None,
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cadence": "weekly"}, "weekday"),
        ({"cadence": "daily", "weekday": 2}, "weekday"),
        ({"cadence": "weekly", "weekday": 7}, "weekday"),
        ({"cadence": "hourly"}, "cadence"),
        ({"at_time": "9:00"}, "HH:MM"),
        ({"at_time": "24:00"}, "HH:MM"),
        ({"timezone": "Europe/Rom"}, "time zone"),
    ],
)
async def test_bad_digests_are_refused(
    database: Database, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        async with database.transaction() as tx:
            await add_digest(tx, **overrides)


async def test_teams_see_only_their_own(database: Database) -> None:
    async with database.transaction() as tx:
        mine = await add_digest(tx)
        theirs = await add_digest(tx, OTHER_TEAM)
        second = await add_digest(tx, at_time="17:30")
    async with database.transaction() as tx:
        assert [d.id for d in await tx.digests.list_active(TEAM)] == [mine.id, second.id]
        assert await tx.digests.get(TEAM, theirs.id) is None
        assert not await tx.digests.remove(TEAM, theirs.id)
        assert [d.id for d in await tx.digests.all_active()] == [mine.id, second.id, theirs.id]


async def test_remove_is_soft(database: Database) -> None:
    async with database.transaction() as tx:
        digest = await add_digest(tx)
    async with database.transaction() as tx:
        assert await tx.digests.remove(TEAM, digest.id, now=at(60))
        assert not await tx.digests.remove(TEAM, digest.id)
    async with database.transaction() as tx:
        assert await tx.digests.get(TEAM, digest.id) is None
        kept = await tx.digests.get(TEAM, digest.id, include_removed=True)
        assert kept is not None
        assert kept.removed_at == at(60)
        assert await tx.digests.list_active(TEAM) == []
        assert await tx.digests.all_active() == []
        # A removed digest is never marked run again.
        assert not await tx.digests.mark_run(digest.id, date(2026, 3, 18), at(3600))


async def test_mark_run_only_moves_forward(database: Database) -> None:
    day = date(2026, 3, 18)
    async with database.transaction() as tx:
        digest = await add_digest(tx)
    async with database.transaction() as tx:
        assert await tx.digests.mark_run(digest.id, day, at(86400))
        assert not await tx.digests.mark_run(digest.id, day, at(999))
        assert not await tx.digests.mark_run(digest.id, day - timedelta(days=1), at(999))
    async with database.transaction() as tx:
        found = await tx.digests.get(TEAM, digest.id)
        assert found is not None
        assert (found.last_run_for, found.next_run_at) == (day, at(86400))
        assert await tx.digests.mark_run(digest.id, day + timedelta(days=1), None)
        found = await tx.digests.get(TEAM, digest.id)
        assert found is not None
        assert found.last_run_for == day + timedelta(days=1)


async def test_racing_workers_mark_a_day_once(database: Database) -> None:
    async with database.transaction() as tx:
        digest = await add_digest(tx)

    async def mark() -> bool:
        async with database.transaction() as tx:
            return await tx.digests.mark_run(digest.id, date(2026, 3, 18), at(86400))

    assert sorted(await asyncio.gather(*(mark() for _ in range(4)))) == [False] * 3 + [True]


async def test_outbox_takes_digest_items_once_per_day(database: Database) -> None:
    async with database.transaction() as tx:
        first = await tx.outbox.enqueue(
            TEAM, kind="slack.digest", target="C0001", payload={"x": 1},
            dedupe_key="digest1:2026-03-18", now=at(0),
        )  # fmt: skip
        again = await tx.outbox.enqueue(
            TEAM, kind="slack.digest", target="C0001", payload={"x": 2},
            dedupe_key="digest1:2026-03-18", now=at(5),
        )  # fmt: skip
    assert again.id == first.id
    assert again.payload == {"x": 1}
    assert first.kind == "slack.digest"


async def test_migration_0002_keeps_the_outbox_and_goes_back_down(empty_backend: Backend) -> None:
    database = empty_backend.open()
    await upgrade(database.engine, "0001")
    async with database.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO outbox (team_id, kind, target, payload, dedupe_key, status, attempts,"
                " next_attempt_at, created_at) VALUES ('T1', 'slack.post', 'C1', '{}', 'k1',"
                " 'pending', 0, :now, :now)"
            ),
            {"now": at(0).replace(tzinfo=None)},
        )
    await database.migrate()
    async with database.transaction() as tx:
        assert await tx.outbox.depth("T1") == 1
        await tx.outbox.enqueue(
            "T1", kind="slack.digest", target="C1", payload={}, dedupe_key="k2", now=at(0)
        )
    await downgrade(database.engine, "0001")
    async with database.engine.connect() as connection:
        kinds = (await connection.execute(text("SELECT kind FROM outbox"))).scalars().all()
    assert kinds == ["slack.post"]
    with pytest.raises(IntegrityError):
        async with database.engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO outbox (team_id, kind, target, payload, dedupe_key, status,"
                    " attempts, next_attempt_at, created_at) VALUES ('T1', 'slack.digest', 'C1',"
                    " '{}', 'k3', 'pending', 0, :now, :now)"
                ),
                {"now": at(0).replace(tzinfo=None)},
            )
