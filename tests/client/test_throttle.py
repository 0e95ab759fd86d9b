"""Pacing under ClickMeter's 10 requests/second, shared by every caller of a key."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from clickmeter._throttle import _registry, in_memory_pacer, key_fingerprint, pacer_for, pacing_rate
from tests.client.conftest import API_KEY, FakeApi, MakeClient


async def test_starts_are_spaced() -> None:
    pacer = in_memory_pacer(10)
    started = time.monotonic()
    for _ in range(5):
        await pacer.wait()
    # Only a lower bound (a busy machine makes it longer): 5 starts need 4 gaps of 0.1 s.
    assert time.monotonic() - started >= 4 * 0.1 - 0.002


async def test_late_caller_cannot_make_a_burst() -> None:
    pacer = in_memory_pacer(9)
    let_through: list[float] = []

    async def caller(index: int) -> None:
        await pacer.wait()
        let_through.append(time.monotonic())
        if index == 1:
            # The loop stalls (a GC pause, a slow callback) while the others wait their turn.
            time.sleep(0.5)  # noqa: ASYNC251 (the stall is the point)

    await asyncio.gather(*(caller(i) for i in range(8)))
    # Callers of one loop go through one at a time, each noted before the next is let
    # through; so starts k-1 and k both lie between notes k-2 and k. A pacer that booked its
    # slots ahead would let the callers the stall made late through back to back.
    for k in range(2, len(let_through)):
        assert let_through[k] - let_through[k - 2] >= 1 / 9 - 0.002, k


def test_the_rate_is_exact_for_fractions() -> None:
    assert pacing_rate(9.0).limit / pacing_rate(9.0).interval == 9 / 1000
    assert pacing_rate(0.5).limit / pacing_rate(0.5).interval == 0.5 / 1000
    assert pacing_rate(9.0).burst == 1
    with pytest.raises(ValueError, match="positive"):
        pacing_rate(0)


def test_registry_is_keyed_by_a_hash_of_the_key() -> None:
    assert pacer_for(API_KEY, 9.0) is pacer_for(API_KEY, 9.0)
    assert pacer_for(API_KEY, 9.0) is not pacer_for("another-key", 9.0)
    assert all(API_KEY not in name for name, _ in _registry)
    assert (key_fingerprint(API_KEY), 9.0) in _registry


def test_one_pacer_serves_several_event_loops() -> None:
    pacer = in_memory_pacer(50)

    def run() -> None:
        async def five() -> None:
            for _ in range(5):
                await pacer.wait()

        asyncio.run(five())

    threads = [threading.Thread(target=run) for _ in range(2)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 9 / 50 - 0.01


async def test_concurrent_calls_stay_under_ten_per_second(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/aggregated", {"totalClicks": 1})
    client = make_client(requests_per_second=9.0, api_key="pacing-test-key-1")
    started = time.monotonic()
    results = await asyncio.gather(*(client.aggregated("last7") for _ in range(20)))
    assert time.monotonic() - started >= 2.0
    assert all(r.total_clicks == 1 for r in results)
    arrivals = sorted(s.at for s in fake_api.seen("/aggregated"))
    assert len(arrivals) == 20
    # 20 requests at 9/s span at least 19/9 s. Only a lower bound: arrival times bunch when
    # the machine is busy, so counting per window would measure the machine, not the pacer
    # (whose spacing `test_reservations_are_spaced` checks exactly).
    assert arrivals[-1] - arrivals[0] >= 19 / 9 - 0.15


async def test_clients_sharing_a_key_share_the_budget(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/aggregated", {})
    one = make_client(requests_per_second=40.0, api_key="pacing-test-key-2")
    two = make_client(requests_per_second=40.0, api_key="pacing-test-key-2")
    started = time.monotonic()
    await asyncio.gather(*(c.aggregated("last7") for c in (one, two) for _ in range(10)))
    assert time.monotonic() - started >= 19 / 40 - 0.02
