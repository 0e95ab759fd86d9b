"""The whole poll -> detect -> episode -> outbox path: real HTTP (sandbox), real database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from alerts.detect import SpikeDetector
from alerts.detect.state import load
from alerts.engine import EngineConfig
from storage import Database
from tests.alerts.engine.conftest import CHANNEL, POLL, TEAM, Engine
from tests.storage.conftest import Backend

V4_STATES = Path(__file__).resolve().parents[1] / "detect" / "v4_states.json"

FIRING_ITEMS = [("slack.post", "firing"), ("webhook", "firing")]
RESOLVED_ITEMS = [
    ("slack.update", "resolved"),
    ("slack.reply", "resolved"),
    ("webhook", "resolved"),
]


async def _until(engine: Engine, event: str, cycles: int) -> int:
    """Run cycles until one reports `event` ("fired", "resolved"); returns how many it took."""
    for n in range(1, cycles + 1):
        report = await engine.cycle()
        if getattr(report.tally, event):
            return n
    raise AssertionError(f"no {event} within {cycles} cycles: {engine.reports[-cycles:]}")


async def test_spike_fires_once_within_two_cycles_and_resolves(
    make_engine: Callable[..., Engine], backend: Backend
) -> None:
    engine = make_engine(db=backend.open())
    link = engine.busiest()
    rule = await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top link")
    hook = await engine.add_webhook()
    first = await engine.cycle(0)  # seeds the rule, first snapshot: nothing to judge yet
    assert first.ok
    assert first.seeded == 1
    assert first.stepped == 0
    assert (await engine.cycle()).tally.items == 0  # normal traffic: quiet

    engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 40, "minutes": 10})
    assert await _until(engine, "fired", 2) <= 2
    items = await engine.outbox()
    assert await engine.kinds() == FIRING_ITEMS
    post, webhook = items
    assert post.target == CHANNEL
    assert post.dedupe_key == f"ep{post.episode_id}:firing"
    assert post.payload["channel"] == CHANNEL
    notice = post.payload["notice"]
    assert notice["rule_id"] == rule.id
    assert notice["subject"] == f"datapoint:{link}"
    assert notice["link_id"] == link
    assert notice["observed"] > 2 * notice["expected"]
    assert webhook.payload["webhook_id"] == hook
    assert webhook.target == str(hook)

    # The same cycle again (no time passed) changes nothing.
    again = await engine.poller.run_cycle()
    assert again.stepped == 0
    assert again.tally.items == 0
    assert len(await engine.outbox()) == 2

    await _until(engine, "resolved", 8)
    kinds = await engine.kinds()
    assert kinds == FIRING_ITEMS + RESOLVED_ITEMS
    update, reply = (await engine.outbox())[2:4]
    assert update.depends_on == post.id
    assert reply.depends_on == post.id
    async with engine.db.transaction() as tx:
        episodes = await tx.episodes.list_recent(TEAM)
    assert [e.state for e in episodes] == ["resolved"]
    # Long after: still exactly one episode and nothing more said.
    for _ in range(3):
        await engine.cycle()
    assert await engine.kinds() == kinds


async def test_threshold_rule_fires_and_resolves(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine()
    link = engine.busiest()
    await engine.add_rule(
        scope_kind="link",
        scope_ref=str(link),
        scope_label="top link",
        condition="threshold",
        threshold=60,
        window_seconds=900,
        sensitivity=None,
    )
    first = await engine.cycle(0)
    assert first.seeded == 0  # threshold rules learn nothing: no history read
    await engine.cycle()
    engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 20, "minutes": 10})
    assert await _until(engine, "fired", 2) <= 2
    await _until(engine, "resolved", 8)
    assert await engine.kinds() == [("slack.post", "firing"), *RESOLVED_ITEMS[:2]]


async def test_drop_rule_fires_when_traffic_stops(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine(datapoints=200)
    state = engine.sandbox.state()
    by_tag: dict[str, list[int]] = {}
    for dp in state["datapoints"]:
        for tag in dp["tags"]:
            by_tag.setdefault(tag, []).append(dp["today_clicks"])
    tag = max(by_tag, key=lambda name: sum(by_tag[name]))
    await engine.add_rule(
        scope_kind="tag", scope_ref=tag, scope_label=f"links tagged {tag}", condition="drop",
        sensitivity="high",
    )  # fmt: skip
    await engine.cycle(0)
    await engine.cycle()
    assert engine.reports[-1].tally.items == 0
    for dp in state["datapoints"]:
        if tag in dp["tags"]:
            engine.sandbox.control("pause", {"datapoint_id": dp["id"], "minutes": 40})
    assert await _until(engine, "fired", 5) <= 5  # a full window (3 x 5 min) of silence
    assert await engine.kinds() == [("slack.post", "firing")]
    notice = (await engine.outbox())[0].payload["notice"]
    assert notice["condition"] == "drop"
    assert notice["observed"] < notice["expected"]
    await _until(engine, "resolved", 10)


async def test_muted_rule_learns_but_says_nothing(make_engine: Callable[..., Engine]) -> None:
    engine = make_engine()
    link = engine.busiest()
    rule = await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.add_webhook()
    await engine.cycle(0)
    async with engine.db.transaction() as tx:
        await tx.rules.mute(TEAM, rule.id, engine.clock.now.replace(year=2027))
    engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 40, "minutes": 10})
    assert await _until(engine, "fired", 2) <= 2  # recorded...
    await _until(engine, "resolved", 8)
    assert await engine.outbox() == []  # ...but never announced
    async with engine.db.transaction() as tx:
        stored = await tx.rules.get(TEAM, rule.id)
        episodes = await tx.episodes.list_recent(TEAM)
    assert stored is not None
    assert stored.detector_state
    assert [e.details["announced"] for e in episodes] == [False]


async def test_episode_still_firing_at_unmute_is_announced(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine()
    link = engine.busiest()
    rule = await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.cycle(0)
    async with engine.db.transaction() as tx:
        await tx.rules.mute(TEAM, rule.id, engine.clock.now.replace(year=2027))
    engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 60, "minutes": 30})
    await _until(engine, "fired", 2)
    assert await engine.outbox() == []
    async with engine.db.transaction() as tx:
        await tx.rules.unmute(TEAM, rule.id)
    await engine.cycle()
    assert await engine.kinds() == [("slack.post", "firing")]


async def test_clickmeter_outage_gives_one_outage_one_recovery_and_no_false_alert(
    make_engine: Callable[..., Engine],
) -> None:
    engine = make_engine(config=EngineConfig(poll_seconds=POLL, outage_after=3))
    await engine.add_rule()  # spike on the whole account
    await engine.add_webhook()
    await engine.cycle(0)
    await engine.cycle()
    engine.sandbox.control("faults", {"error_rate": 1.0})
    reports = [await engine.cycle() for _ in range(6)]  # 30 minutes without ClickMeter
    assert [r.ok for r in reports] == [False] * 6
    assert sum(r.tally.outages for r in reports) == 1
    assert await engine.kinds() == [("slack.post", "outage"), ("webhook", "outage")]
    engine.sandbox.control("faults", {"error_rate": 0.0})
    back = await engine.cycle()
    # The 35 minutes of clicks since the last good read are one long interval: no spike.
    assert back.ok
    assert back.stepped == 1
    assert back.tally.fired == 0
    assert back.tally.recoveries == 1
    for _ in range(3):
        assert (await engine.cycle()).tally.fired == 0
    assert await engine.kinds() == [
        ("slack.post", "outage"),
        ("webhook", "outage"),
        ("slack.post", "recovered"),
        ("webhook", "recovered"),
    ]
    async with engine.db.transaction() as tx:
        state = await tx.polls.get(TEAM)
    assert state is not None
    assert state.consecutive_failures == 0
    assert not state.outage_notified


async def test_everything_survives_reopening_the_database(
    make_engine: Callable[..., Engine], backend: Backend
) -> None:
    engine = make_engine(db=backend.open())
    link = engine.busiest()
    await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="top")
    await engine.cycle(0)
    engine.sandbox.control("spike", {"datapoint_id": link, "clicks_per_minute": 60, "minutes": 30})
    await _until(engine, "fired", 2)
    before = await engine.kinds()
    await engine.db.dispose()  # "restart": a new Database on the same data
    reopened: Database = backend.open()
    engine.db = engine.poller.db = reopened
    async with reopened.transaction() as tx:
        rules = await tx.rules.list_active(TEAM)
        open_episodes = await tx.episodes.list_open(TEAM)
    assert len(rules) == 1
    assert rules[0].detector_state
    assert len(open_episodes) == 1
    report = await engine.cycle()
    assert report.tally.fired == 0  # the open episode goes on: not announced twice
    assert await engine.kinds() == before


async def test_a_state_from_an_earlier_detector_is_seeded_again_not_warmed_up_live(
    make_engine: Callable[..., Engine], backend: Backend
) -> None:
    engine = make_engine(db=backend.open())
    rule = await engine.add_rule()
    # What an earlier version of the spike detector stored: the right kind, another format.
    earlier = {"version": 1, "kind": "spike", "baseline": {"level": 12.0, "level_w": 30.0}}
    async with engine.db.transaction() as tx:
        await tx.rules.set_state(TEAM, rule.id, {rule.subject.key: {"detector": earlier}})
    report = await engine.cycle(0)
    assert report.ok
    assert report.seeded == 1
    async with engine.db.transaction() as tx:
        stored = await tx.rules.get(TEAM, rule.id)
    assert stored is not None
    state = stored.detector_state[rule.subject.key]["detector"]
    assert (state["kind"], state["version"]) == ("spike", SpikeDetector.state_version)
    live = load(state)
    assert live is not None
    assert live.model.learnt >= 86400  # learnt from history: it judges at once
    # A state the detector reads is left alone.
    assert (await engine.cycle()).seeded == 0


async def test_a_version_4_state_is_converted_not_seeded_again(
    make_engine: Callable[..., Engine], backend: Backend
) -> None:
    engine = make_engine(db=backend.open())
    rule = await engine.add_rule()
    # What the detector stored before its state was packed into one string (version 4).
    earlier = json.loads(V4_STATES.read_text())[1]["state"]
    assert earlier["kind"] == "spike"
    async with engine.db.transaction() as tx:
        await tx.rules.set_state(TEAM, rule.id, {rule.subject.key: {"detector": earlier}})
    first = await engine.cycle(0)  # first snapshot: nothing to judge yet
    assert first.ok
    assert first.seeded == 0  # what it learnt is kept
    assert (await engine.cycle()).stepped == 1
    async with engine.db.transaction() as tx:
        stored = await tx.rules.get(TEAM, rule.id)
    assert stored is not None
    state = stored.detector_state[rule.subject.key]["detector"]
    assert state["version"] == SpikeDetector.state_version
    live = load(state)
    assert live is not None
    assert live.model.n == earlier["model"]["counts"][1] + 1  # stepped on from where it was
