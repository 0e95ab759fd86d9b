"""Webhooks: a fresh secret each, listed and removed per team."""

from __future__ import annotations

from storage import Database
from tests.storage.helpers import OTHER_TEAM, TEAM, at


async def test_add_list_remove(database: Database) -> None:
    async with database.transaction() as tx:
        first = await tx.webhooks.add(
            TEAM, url="https://example.com/hook", created_by="U0001", now=at(0)
        )
        second = await tx.webhooks.add(TEAM, url="https://example.com/other", created_by="U0002")
    assert len(first.secret) >= 40
    assert first.secret != second.secret
    async with database.transaction() as tx:
        hooks = await tx.webhooks.list_active(TEAM)
        assert [(hook.id, hook.url) for hook in hooks] == [
            (first.id, "https://example.com/hook"),
            (second.id, "https://example.com/other"),
        ]
        stored = await tx.webhooks.get(TEAM, first.id)
        assert stored is not None
        assert (stored.secret, stored.created_at) == (first.secret, at(0))
        assert await tx.webhooks.remove(TEAM, first.id, now=at(60))
        assert not await tx.webhooks.remove(TEAM, first.id)
    async with database.transaction() as tx:
        assert [hook.id for hook in await tx.webhooks.list_active(TEAM)] == [second.id]
        assert await tx.webhooks.get(TEAM, first.id) is None
        removed = await tx.webhooks.get(TEAM, first.id, include_removed=True)
        assert removed is not None
        assert removed.removed_at == at(60)


async def test_one_team_never_sees_or_removes_anothers_webhooks(database: Database) -> None:
    async with database.transaction() as tx:
        theirs = await tx.webhooks.add(OTHER_TEAM, url="https://example.com/", created_by="U9")
    async with database.transaction() as tx:
        assert await tx.webhooks.list_active(TEAM) == []
        assert await tx.webhooks.get(TEAM, theirs.id) is None
        assert not await tx.webhooks.remove(TEAM, theirs.id)
    async with database.transaction() as tx:
        assert [hook.id for hook in await tx.webhooks.list_active(OTHER_TEAM)] == [theirs.id]
