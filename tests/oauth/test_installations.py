"""`Installations` on each backend: uninstall marks, and what the purge deletes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from storage import AlertRule, Database
from storage.models import UninstalledTeam
from tests.storage.conftest import Backend
from tests.storage.helpers import add_rule

AT = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)


async def test_a_repeated_uninstall_keeps_the_first_time(backend: Backend) -> None:
    db: Database = backend.open()
    async with db.transaction() as tx:
        await tx.installations.mark_uninstalled("T0GONE", AT)
    async with db.transaction() as tx:
        await tx.installations.mark_uninstalled("T0GONE", AT + timedelta(hours=1))
    async with db.transaction() as tx:
        assert await tx.installations.uninstalled_at("T0GONE") == AT
        count = await tx.session.scalar(select(func.count()).select_from(UninstalledTeam))
        assert count == 1


async def test_the_purge_takes_only_what_is_due(backend: Backend) -> None:
    db: Database = backend.open()
    async with db.transaction() as tx:
        for team in ("T0OLD", "T0NEW", "T0KEPT"):
            await add_rule(tx, team)
        await tx.installations.mark_uninstalled("T0OLD", AT - timedelta(days=40))
        await tx.installations.mark_uninstalled("T0NEW", AT - timedelta(days=3))
    async with db.transaction() as tx:
        assert await tx.installations.purge_uninstalled(AT - timedelta(days=30)) == ["T0OLD"]
    async with db.transaction() as tx:
        teams = sorted(await tx.session.scalars(select(AlertRule.team_id)))
        assert teams == ["T0KEPT", "T0NEW"]
        assert await tx.installations.uninstalled_at("T0OLD") is None
        assert await tx.installations.uninstalled_at("T0NEW") is not None
