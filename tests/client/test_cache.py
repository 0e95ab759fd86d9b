"""The opt-in response cache (`cache_ttl=`): shared requests, shared answers, errors never kept."""

from __future__ import annotations

import asyncio
import gc
import warnings
from collections.abc import Awaitable, Callable

import pytest

from clickmeter import AggregatedResult, NotFoundError, ServerError
from clickmeter._cache import ResponseCache, request_key
from tests.client.conftest import FakeApi, MakeClient, Reply

ERROR_BODY = {"errorCode": 1234, "httpErrorCode": 404, "Message": "Datapoint not found"}


async def test_off_by_default(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/aggregated", {"totalClicks": 5})
    client = make_client()
    await client.aggregated("last7")
    await client.aggregated("last7")
    assert len(fake_api.seen("/aggregated")) == 2


async def test_identical_gets_within_ttl_share_one_request(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 5}), Reply({"totalClicks": 6}))
    client = make_client(cache_ttl=30)
    first = await client.aggregated("last7")
    second = await client.aggregated("last7")
    assert first.total_clicks == second.total_clicks == 5
    assert len(fake_api.seen("/aggregated")) == 1


async def test_concurrent_identical_gets_share_one_flight(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 7}, delay=0.2))
    client = make_client(cache_ttl=30)
    results = await asyncio.gather(*(client.aggregated("last30") for _ in range(20)))
    assert {r.total_clicks for r in results} == {7}
    assert len(fake_api.seen("/aggregated")) == 1


async def test_ttl_zero_merges_only_overlapping_requests(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 1}, delay=0.2))
    client = make_client(cache_ttl=0)
    await asyncio.gather(*(client.aggregated("today") for _ in range(5)))
    assert len(fake_api.seen("/aggregated")) == 1
    await client.aggregated("today")
    assert len(fake_api.seen("/aggregated")) == 2


async def test_different_queries_and_paths_are_different_requests(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/aggregated", {"totalClicks": 1})
    fake_api.json("/datapoints/9/aggregated", {"totalClicks": 2})
    client = make_client(cache_ttl=30)
    await client.aggregated("last7")
    await client.aggregated("last30")
    await client.aggregated("last7", hourly=True)
    dp = await client.datapoint_aggregated(9, "last7")
    assert dp.total_clicks == 2
    assert [s.params for s in fake_api.seen("/aggregated")] == [
        {"timeFrame": "last7"},
        {"timeFrame": "last30"},
        {"timeFrame": "last7", "hourly": "true"},
    ]
    assert len(fake_api.seen("/datapoints/9/aggregated")) == 1


async def test_parameter_order_does_not_matter(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/aggregated", {"totalClicks": 3})
    client = make_client(cache_ttl=30)
    first = await client._fetch(
        AggregatedResult, "/aggregated", {"timeFrame": "last7", "hourly": True}
    )
    second = await client._fetch(
        AggregatedResult, "/aggregated", {"hourly": "true", "timeFrame": "last7"}
    )
    assert first is second  # one validated, frozen model for every caller
    assert first.total_clicks == 3
    assert len(fake_api.seen("/aggregated")) == 1


def test_request_key_is_the_wire_query_sorted() -> None:
    a = request_key("/x", {"b": 1, "a": True})
    b = request_key("/x", {"a": "true", "b": "1"})
    assert a == b == ("/x", (("a", "true"), ("b", "1")))
    assert request_key("/x", None) == ("/x", ())
    assert request_key("/x", None) != request_key("/y", None)


async def test_answers_expire_after_ttl(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 1}), Reply({"totalClicks": 2}))
    client = make_client(cache_ttl=0.2)
    assert (await client.aggregated("last7")).total_clicks == 1
    await asyncio.sleep(0.3)
    assert (await client.aggregated("last7")).total_clicks == 2
    assert len(fake_api.seen("/aggregated")) == 2


