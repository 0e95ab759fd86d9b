"""The outbox's upkeep, beside the sender's part (`storage.outbox`): counting what waits,
listing and requeueing dead items, pruning what was sent long ago. Scoped by team where a
Slack command reaches them; by nature across teams where the worker or health checks do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import AlertEpisode, OutboxItem, OutboxStatus
from storage.types import utcnow

#: Statuses of items not yet delivered nor given up on.
UNDELIVERED: tuple[OutboxStatus, ...] = ("pending", "sending", "failed")


class OutboxUpkeep:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def requeue_dead(self, team_id: str | None = None, *, now: datetime | None = None) -> int:
        """Make dead items (of one team, or all) pending and due now. Returns how many."""
        statement = update(OutboxItem).where(OutboxItem.status == "dead")
        if team_id is not None:
            statement = statement.where(OutboxItem.team_id == team_id)
        result = await self.session.execute(
            statement.values(status="pending", next_attempt_at=now or utcnow()).execution_options(
                synchronize_session=False
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def requeue_dead_in(
        self,
        team_id: str,
        *,
        channel: str | None = None,
        rule_id: int | None = None,
        reasons: Iterable[str] | None = None,
        now: datetime | None = None,
    ) -> int:
        """Make the team's dead items pending and due now: those for `channel` (and, if given,
        dead for one of `reasons`), or those of `rule_id`'s episodes; with them the items that
        died waiting for one of them. Returns how many."""
        query = select(OutboxItem.id).where(
            OutboxItem.team_id == team_id, OutboxItem.status == "dead"
        )
        if channel is not None:
            query = query.where(OutboxItem.target == channel)
        if rule_id is not None:
            episodes = select(AlertEpisode.id).where(
                AlertEpisode.team_id == team_id, AlertEpisode.rule_id == rule_id
            )
            query = query.where(OutboxItem.episode_id.in_(episodes))
        if reasons is not None:
            query = query.where(OutboxItem.last_error.in_(set(reasons)))
        ids = set((await self.session.scalars(query)).all())
        waiting = set(ids)
        while waiting:
            behind = select(OutboxItem.id).where(
                OutboxItem.depends_on.in_(waiting), OutboxItem.status == "dead"
            )
            waiting = set((await self.session.scalars(behind)).all()) - ids
            ids |= waiting
        if not ids:
            return 0
        result = await self.session.execute(
            update(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .values(status="pending", next_attempt_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def dead(self, team_id: str, limit: int = 20) -> Sequence[tuple[OutboxItem, int | None]]:
        """The team's newest dead items (at most `limit`), each with the rule of its episode
        (None if it has none)."""
        rows = await self.session.execute(
            select(OutboxItem, AlertEpisode.rule_id)
            .outerjoin(AlertEpisode, AlertEpisode.id == OutboxItem.episode_id)
            .where(OutboxItem.team_id == team_id, OutboxItem.status == "dead")
            .order_by(OutboxItem.id.desc())
            .limit(limit)
        )
        return [(row[0], row[1]) for row in rows]

    async def prune_sent(self, before: datetime, limit: int = 1000) -> int:
        """Delete up to `limit` items (any team) sent before `before`, except those another
        item depends on (an update or reply reads its post's channel and ts: the post goes in
        a later call, once they are gone) and the items of episodes still open (a later update
        will depend on them). Returns how many."""
        child = aliased(OutboxItem)
        kept_child = select(child.id).where(child.depends_on == OutboxItem.id).exists()
        open_episode = (
            select(AlertEpisode.id)
            .where(AlertEpisode.id == OutboxItem.episode_id, AlertEpisode.resolved_at.is_(None))
            .exists()
        )
        old = (
            select(OutboxItem.id)
            .where(OutboxItem.status == "sent", OutboxItem.sent_at < before)
            .where(~kept_child, ~open_episode)
            .order_by(OutboxItem.id)
            .limit(limit)
        )
        ids = list((await self.session.scalars(old)).all())
        if not ids:
            return 0
        result = await self.session.execute(
            delete(OutboxItem)
            .where(OutboxItem.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def count_capped(self, statuses: Iterable[OutboxStatus], cap: int) -> int:
        """How many items (any team) are in `statuses`, counting no further than `cap`: a
        bounded read on the status index, cheap however long the table is."""
        some = (
            select(OutboxItem.id).where(OutboxItem.status.in_(set(statuses))).limit(cap).subquery()
        )
        return int(
            (await self.session.execute(select(func.count()).select_from(some))).scalar_one()
        )

    async def depth(self, team_id: str | None = None) -> int:
        """How many items are not delivered yet ('pending', 'sending' or 'failed')."""
        query = select(func.count()).where(OutboxItem.status.in_(UNDELIVERED))
        if team_id is not None:
            query = query.where(OutboxItem.team_id == team_id)
        return int((await self.session.execute(query)).scalar_one())

    async def counts(self, team_id: str | None = None) -> dict[OutboxStatus, int]:
        """How many items are in each status (statuses with none are left out)."""
        query = select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
        if team_id is not None:
            query = query.where(OutboxItem.team_id == team_id)
        rows = (await self.session.execute(query)).all()
        return {status: count for status, count in rows}
