"""Which ClickMeter client reads each workspace's account: the `ClientSource` seam.

- `DeploymentClient` (single-workspace mode): the deployment's one client (CLICKMETER_API_KEY)
  for every team.
- `WorkspaceClients` (distribution mode): each workspace's own client, built on demand from its
  stored, encrypted key (and its account's time zone), kept while the process runs, closed
  when the workspace disconnects or connects another key. A workspace with no account: None.

It sits in `alerts` (not `bot`) because the worker's poll cycle and digests read through it as
much as the bot's answers do. A key is checked against ClickMeter (`/me`, `/me/plan`) before it
is stored; it is decrypted only to build its workspace's client, and never logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from clickmeter import ClickMeterClient, ClickMeterError
from storage import Database
from storage.accounts import ClickMeterAccount, InvalidToken, KeyBox, NewAccount

log = logging.getLogger(__name__)

#: Checking a key answers a modal's submission, which Slack waits 3 s for: one attempt, short.
CHECK_TIMEOUT_S = 2.5

#: Builds a workspace's client from its key and its account's zone (tests pass their own).
ClientFactory = Callable[[SecretStr, ZoneInfo], ClickMeterClient]


class ClientSource(Protocol):
    """Where a workspace's ClickMeter client comes from."""

    async def client_for(self, team_id: str) -> ClickMeterClient | None:
        """`team_id`'s client; None when it has no ClickMeter account connected."""
        ...


class DeploymentClient:
    """Single-workspace mode: one client, the deployment's, for every team. The caller owns
    (and closes) it."""

    def __init__(self, client: ClickMeterClient) -> None:
        self.client = client

    async def client_for(self, team_id: str) -> ClickMeterClient | None:
        return self.client


@dataclass(frozen=True, slots=True)
class Connected:
    """A workspace's account, as `/clickmeter connect` shows it."""

    account_name: str
    time_zone: str
    plan: str | None


def shown(row: ClickMeterAccount) -> Connected:
    return Connected(row.account_name, row.time_zone, row.plan)


class WorkspaceClients:
    """The ClickMeter client of each connected workspace, one per workspace per process."""

    def __init__(
        self, db: Database, box: KeyBox, *, base_url: str, make_client: ClientFactory
    ) -> None:
        self.db = db
        self.box = box
        self.base_url = base_url
        self._make = make_client
        #: team id -> (the stored encrypted key the client was built from, the client)
        self._clients: dict[str, tuple[str, ClickMeterClient]] = {}
        self._lock = asyncio.Lock()

    async def account(self, team_id: str) -> Connected | None:
        await self.db.ensure_schema()
        async with self.db.reading() as tx:
            row = await tx.accounts.get(team_id)
        return shown(row) if row is not None else None

    async def client_for(self, team_id: str) -> ClickMeterClient | None:
        """`team_id`'s client, or None when it has not connected an account.

        The stored row is read every time (one primary-key lookup): a workspace that connected
        another key, or disconnected, through another replica is answered accordingly here at
        once; the client itself (its connections, its response cache) is kept while the row
        stays the same."""
        await self.db.ensure_schema()
        async with self.db.reading() as tx:
            row = await tx.accounts.get(team_id)
        sealed = row.encrypted_key if row is not None else None
        async with self._lock:  # a burst of a workspace's first commands builds one client
            cached = self._clients.get(team_id)
            if cached is not None and cached[0] == sealed:
                return cached[1]
            if cached is not None:
                del self._clients[team_id]
                await cached[1].aclose()
            if row is None:
                return None
            try:
                key = self.box.open(row.encrypted_key)
            except InvalidToken:
                # CLICKBOT_SECRET_KEY lost the key this was encrypted with: connect again.
                log.warning("workspace %s's ClickMeter key cannot be decrypted", team_id)
                return None
            client = self._make(key, ZoneInfo(row.time_zone))
            self._clients[team_id] = (row.encrypted_key, client)
            return client

    async def check(self, api_key: str) -> Connected:
        """What ClickMeter says about the account of `api_key`; its `ClickMeterError` (an
        `AuthenticationError` for a wrong key) when it cannot say."""
        probe = ClickMeterClient(
            api_key,
            base_url=self.base_url,
            timeout=CHECK_TIMEOUT_S,
            max_attempts=1,
            retry_deadline=CHECK_TIMEOUT_S,
            requests_per_second=None,
        )
        try:
            me = await probe.me()
            zone = await probe.account_zone()
            try:
                plan: str | None = (await probe.plan()).name
            except ClickMeterError:
                plan = None  # the plan is shown, not needed: the key works
        finally:
            await probe.aclose()
        person = " ".join(p for p in (me.first_name, me.last_name) if p)
        name = me.company_name or person or me.email or "your ClickMeter account"
        return Connected(name, zone.key, plan)

    async def connect(self, team_id: str, user_id: str | None, api_key: str) -> Connected:
        """Check `api_key`, then store it (encrypted) as `team_id`'s account; the workspace's
        next command uses it."""
        account = await self.check(api_key)
        await self.db.ensure_schema()
        async with self.db.transaction() as tx:
            await tx.accounts.connect(
                team_id,
                self.box.seal(api_key),
                NewAccount(account.account_name, account.time_zone, account.plan),
                user_id,
            )
        await self._forget(team_id)
        log.info("workspace %s connected a ClickMeter account", team_id)
        return account

    async def disconnect(self, team_id: str) -> bool:
        """Delete `team_id`'s key and close its client; whether it had one."""
        await self.db.ensure_schema()
        async with self.db.transaction() as tx:
            had = await tx.accounts.disconnect(team_id)
        await self._forget(team_id)
        return had

    async def _forget(self, team_id: str) -> None:
        async with self._lock:
            cached = self._clients.pop(team_id, None)
        if cached is not None:
            await cached[1].aclose()

    async def aclose(self) -> None:
        async with self._lock:
            clients, self._clients = [c for _, c in self._clients.values()], {}
        for client in clients:
            await client.aclose()
