"""Workspace leases on each backend: shared out between the workers alive, taken over when a
worker stops beating, and checked in the transaction that stores a workspace's cycle."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import func, select

from alerts.engine import EngineConfig, Poller
from alerts.engine.leases import WorkspaceLeases
from clickmeter import ClickMeterClient
from storage import CounterSnapshot, Database, utcnow
from tests.alerts.engine.conftest import Engine, make_client
from tests.storage.conftest import Backend

TEAMS = [f"T{n:08d}" for n in range(10)]
TTL = 30.0


def later(seconds: float) -> Callable[[], datetime]:
    return lambda: utcnow() + timedelta(seconds=seconds)


async def test_two_workers_share_the_workspaces_without_overlap(backend: Backend) -> None:
    db = backend.open()
    a = WorkspaceLeases(db, ttl=TTL, holder="a")
    b = WorkspaceLeases(db, ttl=TTL, holder="b")
    assert set(await a.claim(TEAMS)) == set(TEAMS)  # alone: every workspace
    assert await b.claim(TEAMS) == {}  # all held; b now counts as alive
    assert len(await a.claim(TEAMS)) == 5  # a gives back what is above its share
    assert len(await b.claim(TEAMS)) == 5
    assert set(a.held).isdisjoint(b.held)
    assert set(a.held) | set(b.held) == set(TEAMS)
    # Steady: renewing or claiming again changes nothing.
    assert await a.renew() == a.held
    assert (len(await a.claim(TEAMS)), len(await b.claim(TEAMS))) == (5, 5)


async def test_a_dead_worker_s_workspaces_are_taken_over_once_its_leases_expire(
    backend: Backend,
) -> None:
    db = backend.open()
    a = WorkspaceLeases(db, ttl=TTL, holder="a")
    b = WorkspaceLeases(db, ttl=TTL, holder="b")
    await a.claim(TEAMS)
    await b.claim(TEAMS)
    first = dict(await a.claim(TEAMS))
    await b.claim(TEAMS)
    # `a` dies: b, still within a's lease, takes nothing ...
    assert set(await b.claim(TEAMS)) == set(TEAMS) - set(first)
    # ... and once a's leases and heartbeat ran out, takes everything, with a new fence.
    b.clock = later(TTL + 1)
    held = await b.claim(TEAMS)
    assert set(held) == set(TEAMS)
    assert all(held[team] == fence + 1 for team, fence in first.items())
    async with db.transaction() as tx:
        assert not [t for t in first if await a.holds(tx, t)]  # a can no longer commit


async def test_a_stopping_worker_gives_its_workspaces_back_at_once(backend: Backend) -> None:
    db = backend.open()
    a = WorkspaceLeases(db, ttl=TTL, holder="a")
    b = WorkspaceLeases(db, ttl=TTL, holder="b")
    await a.claim(TEAMS)
    await a.release_all()
    assert set(await b.claim(TEAMS)) == set(TEAMS)  # b alone again: no wait for expiry


class Stealing:
    """A client source that lets another worker take the lease just before the read: what a
    worker stalled mid-cycle (GC pause, lost network) past its lease's expiry looks like."""

    def __init__(self, client: ClickMeterClient, thief: WorkspaceLeases) -> None:
        self.client = client
        self.thief = thief

    async def client_for(self, team_id: str) -> ClickMeterClient | None:
        await self.thief.claim([team_id])
        return self.client


async def test_a_cycle_whose_lease_was_lost_stores_nothing(
    make_engine: Callable[..., Engine], backend: Backend
) -> None:
    db: Database = backend.open()
    engine = make_engine(db=db)
    await engine.add_rule(condition="threshold", threshold=10**6, window_seconds=900)
    client = make_client(engine.sandbox)
    thief = WorkspaceLeases(db, ttl=TTL, holder="thief", clock=later(TTL + 1))
    mine = WorkspaceLeases(db, ttl=TTL, holder="mine")
    poller = Poller(
        db, Stealing(client, thief), EngineConfig(poll_seconds=300), clock=engine.clock, leases=mine
    )
    report = await poller.run_cycle()
    assert [w.skipped for w in report.workspaces] == ["lease lost"]
    assert report.stepped == 0
    async with db.reading() as tx:
        assert await tx.session.scalar(select(func.count()).select_from(CounterSnapshot)) == 0
        assert await tx.polls.get("T0ENGINE") is None
    await client.aclose()


async def test_workspaces_given_back_count_as_just_polled_but_not_after_a_clean_stop(
    backend: Backend,
) -> None:
    db = backend.open()
    a = WorkspaceLeases(db, ttl=TTL, holder="a")
    b = WorkspaceLeases(db, ttl=TTL, holder="b")
    await a.claim(TEAMS)
    assert a.fresh == set()  # no one held them before
    await b.claim(TEAMS)
    await a.claim(TEAMS)  # gives back half, to share out
    await b.claim(TEAMS)
    assert len(b.held) == 5
    assert b.fresh == set(b.held)  # a may have just polled them
    await a.release_all()  # a stops: what it held is no one's, to be polled at once
    c = WorkspaceLeases(db, ttl=TTL, holder="c")
    await c.claim(TEAMS)
    assert set(c.held) == set(TEAMS) - set(b.held)
    assert c.fresh == set()
