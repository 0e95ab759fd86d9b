"""ClickMeter answering 200 with something wrong: the cycle fails cleanly, never a spike.

Each of the sandbox's body faults (and a scripted non-numeric `count`) makes every cycle a
failed read: no snapshot, no detector stepped, an OUTAGE notice after `outage_after` of them;
once ClickMeter answers well again the gap is one long interval and nothing fires.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

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
    engine.poller.client = ClickMeterClient(
        engine.sandbox.api_key,
        base_url=engine.sandbox.url,
        requests_per_second=None,
        max_attempts=1,
        timeout=5.0,
        observer=lambda path, outcome: requests.append(path),
    )
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
    await engine.poller.client.aclose()


@pytest.mark.parametrize("count", ["many", "12", -1, 1.5, None])
async def test_a_count_that_is_not_a_number_is_a_failed_read_the_cycle_counts(
    fake_api: FakeApi,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
    count: object,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'count.sqlite3'}")
    await db.migrate()
    now = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)
    async with db.transaction() as tx:
        await tx.rules.add(
            TEAM,
            created_by="U0001",
            channel_id=CHANNEL,
            scope_kind="account",
            scope_ref="account",
            scope_label="the account",
            condition="threshold",
            threshold=10,
            window_seconds=3600,
            now=now,
        )
    fake_api.json(SUMMARY, {"count": count, "result": []})
    client = ClickMeterClient("k", base_url=fake_api.url, zone=ZONE, max_attempts=1)
    poller = Poller(db, client, EngineConfig(poll_seconds=POLL, outage_after=3), clock=lambda: now)
    try:
        reports = []
        for n in range(3):
            now += timedelta(seconds=POLL * (n + 1))
            reports.append(await poller.run_cycle())
    finally:
        await client.aclose()
    assert [(r.ok, r.stepped) for r in reports] == [(False, 0)] * 3
    assert all((r.error or "").startswith("BadResponseError") for r in reports)
    assert reports[-1].tally.outages == 1
    await db.dispose()
