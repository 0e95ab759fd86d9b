"""Transport behaviour over real HTTP: auth header, retries, errors, deadlines."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from clickmeter import (
    AuthenticationError,
    BadResponseError,
    ClickMeterClient,
    ClickMeterError,
    ClickMeterTimeout,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from clickmeter._http import parse_retry_after
from tests.client.conftest import API_KEY, FakeApi, MakeClient, Reply
from tests.conftest import Sandbox
from tests.servers import free_port

ERROR_BODY = {"errorCode": 1234, "httpErrorCode": 404, "Message": "Datapoint not found"}


async def test_key_travels_only_in_header(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/aggregated", {"totalClicks": 5})
    result = await make_client().aggregated("last7")
    assert result.total_clicks == 5
    (seen,) = fake_api.seen("/aggregated")
    assert seen.headers["x-clickmeter-authkey"] == API_KEY
    assert "authkey" not in seen.query.lower()
    assert API_KEY not in seen.query
    assert seen.params == {"timeFrame": "last7"}


async def test_429_retry_after_is_honoured(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/me/plan", Reply({}, 429, headers={"Retry-After": "1"}), Reply({"name": "Pro"}))
    started = time.monotonic()
    plan = await make_client().plan()
    assert plan.name == "Pro"
    first, second = fake_api.seen("/me/plan")
    assert second.at - first.at >= 0.95
    assert time.monotonic() - started >= 0.95


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = datetime(2026, 11, 26, 5, 0, 0, tzinfo=UTC)
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after("Thu, 26 Nov 2026 05:00:07 GMT", now) == 7.0
    assert parse_retry_after("Thu, 26 Nov 2026 04:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None) is None


async def test_5xx_retried_until_success(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({}, 500), Reply({}, 502), Reply({"totalClicks": 2}))
    assert (await make_client().aggregated("today")).total_clicks == 2
    assert len(fake_api.seen("/aggregated")) == 3


async def test_retries_are_logged_without_query(
    fake_api: FakeApi, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.reply("/aggregated", Reply({}, 503), Reply({}))
    with caplog.at_level(logging.WARNING, logger="clickmeter"):
        await make_client().aggregated("last30")
    (record,) = [r for r in caplog.records if r.name == "clickmeter"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "/aggregated" in message
    assert "HTTP 503" in message
    assert "timeFrame" not in message
    assert "?" not in message


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(404, NotFoundError), (401, AuthenticationError), (403, ForbiddenError), (501, ServerError)],
)
async def test_no_retry_on_client_errors_and_501(
    fake_api: FakeApi, make_client: MakeClient, status: int, error_type: type[ClickMeterError]
) -> None:
    fake_api.reply("/datapoints/42", Reply(ERROR_BODY | {"httpErrorCode": status}, status))
    with pytest.raises(error_type) as caught:
        await make_client().datapoint(42)
    assert len(fake_api.seen("/datapoints/42")) == 1
    error = caught.value
    assert error.status_code == status
    assert error.error_code == 1234
    assert error.http_error_code == status
    assert error.api_message == "Datapoint not found"
    assert error.endpoint == "/datapoints/42"
    assert error.user_message


async def test_401_tells_the_user_what_to_do(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/me", Reply({}, 401))
    with pytest.raises(AuthenticationError) as caught:
        await make_client(zone=None).me()
    assert "CLICKMETER_API_KEY" in caught.value.user_message
    assert "revoked" in caught.value.user_message


async def test_validation_403_keeps_field_errors(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    body = {
        "errors": [
            {"property": "Name", "errorMessage": "Specified name is alread used.", "code": "0013"}
        ]
    }
    fake_api.reply("/groups", Reply(body, 403))
    with pytest.raises(ValidationError) as caught:
        await make_client().groups()
    (field_error,) = caught.value.errors
    assert field_error.property == "Name"
    assert field_error.error_message == "Specified name is alread used."
    assert field_error.code == "0013"
    assert "Specified name is alread used." in caught.value.user_message


async def test_attempts_are_bounded(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({}, 503))
    with pytest.raises(ServerError):
        await make_client(max_attempts=3).aggregated("last7")
    assert len(fake_api.seen("/aggregated")) == 3


async def test_retry_after_beyond_deadline_gives_up_at_once(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/aggregated", Reply({}, 429, headers={"Retry-After": "120"}))
    # A liveness guard, far from the 120 s a wrong client would wait: not a speed check.
    async with asyncio.timeout(30):
        with pytest.raises(RateLimitedError) as caught:
            await make_client(retry_deadline=5).aggregated("last7")
    assert caught.value.retry_after == 120
    assert "120 seconds" in caught.value.user_message
    assert len(fake_api.seen("/aggregated")) == 1


async def test_deadline_bounds_total_retry_time(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({}, 500, headers={"Retry-After": "0.2"}))
    with pytest.raises(ServerError):
        await make_client(max_attempts=50, retry_deadline=0.6).aggregated("last7")
    # The deadline, not max_attempts, stopped it: 0.6 s holds at most three 0.2 s waits.
    assert 2 <= len(fake_api.seen("/aggregated")) <= 4


async def test_timeouts_are_retried_then_raised(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({}, delay=1.0))
    with pytest.raises(ClickMeterTimeout) as caught:
        await make_client(timeout=0.2, max_attempts=2).aggregated("last7")
    assert len(fake_api.seen("/aggregated")) == 2
    assert "slowly" in caught.value.user_message


async def test_slow_answer_then_fast_one(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply({}, delay=0.6), Reply({"totalViews": 3}))
    assert (await make_client(timeout=0.2).aggregated("last7")).total_views == 3


async def test_connection_refused_is_network_error(make_client: MakeClient) -> None:
    client = make_client(base_url=f"http://127.0.0.1:{free_port()}", max_attempts=2)
    with pytest.raises(NetworkError) as caught:
        await client.aggregated("last7")
    assert "cannot reach" in caught.value.user_message


async def test_non_json_body_is_bad_response(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply(text="<html>maintenance</html>"))
    with pytest.raises(BadResponseError):
        await make_client().aggregated("last7")
    assert len(fake_api.seen("/aggregated")) == 1


async def test_html_502_page_is_server_error(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.reply("/aggregated", Reply(text="<html>Bad gateway</html>", status=502))
    with pytest.raises(ServerError) as caught:
        await make_client(max_attempts=2).aggregated("last7")
    assert caught.value.api_message is None


async def test_wrong_shape_is_bad_response(fake_api: FakeApi, make_client: MakeClient) -> None:
    fake_api.json("/aggregated", [1, 2, 3])
    with pytest.raises(BadResponseError, match="AggregatedResult"):
        await make_client().aggregated("last7")
    fake_api.json("/datapoints/count", {"count": "many"})
    with pytest.raises(BadResponseError):
        await make_client().datapoints_count()


async def test_a_body_trickled_slower_than_the_timeout_is_a_timeout(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    # Each 16-byte piece comes well within httpx's read timeout; the whole never does.
    sandbox = make_sandbox(datapoints=10)
    sandbox.control("faults", {"trickle_ms": 100})
    client = ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, timeout=0.5, max_attempts=2, backoff_base=0.01
    )
    try:
        with pytest.raises(ClickMeterTimeout, match="answer whole"):
            await client.me()
    finally:
        await client.aclose()
