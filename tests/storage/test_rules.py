"""Rules: add, list, get, remove, mute, state, and one team never sees another's."""

from __future__ import annotations

from typing import Any

import pytest

from storage import Database
from tests.storage.helpers import OTHER_TEAM, TEAM, add_rule, at


async def test_add_then_list_and_get(database: Database) -> None:
    async with database.transaction() as tx:
        first = await add_rule(tx)
        second = await add_rule(
            tx,
            scope_kind="tag",
            scope_ref="spring",
            scope_label="#spring",
            condition="spike",
            threshold=None,
            window_seconds=None,
            sensitivity="high",
        )
    assert first.id < second.id
    async with database.transaction() as tx:
        rules = await tx.rules.list_active(TEAM)
        assert [rule.id for rule in rules] == [first.id, second.id]
        got = await tx.rules.get(TEAM, second.id)
        assert got is not None
        assert (got.condition, got.sensitivity, got.scope_ref) == ("spike", "high", "spring")
        assert got.created_at == at(0)
        assert got.detector_state == {}
        assert got.muted_until is None
        assert got.removed_at is None


@pytest.mark.parametrize(
    "fields",
    [
        {"threshold": None},
        {"window_seconds": 600},
        {"threshold": -1},
        {"condition": "drop", "sensitivity": None},
    ],
)
async def test_add_refuses_incomplete_rules(database: Database, fields: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="rule"):
        async with database.transaction() as tx:
            await add_rule(tx, **fields)


async def test_remove_keeps_the_row_but_hides_it(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        assert await tx.rules.remove(TEAM, rule.id, now=at(60))
        assert not await tx.rules.remove(TEAM, rule.id)
    async with database.transaction() as tx:
        assert await tx.rules.list_active(TEAM) == []
        assert await tx.rules.get(TEAM, rule.id) is None
        removed = await tx.rules.get(TEAM, rule.id, include_removed=True)
        assert removed is not None
        assert removed.removed_at == at(60)
        assert not await tx.rules.mute(TEAM, rule.id, at(120))


async def test_mute_and_unmute(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        assert await tx.rules.mute(TEAM, rule.id, at(3600))
    async with database.transaction() as tx:
        muted = await tx.rules.get(TEAM, rule.id)
        assert muted is not None
        assert muted.muted_until == at(3600)
        assert muted.is_muted(at(60))
        assert not muted.is_muted(at(3600))
        assert await tx.rules.unmute(TEAM, rule.id)
    async with database.transaction() as tx:
        unmuted = await tx.rules.get(TEAM, rule.id)
        assert unmuted is not None
        assert unmuted.muted_until is None


async def test_set_state_and_error_notified(database: Database) -> None:
    state = {"datapoint:1": {"mean": [1.5, 2.0], "seen": 3}, "account": None}
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        assert await tx.rules.set_state(TEAM, rule.id, state)
        assert await tx.rules.set_error_notified(TEAM, rule.id, "not_in_channel")
    async with database.transaction() as tx:
        stored = await tx.rules.get(TEAM, rule.id)
        assert stored is not None
        assert stored.detector_state == state
        assert stored.last_error_notified == "not_in_channel"
        assert await tx.rules.set_error_notified(TEAM, rule.id, None)
    async with database.transaction() as tx:
        cleared = await tx.rules.get(TEAM, rule.id)
        assert cleared is not None
        assert cleared.last_error_notified is None


async def test_all_active_spans_teams(database: Database) -> None:
    async with database.transaction() as tx:
        mine = await add_rule(tx)
        theirs = await add_rule(tx, OTHER_TEAM)
        gone = await add_rule(tx)
        await tx.rules.remove(TEAM, gone.id)
    async with database.transaction() as tx:
        active = await tx.rules.all_active()
        assert [(rule.team_id, rule.id) for rule in active] == [
            (TEAM, mine.id),
            (OTHER_TEAM, theirs.id),
        ]


async def test_one_team_never_sees_or_changes_anothers_rules(database: Database) -> None:
    async with database.transaction() as tx:
        theirs = await add_rule(tx, OTHER_TEAM)
    async with database.transaction() as tx:
        assert await tx.rules.list_active(TEAM) == []
        assert await tx.rules.get(TEAM, theirs.id) is None
        assert await tx.rules.get(TEAM, theirs.id, include_removed=True) is None
        assert not await tx.rules.remove(TEAM, theirs.id)
        assert not await tx.rules.mute(TEAM, theirs.id, at(60))
        assert not await tx.rules.unmute(TEAM, theirs.id)
        assert not await tx.rules.set_state(TEAM, theirs.id, {"x": 1})
        assert not await tx.rules.set_error_notified(TEAM, theirs.id, "oops")
    async with database.transaction() as tx:
        untouched = await tx.rules.get(OTHER_TEAM, theirs.id)
        assert untouched is not None
        assert untouched.muted_until is None
        assert untouched.detector_state == {}
        assert untouched.last_error_notified is None


async def test_update_changes_the_rule_in_place_for_its_team_only(database: Database) -> None:
    changed: dict[str, Any] = {
        "channel_id": "C0OTHER",
        "scope_kind": "tag",
        "scope_ref": "email",
        "scope_label": "links tagged email",
        "condition": "drop",
        "sensitivity": "low",
    }
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        await tx.rules.set_state(TEAM, rule.id, {"level": 3})
        theirs = await add_rule(tx, OTHER_TEAM)
    async with database.transaction() as tx:
        assert await tx.rules.update(OTHER_TEAM, rule.id, **changed) is None
        assert await tx.rules.update(TEAM, theirs.id, **changed) is None
        kept = await tx.rules.update(TEAM, rule.id, **changed)
        assert kept is not None
        assert kept.detector_state == {"level": 3}  # not given: kept
        reset = await tx.rules.update(TEAM, rule.id, detector_state={}, **changed)
        assert reset is not None
    async with database.transaction() as tx:
        got = await tx.rules.get(TEAM, rule.id)
        assert got is not None
        assert (got.condition, got.sensitivity, got.threshold) == ("drop", "low", None)
        assert (got.scope_kind, got.scope_ref, got.channel_id) == ("tag", "email", "C0OTHER")
        assert got.detector_state == {}
        assert got.created_at == at(0)
        with pytest.raises(ValueError, match="threshold"):
            await tx.rules.update(TEAM, rule.id, **{**changed, "condition": "threshold"})
