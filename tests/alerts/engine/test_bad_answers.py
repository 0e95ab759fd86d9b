"""ClickMeter answering 200 with something wrong: the cycle fails cleanly, never a spike.

Each of the sandbox's body faults (and a scripted non-numeric `count`) makes every cycle a
failed read: no snapshot, no detector stepped, an OUTAGE notice after `outage_after` of them;
once ClickMeter answers well again the gap is one long interval and nothing fires.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import pytest

from alerts.accounts import DeploymentClient
from alerts.engine import EngineConfig, Poller
from clickmeter import ClickMeterClient
from storage import Database
from tests.alerts.engine.conftest import CHANNEL, POLL, TEAM, Engine
from tests.client.conftest import (  # noqa: F401  (fixtures, used by name)
    ZONE,
    FakeApi,
    Reply,
    _fake_server,
    fake_api,
)

SUMMARY = "/aggregated/summary/datapoints"


async def _snapshots(engine: Engine) -> list[tuple[str, int, datetime]]:
    async with engine.db.transaction() as tx:
        rows = await tx.polls.snapshots_for_day(TEAM, engine.clock.now.date())
    return sorted((row.subject, row.total_clicks, row.observed_at) for row in rows)


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"truncated_json": True}, "BadResponseError"),
        ({"garbage_body": True}, "BadResponseError"),
        ({"short_page": True}, "BadResponseError"),
        ({"inflated_count": 100_000}, "BadResponseError"),
        ({"trickle_ms": 200}, "TimeoutError"),
    ],
)
async def test_a_bad_answer_fails_the_cycle_and_tells_of_an_outage_without_a_spike(
    make_engine: Callable[..., Engine], fault: dict[str, Any], error: str
) -> None:
    # A read slower than 2 s counts as failed: far under the trickled body's minutes.
    engine = make_engine(config=EngineConfig(poll_seconds=POLL, outage_after=3, read_timeout=2))
    requests: list[str] = []
    client = ClickMeterClient(
        engine.sandbox.api_key,
        base_url=engine.sandbox.url,
        requests_per_second=None,
        max_attempts=1,
        timeout=5.0,
        observer=lambda path, outcome: requests.append(path),
    )
    engine.poller.clients = DeploymentClient(client)
    link = engine.busiest()
    await engine.add_rule()  # spike on the whole account
    await engine.add_rule(scope_kind="link", scope_ref=str(link), scope_label="the link")
    assert (await engine.cycle(0)).ok
    assert (await engine.cycle()).stepped == 2
    before = await _snapshots(engine)
    requests.clear()
    engine.sandbox.control("faults", fault)
    failed = [await engine.cycle() for _ in range(3)]
    assert [r.ok for r in failed] == [False] * 3
    assert all(r.error is not None and r.error.startswith(error) for r in failed)
    assert [r.stepped for r in failed] == [0, 0, 0]
    assert len(requests) <= 3 * (1 + 4)  # never a thousand pages, whatever `count` says
    assert await _snapshots(engine) == before
    assert await engine.kinds() == [("slack.post", "outage")]
    engine.sandbox.control("faults", {name: type(on)() for name, on in fault.items()})
    back = await engine.cycle()
    assert back.ok
    assert back.stepped == 2
    assert (back.tally.fired, back.tally.recoveries) == (0, 1)
    assert (await engine.cycle()).tally.fired == 0
    await client.aclose()


async def _fake_api_poller(
    api: FakeApi,
    tmp_path: Path,
    condition: Literal["threshold", "spike"],
    now: Callable[[], datetime],
) -> tuple[Database, ClickMeterClient, Poller]:
    """A SQLite database with one account rule, and a poller reading the scripted fake API."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fake.sqlite3'}")
    await db.migrate()
    async with db.transaction() as tx:
        await tx.rules.add(
            TEAM,
            created_by="U0001",
            channel_id=CHANNEL,
            scope_kind="account",
            scope_ref="account",
            scope_label="the account",
            condition=condition,
            threshold=10 if condition == "threshold" else None,
            window_seconds=3600 if condition == "threshold" else None,
            sensitivity=None if condition == "threshold" else "medium",
            now=now(),
        )
    client = ClickMeterClient("k", base_url=api.url, zone=ZONE, max_attempts=1)
    config = EngineConfig(poll_seconds=POLL, outage_after=3)
    return db, client, Poller(db, client, config, clock=now)


@pytest.mark.parametrize("count", ["many", "12", -1, 1.5, None])
async def test_a_count_that_is_not_a_number_is_a_failed_read_the_cycle_counts(
    fake_api: FakeApi,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    count: object,
) -> None:
    at = [datetime(2026, 3, 18, 13, 30, tzinfo=UTC)]
    db, client, poller = await _fake_api_poller(fake_api, tmp_path, "threshold", lambda: at[0])
    fake_api.json(SUMMARY, {"count": count, "result": []})
    try:
        reports = []
        for _ in range(3):
            at[0] += timedelta(seconds=POLL)
            reports.append(await poller.run_cycle())
    finally:
        await client.aclose()
        await db.dispose()
    assert [(r.ok, r.stepped) for r in reports] == [(False, 0)] * 3
    assert all((r.error or "").startswith("BadResponseError") for r in reports)
    assert reports[-1].tally.outages == 1


async def test_a_non_numeric_count_in_the_history_leaves_the_rule_unseeded_not_the_cycle_dead(
    fake_api: FakeApi,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    # Seeding a spike rule reads the hourly history; an hour whose count is text used to raise
    # a bare pydantic error (a ValueError) straight out of `run_cycle`.
    db, client, poller = await _fake_api_poller(
        fake_api, tmp_path, "spike", lambda: datetime(2026, 3, 18, 13, 30, tzinfo=UTC)
    )
    fake_api.json("/aggregated/list", {"rows": []})
    fake_api.json("/aggregated", {"hourlyBreakDown": {"3": {"totalClicks": "many"}}})
    fake_api.json(SUMMARY, {"count": 1, "result": [{"entityId": "7", "totalClicks": 4}]})
    try:
        report = await poller.run_cycle()
    finally:
        await client.aclose()
        await db.dispose()
    assert (report.ok, report.seeded) == (True, 0)
