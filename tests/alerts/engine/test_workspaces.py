"""Distribution mode's poll cycle: several workspaces, each connected to its own sandbox
account (one sandbox serving several keys), each polled with its own client and time zone,
and one whose key ClickMeter refuses disturbing none of the others."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from alerts.accounts import WorkspaceClients
from alerts.digests.runner import run_due_digests
from alerts.engine import EngineConfig, Poller
from clickmeter import ClickMeterClient
from devtools.sandbox.config import OtherAccount
from storage import CounterSnapshot, Database, OutboxItem
from storage.accounts import KeyBox, NewAccount
from tests.conftest import Sandbox
from tests.storage.conftest import Backend

TEAM_A, TEAM_B, TEAM_C = "T0AAAAAAA", "T0BBBBBBB", "T0CCCCCCC"
SECOND_KEY = "5d2a9c1e-7b3f-4e8a-9c0d-1f2e3a4b5c6d"
#: A key no sandbox account has: what a revoked key looks like to the poller.
REVOKED_KEY = "deadbeef-0000-4000-8000-000000000000"
SECRET_KEY = "q3Vj0n3wzH9YQm8mXj4pJ2k6Vb1cR5tU7yA0dE9fG2s="
POLL = 300.0


@dataclass
class Tenants:
    sandbox: Sandbox
    db: Database
    workspaces: WorkspaceClients
    poller: Poller
    now: datetime

    def control(self, key: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.sandbox.raw.post(f"/_sandbox/{action}{self._which(key)}", json=body)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def _which(self, key: str) -> str:
        return "" if key == self.sandbox.api_key else f"?account={key}"

    def state(self, key: str) -> dict[str, Any]:
        result: dict[str, Any] = self.sandbox.raw.get(f"/_sandbox/state{self._which(key)}").json()
        return result

    def advance(self, seconds: float) -> None:
        """Both accounts' clocks on by `seconds` (the poller's clock follows the first)."""
        answer = self.control(self.sandbox.api_key, "clock", {"advance_seconds": seconds})
        self.control(SECOND_KEY, "clock", {"advance_seconds": seconds})
        self.now = datetime.fromisoformat(answer["now"])

    def link_clicks(self, key: str) -> int:
        """Today's clicks on the account's tracking links, as the sandbox counts them."""
        return sum(d["today_clicks"] for d in self.state(key)["datapoints"] if d["type"] == 0)

    async def account_snapshot(self, team: str) -> int:
        async with self.db.reading() as tx:
            rows = await tx.session.scalars(
                select(CounterSnapshot.total_clicks)
                .where(CounterSnapshot.team_id == team, CounterSnapshot.subject == "account")
                .order_by(CounterSnapshot.observed_at.desc())
            )
            return next(iter(rows))

    async def notices(self, team: str) -> list[str]:
        async with self.db.reading() as tx:
            items = await tx.session.scalars(
                select(OutboxItem).where(OutboxItem.team_id == team).order_by(OutboxItem.id)
            )
            return [item.payload["notice"]["kind"] for item in items if item.kind != "slack.digest"]


@pytest.fixture
async def tenants(
    backend: Backend, make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> AsyncIterator[Tenants]:
    sandbox = make_sandbox(others=(OtherAccount(SECOND_KEY, timezone="Tokyo Standard Time"),))
    sandbox.raw.post(f"/_sandbox/clock?account={SECOND_KEY}", json={"frozen": True})
    db = backend.open()
    box = KeyBox(SecretStr(SECRET_KEY))
    async with db.transaction() as tx:
        for team, key, zone in (
            (TEAM_A, sandbox.api_key, "Europe/Berlin"),
            (TEAM_B, SECOND_KEY, "Asia/Tokyo"),
            (TEAM_C, REVOKED_KEY, "UTC"),
        ):
            await tx.accounts.connect(team, box.seal(key), NewAccount(team, zone, None), "U1")
    workspaces = WorkspaceClients(
        db,
        box,
        base_url=sandbox.url,
        make_client=lambda key, zone: ClickMeterClient(
            key.get_secret_value(),
            base_url=sandbox.url,
            zone=zone,
            requests_per_second=None,
            max_attempts=1,
        ),
    )
    now = datetime.fromisoformat(sandbox.control("clock", {})["now"])
    found = Tenants(sandbox, db, workspaces, None, now)  # type: ignore[arg-type]
    found.poller = Poller(db, workspaces, EngineConfig(poll_seconds=POLL), clock=lambda: found.now)
    yield found
    await workspaces.aclose()


async def _add_rules(tenants: Tenants) -> None:
    async with tenants.db.transaction() as tx:
        for team in (TEAM_A, TEAM_B, TEAM_C):
            await tx.rules.add(
                team,
                created_by="U1",
                channel_id="C1",
                scope_kind="account",
                scope_ref="account",
                scope_label="the account",
                condition="threshold",
                threshold=3000,
                window_seconds=900,
                now=tenants.now,
            )


async def test_each_workspace_is_read_with_its_own_account_and_zone(tenants: Tenants) -> None:
    await _add_rules(tenants)
    first = await tenants.poller.run_cycle()
    by_team = {w.team_id: w for w in first.workspaces}
    assert (by_team[TEAM_A].ok, by_team[TEAM_B].ok, by_team[TEAM_C].ok) == (True, True, False)
    assert by_team[TEAM_A].calls == by_team[TEAM_B].calls == 1  # 30 links: one page each
    assert first.calls == 2
    assert first.teams == 3
    # Each workspace's snapshot holds its own account's clicks, not the other's.
    a, b = tenants.link_clicks(tenants.sandbox.api_key), tenants.link_clicks(SECOND_KEY)
    assert a != b
    assert await tenants.account_snapshot(TEAM_A) == a
    assert await tenants.account_snapshot(TEAM_B) == b
    # The second account's day is Tokyo's: its snapshot is stamped with that local day.
    async with tenants.db.reading() as tx:
        day_b = await tx.session.scalar(
            select(CounterSnapshot.local_day).where(CounterSnapshot.team_id == TEAM_B)
        )
    assert day_b == tenants.now.astimezone(ZoneInfo("Asia/Tokyo")).date()


async def test_a_spike_alerts_only_its_workspace_and_a_revoked_key_only_its_own(
    tenants: Tenants,
) -> None:
    await _add_rules(tenants)
    await tenants.poller.run_cycle()
    link = next(d["id"] for d in tenants.state(SECOND_KEY)["datapoints"] if d["type"] == 0)
    tenants.control(SECOND_KEY, "spike", {"datapoint_id": link, "clicks_per_minute": 600})
    for _ in range(3):
        tenants.advance(POLL)
        report = await tenants.poller.run_cycle()
        assert [w.team_id for w in report.workspaces if not w.ok] == [TEAM_C]
    assert await tenants.notices(TEAM_A) == []
    assert await tenants.notices(TEAM_B) == ["firing"]
    assert await tenants.notices(TEAM_C) == ["outage"]  # after 3 refused reads, told once


async def test_a_workspace_without_an_account_is_skipped_and_disconnect_closes_its_client(
    tenants: Tenants,
) -> None:
    await _add_rules(tenants)
    await tenants.poller.run_cycle()
    client = tenants.workspaces._clients[TEAM_A][1]
    # Disconnected through another process (the web app): the worker's cycle notices.
    async with tenants.db.transaction() as tx:
        assert await tx.accounts.disconnect(TEAM_A)
    report = await tenants.poller.run_cycle()
    assert client._http._client.is_closed
    skipped = {w.team_id: w.skipped for w in report.workspaces}
    assert skipped == {TEAM_A: "no account", TEAM_B: None, TEAM_C: None}
    assert report.tally.items == 0


async def test_digests_use_each_workspace_s_account(tenants: Tenants) -> None:
    yesterday = tenants.now - timedelta(days=1)
    async with tenants.db.transaction() as tx:
        for team in (TEAM_A, TEAM_B):
            digest = await tx.digests.add(
                team,
                created_by="U1",
                channel_id="C1",
                at_time="13:00",  # the sandbox's clock says 13:30 UTC
                timezone="UTC",
                now=yesterday,
            )
            await tx.digests.mark_run(digest.id, yesterday.date(), None)
    runs = await run_due_digests(tenants.db, tenants.workspaces, tenants.now)
    assert sorted((r.team_id, r.outcome) for r in runs) == [
        (TEAM_A, "enqueued"),
        (TEAM_B, "enqueued"),
    ]
    async with tenants.db.reading() as tx:
        items = list(await tx.session.scalars(select(OutboxItem).order_by(OutboxItem.team_id)))
    contents = [item.payload["digest"]["content"] for item in items]
    # Each in its own account's zone, with its own account's clicks.
    assert [c["zone"] for c in contents] == ["Europe/Berlin", "Asia/Tokyo"]
    assert contents[0]["totals"] != contents[1]["totals"]
