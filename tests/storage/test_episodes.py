"""Episodes: open, update, resolve, one open per (rule, subject), scoped by team."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from storage import AlertEpisode, Database, EpisodeAlreadyOpen, Transaction
from tests.storage.helpers import OTHER_TEAM, TEAM, add_rule, at


async def _open(tx: Transaction, rule_id: int, subject: str = "account", seconds: int = 0) -> int:
    episode = await tx.episodes.open(
        TEAM,
        rule_id,
        subject=subject,
        kind="threshold",
        observed=150,
        expected=100,
        details={"window": 3600},
        now=at(seconds),
    )
    return episode.id


async def test_open_update_resolve(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        episode_id = await _open(tx, rule.id)
    async with database.transaction() as tx:
        episode = await tx.episodes.get_open(TEAM, rule.id, "account")
        assert episode is not None
        assert episode.id == episode_id
        assert (episode.state, episode.started_at, episode.details) == (
            "firing",
            at(0),
            {"window": 3600},
        )
        updated = await tx.episodes.update(
            TEAM, episode_id, observed=180, expected=100, details={"peak": 180}, now=at(60)
        )
        assert updated is not None
        assert await tx.episodes.set_message(TEAM, episode_id, channel="C0001", ts="1.000100")
    async with database.transaction() as tx:
        episode = await tx.episodes.get(TEAM, episode_id)
        assert episode is not None
        assert (episode.observed, episode.details, episode.last_update_at) == (
            180,
            {"peak": 180},
            at(60),
        )
        assert (episode.slack_channel, episode.slack_ts) == ("C0001", "1.000100")
        resolved = await tx.episodes.resolve(TEAM, episode_id, observed=90, now=at(120))
        assert resolved is not None
        assert await tx.episodes.resolve(TEAM, episode_id, now=at(180)) is None
        assert await tx.episodes.update(TEAM, episode_id, observed=1, expected=1) is None
    async with database.transaction() as tx:
        episode = await tx.episodes.get(TEAM, episode_id)
        assert episode is not None
        assert (episode.state, episode.resolved_at, episode.observed) == ("resolved", at(120), 90)
        assert await tx.episodes.get_open(TEAM, rule.id, "account") is None


async def test_one_open_episode_per_rule_and_subject(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        first = await _open(tx, rule.id)
        await _open(tx, rule.id, subject="datapoint:7")  # another subject is fine
        with pytest.raises(EpisodeAlreadyOpen):
            await _open(tx, rule.id)
        # The transaction is still usable after the refusal.
        await tx.episodes.resolve(TEAM, first, now=at(10))
        second = await _open(tx, rule.id, seconds=20)  # after resolving, a new one may open
    assert second != first
    async with database.transaction() as tx:
        assert [episode.id for episode in await tx.episodes.list_open(TEAM, rule.id)] == [
            first + 1,
            second,
        ]


async def test_the_database_itself_refuses_a_second_open_episode(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        await _open(tx, rule.id)
    with pytest.raises(IntegrityError):
        async with database.transaction() as tx:
            tx.session.add(
                AlertEpisode(
                    team_id=TEAM,
                    rule_id=rule.id,
                    subject="account",
                    kind="threshold",
                    state="firing",
                    started_at=at(5),
                    last_update_at=at(5),
                    observed=1,
                    expected=1,
                    details={},
                )
            )


async def test_list_recent_newest_first(database: Database) -> None:
    async with database.transaction() as tx:
        rule = await add_rule(tx)
        other = await add_rule(tx)
        ids = [await _open(tx, rule.id, subject=f"datapoint:{n}", seconds=n) for n in range(3)]
        elsewhere = await _open(tx, other.id, seconds=10)
    async with database.transaction() as tx:
        recent = await tx.episodes.list_recent(TEAM, limit=3)
        assert [episode.id for episode in recent] == [elsewhere, ids[2], ids[1]]
        of_rule = await tx.episodes.list_recent(TEAM, rule_id=rule.id)
        assert [episode.id for episode in of_rule] == ids[::-1]


async def test_one_team_never_sees_or_changes_anothers_episodes(database: Database) -> None:
    async with database.transaction() as tx:
        theirs = await add_rule(tx, OTHER_TEAM)
        episode = await tx.episodes.open(
            OTHER_TEAM, theirs.id, subject="account", kind="drop", observed=1, expected=10
        )
    async with database.transaction() as tx:
        with pytest.raises(LookupError):
            await _open(tx, theirs.id)
        assert await tx.episodes.get(TEAM, episode.id) is None
        assert await tx.episodes.get_open(TEAM, theirs.id, "account") is None
        assert await tx.episodes.list_open(TEAM) == []
        assert await tx.episodes.list_recent(TEAM) == []
        assert await tx.episodes.update(TEAM, episode.id, observed=0, expected=0) is None
        assert await tx.episodes.set_message(TEAM, episode.id, channel="C", ts="1") is None
        assert await tx.episodes.resolve(TEAM, episode.id) is None
    async with database.transaction() as tx:
        untouched = await tx.episodes.get(OTHER_TEAM, episode.id)
        assert untouched is not None
        assert (untouched.state, untouched.observed, untouched.slack_ts) == ("firing", 1, None)
