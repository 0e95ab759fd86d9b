"""`GET /healthz`: can this deployment serve, and is its worker keeping up?

The web process answers 503 only when it cannot do its own job (the database is unreachable).
A worker that has fallen behind is reported in the body, not by failing the web process's
health check: restarting the web process would not help it. The check is cheap and read-only:
bounded counts of the undelivered and dead items only (on the status index, at most
`COUNT_CAP` each), in a transaction that takes no write lock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.metrics import OUTBOX_DEAD, OUTBOX_DEPTH
from bot.services import Services
from storage import utcnow
from storage.outbox_upkeep import UNDELIVERED

log = logging.getLogger(__name__)

#: A worker whose last poll is older than this many intervals is late.
LATE_AFTER_INTERVALS = 3
#: The outbox counts stop here ("at least this many"): a check stays cheap whatever the backlog.
COUNT_CAP = 10_000


async def health_report(
    services: Services, now: datetime | None = None
) -> tuple[int, dict[str, Any]]:
    """The HTTP status and JSON body of `/healthz`; also refreshes the outbox gauges."""
    now = now or utcnow()
    db = services.db
    if db is None:
        return 200, {"ok": True, "database": {"configured": False}}
    try:
        async with db.reading() as tx:
            depth = await tx.outbox.count_capped(UNDELIVERED, COUNT_CAP)
            dead = await tx.outbox.count_capped(("dead",), COUNT_CAP)
            polling = await tx.polls.overview()
    except Exception as exc:  # any database failure is the answer here, not a crash
        log.warning("health check: the database is unreachable: %s", type(exc).__name__)
        return 503, {"ok": False, "database": {"ok": False, "error": type(exc).__name__}}
    OUTBOX_DEPTH.set(depth)
    OUTBOX_DEAD.set(dead)
    late_after = timedelta(seconds=services.poll_seconds * LATE_AFTER_INTERVALS)
    last = polling.last_cycle_at
    scheduler = {
        "last_poll_at": last.isoformat() if last else None,
        "last_success_at": (
            polling.last_success_at.isoformat() if polling.last_success_at else None
        ),
        "consecutive_failures": polling.consecutive_failures,
        "teams": polling.teams,
        # No team polled yet means no rules yet, not a late worker.
        "late": last is not None and now - last > late_after,
    }
    body = {
        "ok": not scheduler["late"],
        "database": {"ok": True},
        "scheduler": scheduler,
        "outbox": {"depth": depth, "dead": dead},
    }
    return 200, body
