"""Outgoing webhooks a team registers; each has its own signing secret.

The secret is generated here (`secrets.token_urlsafe(32)`), returned by `add` so the bot can
show it once, and kept so the sender can sign deliveries. Removal is soft (`removed_at`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from alerts.storage.models import Webhook
from alerts.storage.types import utcnow


class Webhooks:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, team_id: str, *, url: str, created_by: str, now: datetime | None = None
    ) -> Webhook:
        """Register a webhook with a fresh secret (read it from the returned object)."""
        webhook = Webhook(
            team_id=team_id,
            url=url,
            secret=secrets.token_urlsafe(32),
            created_by=created_by,
            created_at=now or utcnow(),
        )
        self.session.add(webhook)
        await self.session.flush()
        return webhook

    async def get(
        self, team_id: str, webhook_id: int, *, include_removed: bool = False
    ) -> Webhook | None:
        """The team's webhook, or None (unknown, another team's, or removed unless asked)."""
        webhook = await self.session.get(Webhook, webhook_id)
        if webhook is None or webhook.team_id != team_id:
            return None
        if webhook.removed_at is not None and not include_removed:
            return None
        return webhook

    async def list_active(self, team_id: str) -> Sequence[Webhook]:
        """The team's webhooks that are not removed, oldest first."""
        query = (
            select(Webhook)
            .where(Webhook.team_id == team_id, Webhook.removed_at.is_(None))
            .order_by(Webhook.id)
        )
        return (await self.session.scalars(query)).all()

    async def remove(self, team_id: str, webhook_id: int, *, now: datetime | None = None) -> bool:
        """Mark the webhook removed; False if the team has no such active webhook."""
        webhook = await self.get(team_id, webhook_id)
        if webhook is None:
            return False
        webhook.removed_at = now or utcnow()
        await self.session.flush()
        return True
