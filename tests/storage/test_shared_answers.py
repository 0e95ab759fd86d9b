"""Answers kept for Share in channel: by key, in their workspace only, until they expire."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from storage import Database
from storage.models import SharedAnswerRow
from storage.shared_answers import SharedAnswers
from tests.storage.helpers import OTHER_TEAM, TEAM, at

BLOCKS = [{"type": "section", "text": {"type": "mrkdwn", "text": "*42* clicks"}}]


async def _put(database: Database, key: str, *, seconds: int, ttl: int = 60) -> None:
    async with database.transaction() as tx:
        await SharedAnswers(tx.session).put(
            key,
            team_id=TEAM,
            command_text="stats last7",
            text="42 clicks",
            blocks=BLOCKS,
            expires_at=at(seconds) + timedelta(seconds=ttl),
            now=at(seconds),
        )


async def test_an_answer_is_kept_for_its_workspace_until_it_expires(database: Database) -> None:
    await _put(database, "k1", seconds=0)
    async with database.transaction() as tx:
        answers = SharedAnswers(tx.session)
        kept = await answers.get("k1", team_id=TEAM, now=at(59))
        assert kept is not None
        assert (kept.command_text, kept.text, kept.blocks) == ("stats last7", "42 clicks", BLOCKS)
        assert await answers.get("k1", team_id=OTHER_TEAM, now=at(59)) is None
        assert await answers.get("k1", team_id=TEAM, now=at(60)) is None
        assert await answers.get("nope", team_id=TEAM, now=at(0)) is None


async def test_putting_sweeps_the_expired(database: Database) -> None:
    await _put(database, "old", seconds=0, ttl=10)
    await _put(database, "new", seconds=30)
    async with database.transaction() as tx:
        keys = (await tx.session.scalars(select(SharedAnswerRow.key))).all()
        count = await tx.session.scalar(select(func.count()).select_from(SharedAnswerRow))
    assert (sorted(keys), count) == (["new"], 1)
