"""Auth checks and injected failures: 429 + Retry-After, 5xx, dropped connections, revocation."""

from __future__ import annotations

import asyncio
import threading
import time

import aiohttp
import httpx
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)
from slack_sdk.web.async_client import AsyncWebClient

from devtools.localslack import MockSlack, MockSlackServer

QUICK = FixedValueRetryIntervalCalculator(0.01)


def bare_client(server: MockSlackServer, token: str | None = None) -> AsyncWebClient:
    """A client that does not retry anything."""
    return AsyncWebClient(
        token=token or server.token, base_url=server.api_url, retry_handlers=[], timeout=5
    )


async def test_wrong_token_is_invalid_auth(server: MockSlackServer) -> None:
    with pytest.raises(SlackApiError) as info:
        await bare_client(server, "xoxb-wrong").auth_test()
    assert info.value.response["error"] == "invalid_auth"


async def test_missing_token_is_not_authed(server: MockSlackServer, slack: MockSlack) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(server.api_url + "auth.test")
    assert response.json() == {"ok": False, "error": "not_authed"}
    assert slack.calls_to("auth.test")[0].token is None


async def test_revoked_token(server: MockSlackServer, slack: MockSlack) -> None:
    slack.revoke_token()
    with pytest.raises(SlackApiError) as info:
        await bare_client(server).chat_postMessage(channel="C0GENERAL", text="hi")
    assert info.value.response["error"] == "token_revoked"
    slack.revoke_token(False)
    await bare_client(server).auth_test()


async def test_rate_limit_without_retries(server: MockSlackServer, slack: MockSlack) -> None:
    slack.rate_limit(retry_after=7, method="chat.postMessage")
    await bare_client(server).auth_test()  # another method: not limited
    with pytest.raises(SlackApiError) as info:
        await bare_client(server).chat_postMessage(channel="C0GENERAL", text="hi")
    assert info.value.response.status_code == 429
    assert info.value.response["error"] == "ratelimited"
    assert info.value.response.headers["Retry-After"] == "7"
    [call] = slack.calls_to("chat.postMessage")
    assert (call.status, call.error, call.ok) == (429, "ratelimited", False)


async def test_rate_limit_retried_by_slack_sdk(server: MockSlackServer, slack: MockSlack) -> None:
    slack.rate_limits.append(0)  # the original queue: next call of any method
    client = AsyncWebClient(
        token=server.token,
        base_url=server.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    response = await client.chat_postMessage(channel="C0GENERAL", text="eventually")
    assert response["ok"] is True
    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert len(slack.messages("C0GENERAL")) == 1


async def test_server_error(server: MockSlackServer, slack: MockSlack) -> None:
    slack.inject("http_error", status=503, method="auth.test")
    with pytest.raises(SlackApiError) as info:
        await bare_client(server).auth_test()
    assert info.value.response.status_code == 503
    slack.inject("http_error", status=500, times=1)
    retrying = AsyncWebClient(
        token=server.token,
        base_url=server.api_url,
        retry_handlers=[AsyncServerErrorRetryHandler(interval_calculator=QUICK)],
    )
    assert (await retrying.auth_test())["ok"] is True
    assert [c.status for c in slack.calls] == [503, 500, 200]


async def test_disconnect(server: MockSlackServer, slack: MockSlack) -> None:
    slack.inject("disconnect", times=1)
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await bare_client(server).auth_test()
    slack.inject("disconnect", times=1)
    retrying = AsyncWebClient(
        token=server.token,
        base_url=server.api_url,
        retry_handlers=[AsyncConnectionErrorRetryHandler(interval_calculator=QUICK)],
    )
    assert (await retrying.auth_test())["ok"] is True
    assert [c.error for c in slack.calls] == ["disconnect", "disconnect", None]


async def test_delay(server: MockSlackServer, slack: MockSlack) -> None:
    slack.inject("delay", seconds=0.3)
    started = time.monotonic()
    await bare_client(server).auth_test()
    assert time.monotonic() - started >= 0.3
    slack.inject("delay", seconds=0.5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(bare_client(server).auth_test(), timeout=0.1)


async def test_wait_for_async_sees_background_delivery(
    server: MockSlackServer, slack: MockSlack
) -> None:
    async def later() -> None:
        await asyncio.sleep(0.1)
        await bare_client(server).chat_postMessage(channel="C0GENERAL", text="done")

    task = asyncio.create_task(later())
    message = await slack.wait_for_async(lambda: slack.last_message("C0GENERAL"), timeout=3)
    assert message.text == "done"
    await task
    with pytest.raises(TimeoutError):
        await slack.wait_for_async(lambda: slack.calls_to("chat.delete"), timeout=0.05)


def test_wait_for_sync(server: MockSlackServer, slack: MockSlack) -> None:
    def later() -> None:
        time.sleep(0.1)
        httpx.post(
            server.api_url + "chat.postMessage",
            json={"channel": "C0GENERAL", "text": "threaded"},
            headers={"Authorization": f"Bearer {server.token}"},
        )

    thread = threading.Thread(target=later)
    thread.start()
    calls = slack.wait_for(lambda: slack.calls_to("chat.postMessage"), timeout=3)
    thread.join()
    assert calls[0].args["text"] == "threaded"
