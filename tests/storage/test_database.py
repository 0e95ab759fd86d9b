"""The `Database` object: units of work, durability, timestamps, SQLite's settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from storage import AlertEpisode, Database, OutboxItem
from tests.storage.conftest import Backend
from tests.storage.helpers import TEAM, add_rule, at


class Boom(Exception):
    pass


async def test_failed_unit_of_work_leaves_neither_episode_nor_outbox_item(
    database: Database,
) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)

    async def announce_then_fail() -> None:
        async with database.transaction() as tx:
            episode = await tx.episodes.open(
                TEAM, rule.id, subject="account", kind="threshold", observed=150, expected=100
            )
            await tx.outbox.enqueue(
                TEAM,
                kind="slack.post",
                target="C0001",
                payload={"text": "firing"},
                dedupe_key=f"episode:{episode.id}:post",
                episode_id=episode.id,
            )
            raise Boom

    with pytest.raises(Boom):
        await announce_then_fail()

    async with database.transaction() as tx:
        assert await tx.episodes.get_open(TEAM, rule.id, "account") is None
        assert await tx.outbox.depth() == 0
        episodes = await tx.session.scalar(select(func.count()).select_from(AlertEpisode))
        items = await tx.session.scalar(select(func.count()).select_from(OutboxItem))
        assert (episodes, items) == (0, 0)


async def test_successful_unit_of_work_commits_both(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        episode = await tx.episodes.open(
            TEAM, rule.id, subject="account", kind="threshold", observed=150, expected=100
        )
        item = await tx.outbox.enqueue(
            TEAM,
            kind="slack.post",
            target="C0001",
            payload={},
            dedupe_key="post",
            episode_id=episode.id,
        )
    async with database.transaction() as tx:
        stored = await tx.outbox.get(item.id)
        assert stored is not None
        assert stored.episode_id == episode.id


async def test_data_survives_closing_and_reopening(backend: Backend) -> None:
    first = backend.open()
    await first.migrate()
    async with first.transaction() as tx:
        rule = await add_rule(tx, scope_label="Spring sale")
        await tx.rules.set_state(TEAM, rule.id, {"account": {"mean": 4.5, "n": 12}})
        episode = await tx.episodes.open(
            TEAM, rule.id, subject="account", kind="threshold", observed=150, expected=100
        )
        await tx.outbox.enqueue(
            TEAM, kind="slack.post", target="C0001", payload={"n": 1}, dedupe_key="k"
        )
    await first.dispose()

    second = backend.open()
    await second.migrate()  # start-up runs it again: must keep everything
    async with second.transaction() as tx:
        [again] = await tx.rules.list_active(TEAM)
        assert again.scope_label == "Spring sale"
        assert again.detector_state == {"account": {"mean": 4.5, "n": 12}}
        reopened = await tx.episodes.get_open(TEAM, rule.id, "account")
        assert reopened is not None
        assert reopened.id == episode.id
        assert await tx.outbox.depth() == 1


async def test_timestamps_come_back_aware_utc(database: Database) -> None:
    paris = timezone(timedelta(hours=1))
    async with database.transaction() as tx:
        rule = await add_rule(tx, now=datetime(2026, 3, 18, 13, 0, tzinfo=paris))
    async with database.transaction() as tx:
        stored = await tx.rules.get(TEAM, rule.id)
        assert stored is not None
        assert stored.created_at == datetime(2026, 3, 18, 12, 0, tzinfo=UTC)
        assert stored.created_at.utcoffset() == timedelta(0)


async def test_naive_datetimes_are_refused(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with database.transaction() as tx:
            await add_rule(tx, now=datetime(2026, 3, 18, 12, 0))


async def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(
    tmp_path: Path,
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'pragmas.sqlite3'}")
    async with database, database.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(LookupError):
        async with database.transaction() as tx:
            await tx.episodes.open(
                TEAM, 999, subject="account", kind="spike", observed=1, expected=1, now=at(0)
            )
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        async with database.transaction() as tx:
            tx.session.add(
                AlertEpisode(
                    team_id=TEAM,
                    rule_id=999,
                    subject="account",
                    kind="spike",
                    state="firing",
                    started_at=at(0),
                    last_update_at=at(0),
                    observed=1,
                    expected=1,
                    details={},
                )
            )