async def test_errors_are_not_kept(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/datapoints/4", Reply(ERROR_BODY, 404), Reply({"id": "4", "name": "promo"}))
    client = make_client(cache_ttl=30)
    with pytest.raises(NotFoundError):
        await client.datapoint(4)
    assert (await client.datapoint(4)).name == "promo"
    assert (await client.datapoint(4)).name == "promo"
    assert len(fake_api.seen("/datapoints/4")) == 2


async def test_waiters_on_a_failing_flight_share_its_error_once(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({}, 500, delay=0.1), Reply({"totalClicks": 9}))
    client = make_client(cache_ttl=30, max_attempts=1)
    results = await asyncio.gather(
        *(client.aggregated("last7") for _ in range(5)), return_exceptions=True
    )
    assert all(isinstance(r, ServerError) for r in results)
    assert len(fake_api.seen("/aggregated")) == 1
    assert (await client.aggregated("last7")).total_clicks == 9
    assert len(fake_api.seen("/aggregated")) == 2


async def test_retries_happen_inside_the_one_flight(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({}, 503), Reply({"totalClicks": 4}))
    client = make_client(cache_ttl=30)
    results = await asyncio.gather(*(client.aggregated("last7") for _ in range(3)))
    assert {r.total_clicks for r in results} == {4}
    assert len(fake_api.seen("/aggregated")) == 2


async def test_a_cancelled_waiter_does_not_cancel_the_others(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 8}, delay=0.3))
    client = make_client(cache_ttl=30)
    quitter = asyncio.create_task(client.aggregated("last7"))
    stayer = asyncio.create_task(client.aggregated("last7"))
    await asyncio.sleep(0.1)
    quitter.cancel()
    assert (await stayer).total_clicks == 8
    with pytest.raises(asyncio.CancelledError):
        await quitter
    # The answer was kept although its first asker left.
    assert (await client.aggregated("last7")).total_clicks == 8
    assert len(fake_api.seen("/aggregated")) == 1


async def test_account_zone_and_me_share_the_cache(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/me", {"id": 1, "timezonename": "W. Europe Standard Time"})
    client = make_client(cache_ttl=30, zone=None)
    await client.me()
    await client.me()
    assert str(await client.account_zone()) == "Europe/Berlin"
    assert len(fake_api.seen("/me")) == 1


async def test_aclose_cancels_flights_quietly(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({"totalClicks": 1}, delay=1.0))
    client = make_client(cache_ttl=30)
    waiter = asyncio.create_task(client.aggregated("last7"))
    await asyncio.sleep(0.1)
    await client.aclose()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gc.collect()


def test_negative_ttl_is_refused(fake_api: FakeApi, make_client: MakeClient) -> None:
    with pytest.raises(ValueError, match="ttl"):
        make_client(cache_ttl=-1)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_cache_keeps_at_most_max_entries_oldest_out() -> None:
    clock = FakeClock()
    cache: ResponseCache[str] = ResponseCache(10, max_entries=2, clock=clock)
    fetched: list[str] = []

    def fetcher(value: str) -> Callable[[], Awaitable[str]]:
        async def fetch() -> str:
            fetched.append(value)
            return value

        return fetch

    assert await cache.get("a", fetcher("a")) == "a"
    assert await cache.get("b", fetcher("b")) == "b"
    assert await cache.get("c", fetcher("c")) == "c"
    assert len(cache) == 2
    assert await cache.get("b", fetcher("b2")) == "b"  # still kept
    assert await cache.get("a", fetcher("a2")) == "a2"  # was evicted: fetched again
    clock.now += 10
    assert await cache.get("a", fetcher("a3")) == "a3"  # expired exactly at ttl
    assert fetched == ["a", "b", "c", "a2", "a3"]


async def test_failed_fetch_with_no_waiter_left_is_not_reported_unretrieved() -> None:
    cache: ResponseCache[str] = ResponseCache(10)
    started = asyncio.Event()

    async def fail() -> str:
        started.set()
        await asyncio.sleep(0.05)
        raise RuntimeError("boom")

    waiter = asyncio.create_task(cache.get("k", fail))
    await started.wait()
    waiter.cancel()
    await asyncio.sleep(0.1)
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    gc.collect()
    await asyncio.sleep(0)
    loop.set_exception_handler(None)
    assert reported == []
    assert len(cache) == 0
