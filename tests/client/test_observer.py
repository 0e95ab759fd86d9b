"""The request observer sees every attempt, by endpoint shape, for the /metrics counters."""

from __future__ import annotations

import pytest

from clickmeter import ClickCount, ClickMeterClient, NetworkError, NotFoundError
from tests.client.conftest import API_KEY, FakeApi, MakeClient, Reply
from tests.servers import free_port


async def test_every_attempt_is_observed_by_endpoint_shape(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    seen: list[tuple[str, str]] = []
    fake_api.reply("/datapoints/2028366/aggregated", Reply({}, 500), Reply({"totalClicks": 3}))
    client = make_client(observer=lambda endpoint, outcome: seen.append((endpoint, outcome)))
    result = await client.datapoint_aggregated(2028366, "last7")
    assert result.total_clicks == 3
    assert seen == [
        ("/datapoints/{id}/aggregated", "500"),
        ("/datapoints/{id}/aggregated", "200"),
    ]


async def test_transport_errors_are_observed_by_name() -> None:
    seen: list[tuple[str, str]] = []
    client = ClickMeterClient(
        API_KEY,
        base_url=f"http://127.0.0.1:{free_port()}",
        max_attempts=2,
        backoff_base=0.01,
        requests_per_second=None,
        observer=lambda endpoint, outcome: seen.append((endpoint, outcome)),
    )
    async with client:
        with pytest.raises(NetworkError):
            await client.aggregated("today")
    assert seen == [("/aggregated", "ConnectError"), ("/aggregated", "ConnectError")]


async def test_click_counts_are_lean_but_paced_and_mapped(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/aggregated/summary/datapoints", {"count": 1, "result": [{"entityId": "7"}]})
    fake_api.reply(
        "/aggregated/summary/groups",
        Reply({"errorCode": 1, "httpErrorCode": 404, "Message": "x"}, 404),
    )
    client = make_client()
    pages = [page async for page in client.datapoint_clicks("today")]
    assert pages == [[ClickCount(entity_id=7)]]
    (seen,) = fake_api.seen("/aggregated/summary/datapoints")
    assert seen.headers["x-clickmeter-authkey"] == API_KEY
    with pytest.raises(NotFoundError):
        await anext(client.group_clicks("today"))


async def test_retries_are_observed_by_cause(fake_api: FakeApi, make_client: MakeClient) -> None:
    retries: list[tuple[str, str]] = []
    fake_api.reply(
        "/datapoints/7/aggregated",
        Reply({}, 429, headers={"Retry-After": "0"}),
        Reply({}, 503),
        Reply({"totalClicks": 1}),
    )
    client = make_client(retry_observer=lambda endpoint, cause: retries.append((endpoint, cause)))
    assert (await client.datapoint_aggregated(7, "today")).total_clicks == 1
    assert retries == [
        ("/datapoints/{id}/aggregated", "429"),
        ("/datapoints/{id}/aggregated", "5xx"),
    ]


async def test_network_retries_are_observed_and_final_failures_are_not() -> None:
    retries: list[tuple[str, str]] = []
    client = ClickMeterClient(
        API_KEY,
        base_url=f"http://127.0.0.1:{free_port()}",
        max_attempts=3,
        backoff_base=0.01,
        requests_per_second=None,
        retry_observer=lambda endpoint, cause: retries.append((endpoint, cause)),
    )
    async with client:
        with pytest.raises(NetworkError):
            await client.aggregated("today")
    # Three attempts: two retries; the last failure is raised, not retried.
    assert retries == [("/aggregated", "network"), ("/aggregated", "network")]


async def test_errors_that_are_not_retried_are_not_observed_as_retries(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    retries: list[tuple[str, str]] = []
    fake_api.reply("/datapoints/7", Reply({}, 404))
    client = make_client(retry_observer=lambda endpoint, cause: retries.append((endpoint, cause)))
    with pytest.raises(NotFoundError):
        await client.datapoint(7)
    assert retries == []
