"""The claims one delivery pass holds, kept while their items are in flight.

A claim is a lease on an item (`storage.outbox`). `Claims.keep` renews the pass's open claims
every third of the lease (by default), so an item whose send is slow, or which waits behind
others of its lane, is never taken over by another sender while this one still works on it;
the lease itself can then stay short, which is how long a killed sender's items wait. A claim
the renewal finds gone (this sender stalled past its lease and another took the item) is lost:
the pass does not send that item, and `holds` says so. Results are fenced as well: a record
gives the claim's token (`token`) and is ignored by the outbox if the claim was taken over.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from storage import Database, OutboxItem

log = logging.getLogger(__name__)


class Claims:
    def __init__(
        self,
        items: Iterable[OutboxItem],
        lease: timedelta,
        clock: Callable[[], datetime],
        every: float | None = None,
    ) -> None:
        self.lease = lease
        self.clock = clock
        #: Seconds between renewals: a third of the lease leaves two tries before it lapses.
        self.every = every if every is not None else lease.total_seconds() / 3
        self._tokens: dict[int, int] = {}
        self._until: dict[int, datetime] = {}
        self.lost: set[int] = set()
        for item in items:
            self._tokens[item.id] = item.claim_token
            self._until[item.id] = item.lease_expires_at or clock()

    def token(self, item_id: int) -> int:
        """The fencing token of this pass's claim on the item."""
        return self._tokens[item_id]

    def holds(self, item_id: int) -> bool:
        """Whether the claim is still this pass's: not found taken over, and its lease (as
        last renewed) not lapsed, so no other sender can have claimed the item since."""
        until = self._until.get(item_id)
        return item_id not in self.lost and until is not None and self.clock() < until

    def done(self, *item_ids: int) -> None:
        """The items' outcomes are recorded (or they were put back): no more renewals."""
        for item_id in item_ids:
            self._tokens.pop(item_id, None)
            self._until.pop(item_id, None)

    async def renew(self, db: Database) -> None:
        """Renew the open claims once; those not held any more (and not settled by this pass
        meanwhile) are lost."""
        open_claims = dict(self._tokens)
        if not open_claims:
            return
        until = self.clock() + self.lease
        async with db.transaction() as tx:
            held = await tx.outbox.renew(open_claims, until)
        for item_id in open_claims:
            if item_id not in self._tokens:
                continue  # recorded while the renewal was on its way
            if item_id in held:
                self._until[item_id] = until
            elif item_id not in self.lost:
                self.lost.add(item_id)
                log.warning(
                    "outbox item %s: this sender's claim was taken over (it stalled past its "
                    "lease); the item is left to the sender that holds it now",
                    item_id,
                )

    async def keep(self, db: Database) -> None:
        """Renew every `every` seconds until cancelled. A failed renewal (the database briefly
        away) is logged and tried again next time; `holds` turns False once a lease lapses
        unrenewed."""
        while True:
            await asyncio.sleep(self.every)
            try:
                await self.renew(db)
            except Exception:
                log.warning("renewing outbox claims failed; trying again", exc_info=True)
