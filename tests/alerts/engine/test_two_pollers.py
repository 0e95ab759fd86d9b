"""Two pollers (two workers' worth of leases) on one database against one running alone: every
cycle both try, the leases let one poll each workspace; halfway through, during a spike, the
one holding the workspaces dies and the other takes them over. The detector states, episodes
and outbox come out exactly as the lone poller's: no cycle twice, none lost, no flip.

The sandbox's clock is frozen and moved on by hand, so both databases see the same numbers at
the same instants; the leases run on the real clock (the dead one's are made to expire by
moving the survivor's lease clock past them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from alerts.engine import EngineConfig, Poller
from alerts.engine.leases import WorkspaceLeases
from storage import AlertEpisode, AlertRule, Database, OutboxItem, utcnow
from storage.models import ScopeKind
from tests.alerts.engine.conftest import CHANNEL, POLL, TEAM, Engine
from tests.storage.conftest import Backend

OTHER = "T0SECOND"
LEASE = 60.0


async def _rules(db: Database, link: int, now: datetime) -> None:
    async with db.transaction() as tx:
        for team in (TEAM, OTHER):
            scopes: list[tuple[ScopeKind, str]] = [("account", "account"), ("link", str(link))]
            for kind, ref in scopes:
                await tx.rules.add(
                    team,
                    created_by="U1",
                    channel_id=CHANNEL,
                    scope_kind=kind,
                    scope_ref=ref,
                    scope_label=ref,
                    condition="spike",
                    sensitivity="medium",
                    now=now,
                )


async def _outcome(db: Database) -> dict[str, Any]:
    async with db.reading() as tx:
        rules = list(await tx.session.scalars(select(AlertRule).order_by(AlertRule.id)))
        episodes = list(await tx.session.scalars(select(AlertEpisode)))
        items = await tx.session.scalars(select(OutboxItem).order_by(OutboxItem.id))
    # By what they are, not by id: ids follow the order workspaces commit in, which two pollers
    # interleave (and PostgreSQL's sequences carry on from earlier tests).
    rule = {r.id: (r.team_id, r.scope_ref) for r in rules}
    rule_of = {e.id: rule[e.rule_id] for e in episodes}
    return {
        "states": sorted(
            (*rule[r.id], json.dumps(r.detector_state, sort_keys=True)) for r in rules
        ),
        "episodes": sorted(
            (rule[e.rule_id], e.state, e.started_at, e.resolved_at) for e in episodes
        ),
        "outbox": sorted(
            (i.team_id, i.kind, rule_of.get(i.episode_id or 0), re.sub(r"^ep\d+", "", i.dedupe_key))
            for i in items
        ),
    }


async def test_two_pollers_with_a_takeover_store_what_one_poller_alone_does(
    make_engine: Callable[..., Engine], backend: Backend, tmp_path: Path
) -> None:
    shared = backend.open()
    engine = make_engine(db=shared)
    alone = Database(f"sqlite+aiosqlite:///{tmp_path / 'alone.sqlite3'}")
    await alone.migrate()
    link = engine.busiest()
    for db in (shared, alone):
        await _rules(db, link, engine.clock.now)
    config = EngineConfig(poll_seconds=POLL)
    reference = Poller(alone, engine.client, config, clock=engine.clock)
    lease_a = WorkspaceLeases(shared, ttl=LEASE, holder="a")
    lease_b = WorkspaceLeases(shared, ttl=LEASE, holder="b")
    a = Poller(shared, engine.client, config, clock=engine.clock, leases=lease_a)
    b = Poller(shared, engine.client, config, clock=engine.clock, leases=lease_b)
    await lease_b.renew()  # both alive from the start: the workspaces are shared out

    polled: list[list[int]] = []  # per step: the workspaces each poller polled
    for step in range(12):
        if step:
            engine.clock.advance(POLL)
        if step == 6:
            engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 60})
            # `a` dies: `b`'s next claims come once a's leases have run out.
            lease_b.clock = lambda: utcnow() + timedelta(seconds=LEASE + 1)
        await reference.run_cycle()
        pollers = (a, b) if step < 6 else (b,)
        reports = [await poller.run_cycle() for poller in pollers]
        polled.append([len(report.workspaces) for report in reports])

    # Each step polled both workspaces exactly once in total; shared out while both lived.
    assert all(sum(step) == 2 for step in polled[1:]), polled
    assert polled[3] == [1, 1]
    together, lone = await _outcome(shared), await _outcome(alone)
    assert together == lone
    assert len([key for *_, key in together["outbox"] if key == ":firing"]) > 2  # the spike
    await alone.dispose()
