"""The Slack installations of a distributed app, and the workspaces that uninstalled it.

The installation and OAuth state tables are slack_sdk's own (`AsyncSQLAlchemyInstallationStore`,
`AsyncSQLAlchemyOAuthStateStore`, which Bolt reads and writes); they are declared here, on our
metadata, so that our migrations create them like every other table. `Installations` answers
what the worker needs from them: which workspaces have the app, and which workspaces' data the
retention job may purge.
"""

from __future__ import annotations

from datetime import datetime

from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from storage.models import (
    AlertEpisode,
    AlertRule,
    Base,
    ClickMeterAccount,
    CounterSnapshot,
    Digest,
    OutboxItem,
    PollState,
    UninstalledTeam,
    Webhook,
)

INSTALLATIONS_TABLE = "slack_installations"
BOTS_TABLE = "slack_bots"
OAUTH_STATES_TABLE = "slack_oauth_states"

SLACK_INSTALLATIONS = AsyncSQLAlchemyInstallationStore.build_installations_table(
    Base.metadata, INSTALLATIONS_TABLE
)
SLACK_BOTS = AsyncSQLAlchemyInstallationStore.build_bots_table(Base.metadata, BOTS_TABLE)
SLACK_OAUTH_STATES = AsyncSQLAlchemyOAuthStateStore.build_oauth_states_table(
    Base.metadata, OAUTH_STATES_TABLE
)

#: A workspace's rows, children first (episodes point at rules, outbox items at episodes).
_TEAM_TABLES = (
    ClickMeterAccount,
    OutboxItem,
    AlertEpisode,
    AlertRule,
    Webhook,
    Digest,
    CounterSnapshot,
    PollState,
)


def installation_store(client_id: str, engine: AsyncEngine) -> AsyncSQLAlchemyInstallationStore:
    """slack_sdk's store on our database (its tables made by our migrations, not by it)."""
    return AsyncSQLAlchemyInstallationStore(
        client_id, engine, bots_table_name=BOTS_TABLE, installations_table_name=INSTALLATIONS_TABLE
    )


def oauth_state_store(
    engine: AsyncEngine, expiration_seconds: int
) -> AsyncSQLAlchemyOAuthStateStore:
    """slack_sdk's OAuth state store on our database: a state is good once, until it expires."""
    return AsyncSQLAlchemyOAuthStateStore(expiration_seconds, engine, table_name=OAUTH_STATES_TABLE)


class Installations:
    """Which workspaces have the app installed, and the uninstalled ones' fate."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def installed_teams(self) -> set[str]:
        """Workspaces with a bot token: the only ones polled and sent digests to."""
        rows = await self.session.scalars(
            select(SLACK_BOTS.c.team_id).where(SLACK_BOTS.c.team_id.is_not(None)).distinct()
        )
        return {team for team in rows if team}

    async def mark_uninstalled(self, team_id: str, at: datetime) -> None:
        """Remember when `team_id` uninstalled (the first time: a repeated event keeps it)."""
        if await self.session.get(UninstalledTeam, team_id) is not None:
            return
        try:
            async with self.session.begin_nested():  # Slack's retry on another replica, at once
                self.session.add(UninstalledTeam(team_id=team_id, uninstalled_at=at))
        except IntegrityError:
            pass  # recorded by the other one first: its time stands

    async def mark_installed(self, team_id: str) -> bool:
        """`team_id` installed (again): its data is no longer due to be purged."""
        result = await self.session.execute(
            delete(UninstalledTeam).where(UninstalledTeam.team_id == team_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def uninstalled_at(self, team_id: str) -> datetime | None:
        row = await self.session.get(UninstalledTeam, team_id)
        return row.uninstalled_at if row is not None else None

    async def purge_uninstalled(self, before: datetime) -> list[str]:
        """Delete every row of the workspaces uninstalled before `before` and not installed
        again; returns their ids."""
        installed = await self.installed_teams()
        due = [
            team
            for team in await self.session.scalars(
                select(UninstalledTeam.team_id).where(UninstalledTeam.uninstalled_at < before)
            )
            if team not in installed
        ]
        for team in due:
            for model in _TEAM_TABLES:
                await self.session.execute(delete(model).where(model.team_id == team))
            await self.session.execute(
                delete(UninstalledTeam).where(UninstalledTeam.team_id == team)
            )
        return due
