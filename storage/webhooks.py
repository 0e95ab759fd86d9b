"""Outgoing webhooks a team registers; each has its own signing secret.

The secret is generated here (`secrets.token_urlsafe(32)`), returned by `add` so the bot can
show it once, and kept so the sender can sign deliveries. Removal is soft (`removed_at`).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from storage.models import Webhook
from storage.owned import TeamRows
from storage.types import utcnow


class Webhooks(TeamRows[Webhook]):
    model = Webhook

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
