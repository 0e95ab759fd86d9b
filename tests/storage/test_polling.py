"""Poll state and counter snapshots, per team."""

from __future__ import annotations

from datetime import date

from storage import Database, Snapshot
from storage.subjects import ACCOUNT, Subject
from tests.storage.helpers import OTHER_TEAM, TEAM, at

MONDAY, TUESDAY = date(2026, 3, 16), date(2026, 3, 17)
LINK = Subject("datapoint", "1")


async def test_poll_state_get_and_put(database: Database) -> None:
    async with database.transaction() as tx:
        assert await tx.polls.get(TEAM) is None
        await tx.polls.put(
            TEAM,
            last_cycle_at=at(0),
            last_success_at=None,
            consecutive_failures=1,
            outage_notified=False,
        )
    async with database.transaction() as tx:
        await tx.polls.put(
            TEAM,
            last_cycle_at=at(60),
            last_success_at=at(60),
            consecutive_failures=0,
            outage_notified=True,
        )
    async with database.transaction() as tx:
        state = await tx.polls.get(TEAM)
        assert state is not None
        assert (state.last_cycle_at, state.last_success_at) == (at(60), at(60))
        assert (state.consecutive_failures, state.outage_notified) == (0, True)
        assert await tx.polls.get(OTHER_TEAM) is None


async def test_snapshots_are_replaced_per_subject_and_day(database: Database) -> None:
    async with database.transaction() as tx:
        stored = await tx.polls.put_snapshots(
            TEAM,
            [
                Snapshot(ACCOUNT, MONDAY, 100, at(0)),
                Snapshot(LINK, MONDAY, 7, at(0)),
            ],
        )
        assert stored == 2
        assert await tx.polls.put_snapshots(TEAM, []) == 0
    async with database.transaction() as tx:
        await tx.polls.put_snapshots(
            TEAM,
            [
                Snapshot(ACCOUNT, MONDAY, 130, at(60)),
                Snapshot(ACCOUNT, TUESDAY, 4, at(120)),
            ],
        )
        monday = await tx.polls.get_snapshot(TEAM, ACCOUNT, MONDAY)
        assert monday is not None
        assert (monday.total_clicks, monday.observed_at) == (130, at(60))
    async with database.transaction() as tx:
        latest = await tx.polls.latest_snapshot(TEAM, ACCOUNT)
        assert latest is not None
        assert (latest.local_day, latest.total_clicks) == (TUESDAY, 4)
        day = await tx.polls.snapshots_for_day(TEAM, MONDAY)
        assert [(row.subject, row.total_clicks) for row in day] == [
            ("account", 130),
            ("datapoint:1", 7),
        ]
        assert await tx.polls.get_snapshot(TEAM, LINK, TUESDAY) is None


async def test_snapshots_are_scoped_by_team_and_pruned_by_day(database: Database) -> None:
    async with database.transaction() as tx:
        await tx.polls.put_snapshots(OTHER_TEAM, [Snapshot(ACCOUNT, MONDAY, 9, at(0))])
        await tx.polls.put_snapshots(TEAM, [Snapshot(ACCOUNT, TUESDAY, 5, at(0))])
    async with database.transaction() as tx:
        assert await tx.polls.get_snapshot(TEAM, ACCOUNT, MONDAY) is None
        assert await tx.polls.snapshots_for_day(TEAM, MONDAY) == []
        theirs = await tx.polls.latest_snapshot(OTHER_TEAM, ACCOUNT)
        assert theirs is not None
        assert theirs.total_clicks == 9
        assert await tx.polls.prune_snapshots(before=TUESDAY) == 1
    async with database.transaction() as tx:
        assert await tx.polls.latest_snapshot(OTHER_TEAM, ACCOUNT) is None
        assert await tx.polls.latest_snapshot(TEAM, ACCOUNT) is not None
