"""Answers kept for Share in channel: in the database, shared across processes, per workspace;
in this process while the database cannot be reached."""

from __future__ import annotations

from pathlib import Path

from bot.shares import DatabaseShares, MemoryShares, SharedAnswer
from storage import Database
from tests.servers import free_port

ANSWER = SharedAnswer("stats last7", "42 clicks", [{"type": "section"}])


async def test_one_process_keeps_what_another_reads(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'clickbot.sqlite3'}"
    async with Database(url) as first, Database(url) as second:
        key = await DatabaseShares(first).put(ANSWER, "T1")
        assert await DatabaseShares(second).get(key, "T1") == ANSWER
        assert await DatabaseShares(second).get(key, "T2") is None
        assert await DatabaseShares(second).get("unknown", "T1") is None


async def test_without_the_database_the_answer_is_kept_here() -> None:
    away = Database(f"postgresql+asyncpg://clickbot@127.0.0.1:{free_port()}/gone")
    try:
        shares = DatabaseShares(away)
        key = await shares.put(ANSWER, "T1")
        assert await shares.get(key, "T1") == ANSWER
        assert await shares.get(key, "T2") is None
        assert await shares.get("unknown", "T1") is None  # not kept here, database away
    finally:
        await away.dispose()


async def test_in_memory_answers_are_per_workspace() -> None:
    shares = MemoryShares()
    key = await shares.put(ANSWER, "T1")
    assert await shares.get(key, "T1") == ANSWER
    assert await shares.get(key, "T2") is None
