"""The Slack installations of a distributed app, and the workspaces that uninstalled it.

The installation and OAuth state tables are slack_sdk's own (`AsyncSQLAlchemyInstallationStore`,
`AsyncSQLAlchemyOAuthStateStore`, which Bolt reads and writes); they are declared here, on our
metadata, so that our migrations create them like every other table. `Installations` answers
what the worker needs from them: which workspaces have the app, and which workspaces' data the
retention job may purge. `InstalledBotTokens` gives the sender each workspace's bot token (the
`alerts.deliver.tokens.TokenSource` of distribution mode).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackTokenRotationError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import AsyncSQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import AsyncSQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation.async_rotator import AsyncTokenRotator
from slack_sdk.web.async_client import AsyncWebClient
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

log = logging.getLogger(__name__)

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


def installed_bot_tokens(
    client_id: str,
    client_secret: str,
    engine: AsyncEngine,
    *,
    slack_api_url: str,
    rotation_minutes: int,
) -> InstalledBotTokens:
    """Each workspace's bot token from our installation store, refreshed (through Slack at
    `slack_api_url`) once it expires within `rotation_minutes`."""
    rotator = AsyncTokenRotator(
        client_id=client_id,
        client_secret=client_secret,
        client=AsyncWebClient(base_url=slack_api_url),
    )
    return InstalledBotTokens(
        installation_store(client_id, engine), rotator, rotation_minutes=rotation_minutes
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


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    #: `time.monotonic()` after which the store is read again.
    fresh_until: float


class InstalledBotTokens:
    """Each workspace's bot token from the installation store (bot-only, as Bolt keeps it).

    A token read is kept for `ttl` seconds (a post per alert would otherwise read the store each
    time), and never past the point where it is due for rotation: a rotating token expiring
    within `rotation_minutes` is refreshed with slack_sdk's `AsyncTokenRotator` (the same call
    Bolt makes), and the refreshed bot saved back, before it is handed out. `forget` (Slack
    refused the token: uninstalled, revoked) drops the cached one at once; an uninstall
    deletes the stored bot, so within `ttl` at most its items find no token."""

    def __init__(
        self,
        store: AsyncInstallationStore,
        rotator: AsyncTokenRotator,
        *,
        rotation_minutes: int = 120,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.rotator = rotator
        self.rotation_minutes = rotation_minutes
        self.ttl = ttl
        self._clock = clock
        self._cache: dict[str, _Cached] = {}
        # One look-up (and so one refresh) per workspace at a time: a refresh token is good once.
        self._locks: dict[str, asyncio.Lock] = {}

    async def token_for(self, team_id: str) -> str | None:
        """The bot token of `team_id` (refreshed first if it is about to expire); None when
        the app is not installed there. Raises when the store cannot be read."""
        cached = self._cache.get(team_id)
        if cached is not None and self._clock() < cached.fresh_until:
            return cached.token
        async with self._locks.setdefault(team_id, asyncio.Lock()):
            cached = self._cache.get(team_id)
            if cached is not None and self._clock() < cached.fresh_until:
                return cached.token  # read by the call this one waited for
            return await self._read(team_id)

    def forget(self, team_id: str) -> None:
        """Slack refused the token of `team_id`: read the store again next time."""
        self._cache.pop(team_id, None)

    async def _read(self, team_id: str) -> str | None:
        bot = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
        if bot is None or not bot.bot_token:
            self._cache.pop(team_id, None)
            return None
        if bot.bot_refresh_token is not None:
            try:
                refreshed = await self.rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=self.rotation_minutes
                )
            except SlackTokenRotationError as error:
                # Another process (the web app's Bolt, another worker) may have just used the
                # refresh token: what it saved is the token. Otherwise the refusal is usually
                # for good (revoked): the stored token is tried, and Slack's refusal settles
                # the item as a refused token's (a re-install fixes it).
                log.error(
                    "could not refresh the bot token of %s (%s)",
                    team_id,
                    error.api_error.response.get("error"),
                )
                refreshed = await self.store.async_find_bot(enterprise_id=None, team_id=team_id)
                if refreshed is None or refreshed.bot_token in (None, bot.bot_token):
                    refreshed = None
                else:
                    bot, refreshed = refreshed, None
            if refreshed is not None:
                await self.store.async_save_bot(refreshed)
                bot = refreshed
        fresh_until = self._clock() + self.ttl
        if bot.bot_token_expires_at is not None:
            # Read (and refresh) again once the token enters its rotation window.
            due = bot.bot_token_expires_at - self.rotation_minutes * 60 - time.time()
            fresh_until = min(fresh_until, self._clock() + max(due, 0.0))
        assert bot.bot_token is not None
        self._cache[team_id] = _Cached(bot.bot_token, fresh_until)
        return bot.bot_token
