"""Which workspaces this worker polls: leases in the database, so that each workspace's poll
cycle runs in exactly one worker at a time, spread over the workers that are alive.

    leases = WorkspaceLeases(db, ttl=150)
    held = await leases.claim(teams)            # each cycle: team id -> fence
    async with db.transaction() as tx:
        if not await leases.holds(tx, team):    # locks the lease row until commit
            raise LeaseLost(team)
        ...                                     # detector state, episodes, outbox

Why lease rows and not PostgreSQL advisory locks: an advisory lock lives as long as the
session that took it, so each worker would pin a connection per lease outside the pool, a
stalled (not dead) process keeps its locks for as long as its TCP connection stays up, and
SQLite has none, so single-process deployments would run other code. A lease row expires on
its own (`expires_at`), carries a fence (+1 at every change of holder) that the transaction
writing a workspace's state checks under a row lock, shows who polls what, and is the same SQL
on SQLite (where the one process trivially holds every lease).

What callers can rely on:
- `claim(teams)` beats this worker's heartbeat, renews the leases it holds among `teams`, gives
  back those above its share (⌈teams / live workers⌉, so a worker that joins gets work within
  a cycle or two) and claims free or expired ones up to its share, in random order with
  `SKIP LOCKED` (two workers claiming at once take different workspaces).
- A lease lasts `ttl` seconds (the worker uses half a poll interval) and is renewed by `renew`
  between cycles (every third of `ttl`), so it never lapses while its worker lives; when a
  worker dies, its leases expire within `ttl` and the next `claim` elsewhere takes them.
- `holds(tx, team)` is True only while this worker still holds `team` at the fence it claimed
  it with; it locks the row, so no other worker can take it before `tx` ends.
- `release_all` (a worker stopping) frees its leases at once for the others.
- Expiry is judged by each worker's own clock: the workers' clocks must agree to well within a
  lease (NTP does; a lease lasts minutes at the default interval).
"""

from __future__ import annotations

import logging
import math
import os
import socket
import uuid
from collections.abc import Callable, Collection
from datetime import datetime, timedelta
from functools import cache

from storage import Database, Transaction, utcnow

logger = logging.getLogger("clickbot.leases")


class LeaseLost(Exception):
    """This worker no longer holds the workspace's lease: what it computed is not stored."""


def worker_id() -> str:
    """This process's name, unique across restarts: host, pid and a random suffix. The same
    for every poller of the process (a demo or `clickbot run` may make several in turn, and
    each must find the leases the one before held)."""
    return _process_name(os.getpid())


@cache
def _process_name(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{uuid.uuid4().hex[:8]}"


class WorkspaceLeases:
    """This worker's leases (see the module docstring)."""

    def __init__(
        self,
        db: Database,
        *,
        ttl: float,
        holder: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.ttl = timedelta(seconds=ttl)
        self.holder = holder or worker_id()
        #: Leases are about processes being alive: always the real clock, never a test's.
        self.clock = clock
        #: What this worker holds: team id -> fence.
        self.held: dict[str, int] = {}
        #: Claimed from another worker that gave them back or let them lapse (not one that
        #: stopped cleanly), not polled since.
        self.fresh: set[str] = set()
        #: How many workers were alive at the last claim.
        self.live = 1

    async def claim(self, teams: Collection[str]) -> dict[str, int]:
        """Renew, give back and claim (see the module docstring); returns what is held."""
        wanted = sorted(set(teams))
        now = self.clock()
        until = now + self.ttl
        async with self.db.transaction() as tx:
            self.live = max(1, len(await tx.leases.beat(self.holder, until, now)))
            await tx.leases.ensure(wanted, now)
            held = await tx.leases.renew(self.holder, wanted, until, now)
            share = math.ceil(len(wanted) / self.live)
            if len(held) > share:
                extra = sorted(held)[share:]
                await tx.leases.release(self.holder, extra, now)
                for team in extra:
                    del held[team]
            claimed = await tx.leases.claim(self.holder, wanted, share - len(held), until, now)
        held |= {team: fence for team, (fence, _) in claimed.items()}
        # Given back (sharing out) or lapsed, perhaps just after a poll; not after a clean stop.
        self.fresh |= {t for t, (_, before) in claimed.items() if before not in (None, self.holder)}
        self._note(held)
        return dict(held)

    async def renew(self) -> dict[str, int]:
        """Keep this worker alive and its leases from expiring; returns what is still held."""
        now = self.clock()
        until = now + self.ttl
        async with self.db.transaction() as tx:
            self.live = max(1, len(await tx.leases.beat(self.holder, until, now)))
            held = await tx.leases.renew(self.holder, None, until, now)
        self._note(held)
        return dict(held)

    async def holds(self, tx: Transaction, team_id: str) -> bool:
        fence = self.held.get(team_id)
        if fence is None:
            return False
        return await tx.leases.holds(team_id, self.holder, fence, self.clock())

    async def release_all(self) -> None:
        async with self.db.transaction() as tx:
            await tx.leases.forget(self.holder, self.clock())
        self.held = {}

    def _note(self, held: dict[str, int]) -> None:
        gained = sorted(set(held) - set(self.held))
        lost = sorted(set(self.held) - set(held))
        if gained or lost:
            logger.info(
                "leases: %d workspace(s) held, %d gained, %d given up or lost (%d worker(s) alive)",
                len(held),
                len(gained),
                len(lost),
                self.live,
            )
        self.held = held
        self.fresh &= set(held)
