"""The API key never shows up in logs (ours, httpx's, httpcore's), errors or reprs."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from clickmeter import ClickMeterClient, ClickMeterError
from tests.client.conftest import API_KEY, FakeApi, MakeClient, Reply
from tests.servers import free_port


@pytest.fixture
def everything_logged() -> Iterator[None]:
    """Force DEBUG on the loggers that matter, whatever an app's logging setup quietened."""
    names = ["", "clickmeter", "httpx", "httpcore"]
    saved = [(logging.getLogger(n).level, logging.getLogger(n).propagate) for n in names]
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).propagate = True
    yield
    for name, (level, propagate) in zip(names, saved, strict=True):
        logging.getLogger(name).setLevel(level)
        logging.getLogger(name).propagate = propagate


def _assert_clean(text: str) -> None:
    assert API_KEY not in text
    assert API_KEY.upper() not in text


async def test_key_absent_from_all_debug_logs_and_errors(
    fake_api: FakeApi,
    make_client: MakeClient,
    caplog: pytest.LogCaptureFixture,
    everything_logged: None,
) -> None:
    echo = {"errorCode": 1, "httpErrorCode": 401, "Message": f"Key {API_KEY.upper()} revoked"}
    fake_api.json("/me", {"timezonename": "W. Europe Standard Time"})
    fake_api.reply("/aggregated", Reply({}, 429, headers={"Retry-After": "0"}), Reply({}, 500),
                   Reply({"totalClicks": 1}))  # fmt: skip
    fake_api.reply("/datapoints/1", Reply(echo, 401))
    fake_api.reply("/datapoints/2", Reply({"Message": "nope"}, 404))
    fake_api.reply(
        "/groups", Reply({"errors": [{"property": API_KEY, "errorMessage": API_KEY}]}, 403)
    )
    fake_api.reply("/groups/1", Reply(text="not json"))
    fake_api.reply("/tags/1", Reply({}, delay=0.5))
    errors: list[ClickMeterError] = []
    with caplog.at_level(logging.DEBUG):
        client = make_client(zone=None, timeout=0.1, max_attempts=3)
        await client.me()
        await client.aggregated("last7")
        for call in (
            client.datapoint(1), client.datapoint(2), client.groups(), client.group(1),
            client.tag(1), client.top("countries", "today"),
        ):  # fmt: skip
            with pytest.raises(ClickMeterError) as caught:
                await call
            errors.append(caught.value)
        offline = make_client(base_url=f"http://127.0.0.1:{free_port()}", max_attempts=2)
        with pytest.raises(ClickMeterError) as caught:
            await offline.plan()
        errors.append(caught.value)
    assert len(errors) == 7
    assert any(r.name.startswith("httpx") for r in caplog.records)
    assert any(r.name.startswith("httpcore") for r in caplog.records)
    _assert_clean(caplog.text)
    for record in caplog.records:
        _assert_clean(record.getMessage())
    for error in errors:
        _assert_clean(str(error))
        _assert_clean(repr(error))
        _assert_clean(error.user_message)
        _assert_clean(str(error.api_message))
        _assert_clean(str(vars(error)))
        _assert_clean("".join(traceback.format_exception(error)))
    assert "[redacted]" in str(errors[0])
    _assert_clean(repr(client))
    _assert_clean(str(client.__dict__))


def test_repr_hides_key_given_as_secret() -> None:
    client = ClickMeterClient(SecretStr(API_KEY))
    _assert_clean(repr(client))
    _assert_clean(repr(client._http._client.auth))
