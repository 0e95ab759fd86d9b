"""Alert episodes: a rule firing for one subject, from the first alert until it resolves.

At most one episode per (rule, subject) is open ('firing') at a time; the database enforces it
with a partial unique index and `open` raises `EpisodeAlreadyOpen` instead of a second one.
Methods take the team id and never touch another team's episodes. They run inside the caller's
transaction, so the outbox item announcing a change commits (or not) together with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AlertEpisode, AlertRule, Condition
from storage.types import utcnow


class EpisodeAlreadyOpen(Exception):
    """The rule already has a firing episode for this subject."""


class Episodes:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(
        self,
        team_id: str,
        rule_id: int,
        *,
        subject: str,
        kind: Condition,
        observed: float,
        expected: float,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AlertEpisode:
        """Start a firing episode. Raises LookupError if the team has no such rule (removed
        rules included) and EpisodeAlreadyOpen if one is already firing for the subject."""
        rule = await self.session.get(AlertRule, rule_id)
        if rule is None or rule.team_id != team_id:
            raise LookupError(f"team {team_id} has no rule {rule_id}")
        if await self.get_open(team_id, rule_id, subject) is not None:
            raise EpisodeAlreadyOpen(f"rule {rule_id} is already firing for {subject}")
        now = now or utcnow()
        episode = AlertEpisode(
            team_id=team_id,
            rule_id=rule_id,
            subject=subject,
            kind=kind,
            state="firing",
            started_at=now,
            last_update_at=now,
            observed=observed,
            expected=expected,
            details=details or {},
        )
        try:
            # A savepoint, so losing a race with another writer leaves the transaction usable.
            async with self.session.begin_nested():
                self.session.add(episode)
        except IntegrityError as error:
            raise EpisodeAlreadyOpen(f"rule {rule_id} is already firing for {subject}") from error
        return episode

    async def get(self, team_id: str, episode_id: int) -> AlertEpisode | None:
        """The team's episode, open or resolved, or None."""
        episode = await self.session.get(AlertEpisode, episode_id)
        return episode if episode is not None and episode.team_id == team_id else None

    async def get_open(self, team_id: str, rule_id: int, subject: str) -> AlertEpisode | None:
        """The firing episode of the rule for the subject, if any."""
        query = select(AlertEpisode).where(
            AlertEpisode.team_id == team_id,
            AlertEpisode.rule_id == rule_id,
            AlertEpisode.subject == subject,
            AlertEpisode.state == "firing",
        )
        return (await self.session.scalars(query)).one_or_none()

    async def list_open(self, team_id: str, rule_id: int | None = None) -> Sequence[AlertEpisode]:
        """The team's firing episodes (of one rule if given), oldest first."""
        query = select(AlertEpisode).where(
            AlertEpisode.team_id == team_id, AlertEpisode.state == "firing"
        )
        if rule_id is not None:
            query = query.where(AlertEpisode.rule_id == rule_id)
        return (await self.session.scalars(query.order_by(AlertEpisode.id))).all()

    async def update(
        self,
        team_id: str,
        episode_id: int,
        *,
        observed: float,
        expected: float,
        details: dict[str, Any] | None = None,
        now: datetime | None = None,
    ) -> AlertEpisode | None:
        """Record the latest figures of a firing episode; None if it is not firing (or not the
        team's). `details`, when given, replaces the stored details."""
        episode = await self.get(team_id, episode_id)
        if episode is None or episode.state != "firing":
            return None
        episode.observed = observed
        episode.expected = expected
        if details is not None:
            episode.details = details
        episode.last_update_at = now or utcnow()
        await self.session.flush()
        return episode

    async def set_message(
        self, team_id: str, episode_id: int, *, channel: str, ts: str
    ) -> AlertEpisode | None:
        """Remember the Slack message that announced the episode (once it is posted)."""
        episode = await self.get(team_id, episode_id)
        if episode is None:
            return None
        episode.slack_channel = channel
        episode.slack_ts = ts
        await self.session.flush()
        return episode

    async def resolve(
        self,
        team_id: str,
        episode_id: int,
        *,
        observed: float | None = None,
        now: datetime | None = None,
    ) -> AlertEpisode | None:
        """Close a firing episode; None if it was not firing (so resolving twice is harmless)."""
        episode = await self.get(team_id, episode_id)
        if episode is None or episode.state != "firing":
            return None
        now = now or utcnow()
        episode.state = "resolved"
        episode.resolved_at = now
        episode.last_update_at = now
        if observed is not None:
            episode.observed = observed
        await self.session.flush()
        return episode

    async def list_recent(
        self, team_id: str, *, limit: int = 20, rule_id: int | None = None
    ) -> Sequence[AlertEpisode]:
        """The team's latest episodes (of one rule if given), newest first."""
        query = select(AlertEpisode).where(AlertEpisode.team_id == team_id)
        if rule_id is not None:
            query = query.where(AlertEpisode.rule_id == rule_id)
        query = query.order_by(AlertEpisode.started_at.desc(), AlertEpisode.id.desc()).limit(limit)
        return (await self.session.scalars(query)).all()
