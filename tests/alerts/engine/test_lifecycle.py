"""Lifecycle details: repeat-interval updates, a mute over an announced episode, midnight."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from alerts.engine import EngineConfig
from tests.alerts.engine.conftest import POLL, TEAM, Engine


async def _fire(engine: Engine, link: int, minutes: float) -> None:
    engine.sandbox.control(
        "spike", {"datapoint_id": link, "clicks_per_minute": 60, "minutes": minutes}
    )
    for _ in range(2):
        if (await engine.cycle()).tally.fired:
            return
    raise AssertionError("the spike did not fire")


async def test_a_long_episode_is_updated_once_per_repeat_interval(
    make_engine: Callable[..., Engine],
) -> None:
    config = EngineConfig(poll_seconds=POLL, repeat_interval=timedelta(minutes=15))
    engine = make_engine(config=config)
    link = engine.busiest()
    await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.add_webhook()
    await engine.cycle(0)
    await _fire(engine, link, minutes=40)
    for _ in range(6):  # 30 more minutes of the spike: two repeat intervals
        await engine.cycle()
    items = await engine.outbox()
    post = items[0]
    updates = [i for i in items if i.payload["notice"]["kind"] == "update"]
    slack_updates = [i for i in updates if i.kind == "slack.update"]
    assert [i.dedupe_key for i in slack_updates] == [
        f"ep{post.episode_id}:update:1",
        f"ep{post.episode_id}:update:2",
    ]
    assert all(i.depends_on == post.id for i in slack_updates)  # edits of the post
    assert len(updates) == 4  # and the webhook, each time
    assert [i.kind for i in items].count("slack.post") == 1  # never a new message


async def test_an_announced_episode_ending_during_a_mute_gets_its_resolved_edit_only(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    link = engine.busiest()
    rule = await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.add_webhook()
    await engine.cycle(0)
    await _fire(engine, link, minutes=10)
    async with engine.db.transaction() as tx:  # "Mute 1h" pressed on the alert
        await tx.rules.mute(TEAM, rule.id, engine.clock.now + timedelta(hours=1))
    for _ in range(8):
        if (await engine.cycle()).tally.resolved:
            break
    assert await engine.kinds() == [
        ("slack.post", "firing"),
        ("webhook", "firing"),
        ("slack.update", "resolved"),  # the post no longer says "firing"; nothing else
    ]


async def test_midnight_passes_without_a_false_alert(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine()
    await engine.add_rule(condition="drop", sensitivity="high")  # the most midnight-prone
    await engine.add_rule(condition="spike", sensitivity="high")
    zone = ZoneInfo(engine.sandbox.state()["iana_timezone"])
    local = engine.clock.now.astimezone(zone)
    before_midnight = datetime(local.year, local.month, local.day, 23, 42, tzinfo=zone)
    engine.clock.advance((before_midnight - engine.clock.now).total_seconds())
    await engine.cycle(0)
    reports = [await engine.cycle() for _ in range(8)]  # 23:47 .. 00:22
    assert all(r.ok for r in reports)
    assert sum(r.tally.fired for r in reports) == 0
    assert all(r.stepped == 2 for r in reports)  # the cycle after midnight is judged too
    async with engine.db.transaction() as tx:
        today = engine.clock.now.astimezone(zone).date()
        snapshots = await tx.polls.snapshots_for_day(TEAM, today)
    assert [s.subject for s in snapshots] == ["account"]
    assert snapshots[0].total_clicks < 100  # the new day's counter, from zero


async def test_removing_a_firing_rule_resolves_its_episode(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    link = engine.busiest()
    rule = await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.add_rule(  # another rule keeps the team polled (and never fires)
        condition="threshold", threshold=10**9, window_seconds=900, sensitivity=None
    )
    await engine.cycle(0)
    await _fire(engine, link, minutes=30)
    async with engine.db.transaction() as tx:
        await tx.rules.remove(TEAM, rule.id)
    report = await engine.cycle()
    assert report.tally.resolved == 1
    assert (await engine.kinds())[-1] == ("slack.update", "resolved")  # the post is edited
    async with engine.db.transaction() as tx:
        assert await tx.episodes.list_open(TEAM) == []


async def test_a_rule_with_a_malformed_scope_is_skipped_not_fatal(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    await engine.add_rule(scope_kind="link", scope_ref="spring-sale", scope_label="?")
    await engine.add_rule()
    await engine.cycle(0)
    report = await engine.cycle()
    assert report.ok
    assert report.rules == 1
    assert report.stepped == 1
