"""What listeners need besides Bolt's own arguments, built once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from alerts.accounts import WorkspaceClients
from alerts.deliver.addresses import AddressPolicy
from bot.inflight import AnswersInFlight
from bot.pacing import Pacing
from bot.permissions import Directory, Gate
from bot.shares import MemoryShares, ShareStore
from clickmeter import ClickMeterClient
from storage import Database

#: How long shutdown waits for answers being built. Platforms send SIGKILL 30 s after SIGTERM
#: (Heroku, Render); an answer waits on ClickMeter for a few seconds at most.
ANSWERS_DRAIN_S = 20.0


@dataclass
class Services:
    clickmeter: ClickMeterClient
    #: Answers kept for Share in channel: in the database when there is one (any replica
    #: shares what another answered: `bot.runtime.build_services`), else in this process.
    shares: ShareStore = field(default_factory=MemoryShares)
    #: The current time; tests may pin it. None means the real clock.
    now: Callable[[], datetime] | None = None
    #: Where alert rules and webhooks are stored; None: `/clickmeter alert ...` says alerts
    #: are not set up here.
    db: Database | None = None
    #: The alert poller's interval (ALERT_POLL_SECONDS): new rules are seeded for it.
    poll_seconds: float = 300.0
    #: Where webhooks may go (WEBHOOK_ALLOW_LOOPBACK): `alert webhook add` checks against it.
    webhook_policy: AddressPolicy = field(default_factory=AddressPolicy)
    #: The answers (Bolt's lazy listeners) still being built; `aclose` waits for them.
    answers: AnswersInFlight = field(default_factory=AnswersInFlight)
    #: Distribution mode: each workspace's own ClickMeter account (`/clickmeter connect`).
    #: None: every workspace uses `clickmeter` (CLICKMETER_API_KEY).
    workspaces: WorkspaceClients | None = None
    #: Where the ClickMeter clients' pacing is shared (REDIS_URL, PostgreSQL); None: in this
    #: process only, as each client does by itself.
    pacing: Pacing | None = None

    async def clickmeter_for(self, team_id: str | None) -> ClickMeterClient | None:
        """The client of `team_id`'s ClickMeter account; None when its workspace has not
        connected one yet (distribution mode only)."""
        if self.workspaces is None:
            return self.clickmeter
        if team_id is None:
            return None
        return await self.workspaces.client_for(team_id)

    #: Who is an admin or in the admin group, as Slack said lately (`bot.permissions`).
    directory: Directory = field(default_factory=Directory)

    def gate(self, client: AsyncWebClient | None, team_id: str | None, user_id: str | None) -> Gate:
        """The permission policy for `user_id` in `team_id`, asking Slack with `client`
        (Bolt's, with the workspace's bot token)."""
        return Gate(self.directory, client, team_id or None, user_id or None, self.db)

    async def storage(self) -> Database | None:
        """The database, migrated to the current schema (once per process), or None.

        The web app migrates at start-up; this covers the other ways of running the bot
        (Socket Mode), so the first alert command there finds its tables.
        """
        if self.db is not None:
            await self.db.ensure_schema()
        return self.db

    async def aclose(self) -> None:
        """Let the answers in flight finish (for up to ANSWERS_DRAIN_S), then close the
        ClickMeter client and the database's connections they use."""
        try:
            await self.answers.drain(ANSWERS_DRAIN_S)
        finally:
            try:
                await self.clickmeter.aclose()
                if self.workspaces is not None:
                    await self.workspaces.aclose()
                if self.pacing is not None:
                    await self.pacing.aclose()
            finally:
                if self.db is not None:
                    await self.db.dispose()

    def pinned_now(self) -> datetime | None:
        """The time tests pinned (`now`), or None for the real clock."""
        return self.now() if self.now is not None else None
