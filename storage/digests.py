"""Digests: what `digest add/list/remove` store, and what the digest runner reads and marks.

Team-facing methods take the team id and never show another team's digests. Removal is soft
(`removed_at`). `mark_run` is the runner's record of a run: it moves `last_run_for` forward
only (a compare-and-set), so two workers racing on the same digest mark it once. Methods run
inside the caller's transaction (`Database.transaction()`) and flush.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from typing import get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import or_, update

from storage.models import Cadence, Digest
from storage.owned import TeamRows
from storage.types import utcnow

_HH_MM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


class Digests(TeamRows[Digest]):
    model = Digest
    # `mark_run` updates rows in bulk, behind the session's back.
    refresh = True

    async def add(
        self,
        team_id: str,
        *,
        created_by: str,
        channel_id: str,
        at_time: str,
        timezone: str,
        cadence: Cadence = "daily",
        weekday: int | None = None,
        reports: Sequence[str] = ("countries", "referrers"),
        links_filter: str | None = None,
        next_run_at: datetime | None = None,
        now: datetime | None = None,
    ) -> Digest:
        """Store a new active digest. Raises ValueError for a bad cadence/weekday pair, a time
        that is not 'HH:MM' or an unknown IANA zone."""
        if cadence not in get_args(Cadence):
            raise ValueError(f"unknown cadence {cadence!r}")
        if (cadence == "weekly") != (weekday is not None):
            raise ValueError("a weekly digest needs a weekday, and only a weekly one")
        if weekday is not None and not 0 <= weekday <= 6:
            raise ValueError("weekday is 0 (Monday) to 6 (Sunday)")
        if not _HH_MM.fullmatch(at_time):
            raise ValueError(f"at_time must be 'HH:MM', not {at_time!r}")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {timezone!r}") from error
        digest = Digest(
            team_id=team_id,
            created_by=created_by,
            channel_id=channel_id,
            cadence=cadence,
            weekday=weekday,
            at_time=at_time,
            timezone=timezone,
            reports=list(reports),
            links_filter=links_filter,
            created_at=now or utcnow(),
            next_run_at=next_run_at,
        )
        self.session.add(digest)
        await self.session.flush()
        return digest

    async def mark_run(self, digest_id: int, local_day: date, next_run_at: datetime | None) -> bool:
        """Record that the digest of `local_day` was enqueued (or skipped), and when the next
        one is due. True if this call moved `last_run_for` forward; False if the digest is
        gone or already marked for `local_day` or later (another worker got there first)."""
        result = await self.session.execute(
            update(Digest)
            .where(
                Digest.id == digest_id,
                Digest.removed_at.is_(None),
                or_(Digest.last_run_for.is_(None), Digest.last_run_for < local_day),
            )
            .values(last_run_for=local_day, next_run_at=next_run_at)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def set_next_run(self, digest_id: int, next_run_at: datetime | None) -> None:
        """Refresh the displayed next run (e.g. when it was never computed)."""
        await self.session.execute(
            update(Digest)
            .where(Digest.id == digest_id)
            .values(next_run_at=next_run_at)
            .execution_options(synchronize_session=False)
        )
