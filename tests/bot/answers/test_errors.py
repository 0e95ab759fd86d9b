"""`error_answer`: what went wrong and what to type instead; no traceback, no secret."""

from __future__ import annotations

import httpx
import pytest

from bot.answers import AnswerContext, answer, error_answer
from bot.grammar import CommandError, parse
from bot.resolve import ResolveError
from clickmeter import (
    AuthenticationError,
    BadResponseError,
    ClickMeterClient,
    ClickMeterError,
    ClickMeterTimeout,
    FieldError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    UnsupportedTimeframeError,
    ValidationError,
)
from messages import Message
from tests.bot.answers.helpers import assert_valid, everything, unescape

SECRET = "0f6c1b2a-3d4e-4f50-8a9b-c0d1e2f3a4b5"
TECHNICAL = f"GET /datapoints/1 failed with key {SECRET}: Traceback (most recent call last)"

ERRORS: list[ClickMeterError] = [
    ClickMeterError(TECHNICAL),
    AuthenticationError(TECHNICAL),
    ForbiddenError(TECHNICAL),
    ValidationError(TECHNICAL, errors=[FieldError("fromDay", "fromDay is after toDay", "0008")]),
    ValidationError(TECHNICAL, errors=[]),
    NotFoundError(TECHNICAL),
    RateLimitedError(TECHNICAL, retry_after=42.4),
    RateLimitedError(TECHNICAL),
    ServerError(TECHNICAL),
    ClickMeterTimeout(TECHNICAL),
    NetworkError(TECHNICAL),
    BadResponseError(TECHNICAL),
    UnsupportedTimeframeError(TECHNICAL),
    ServerError(TECHNICAL, user_message="ClickMeter <is> down & out"),
]


def assert_clean(result: Message) -> str:
    assert_valid(result)
    text = everything(result) + result.text
    assert SECRET not in text
    assert "Traceback" not in text
    assert "GET /datapoints" not in text
    return text


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_clickmeter_errors_show_the_user_message(error: ClickMeterError) -> None:
    result = error_answer(error)
    text = assert_clean(result)
    assert error.user_message in unescape(text)
    assert len(result.blocks) == 2  # the problem, then a hint on what to do


def test_hints_fit_the_error() -> None:
    assert "42 s" in everything(error_answer(ERRORS[6]))
    assert "fromDay is after toDay" in everything(error_answer(ERRORS[3]))
    assert "help timeframes" in everything(error_answer(ERRORS[12]))
    assert "/clickmeter links" in everything(error_answer(ERRORS[5]))
    assert "&lt;is&gt; down &amp; out" in everything(error_answer(ERRORS[13]))


@pytest.mark.parametrize(
    "typed", ["tpo contries", "stats 2026-13-01", "frobnicate", "top", "hits x 99"]
)
def test_command_errors_show_the_parsers_message_and_suggestion(typed: str) -> None:
    with pytest.raises(CommandError) as caught:
        parse(typed)
    error = caught.value
    text = assert_clean(error_answer(error))
    assert error.message in text
    if error.suggestion:
        assert f"/clickmeter {error.suggestion}" in text


def test_a_suggestion_not_in_the_message_is_offered() -> None:
    text = assert_clean(error_answer(CommandError("That is not a command.", "stats 7d")))
    assert "Try `/clickmeter stats 7d`" in text


def test_resolve_errors_show_the_candidates() -> None:
    error = ResolveError("`spring` matches 2 links:\n• a (`1`)\n• b (`2`)", [(1, "a"), (2, "b")])
    text = assert_clean(error_answer(error))
    assert "• a (`1`)" in text


def _client(status: int, body: str = "{}") -> ClickMeterClient:
    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text=body, headers={"content-type": "application/json"})

    return ClickMeterClient(
        SECRET,
        base_url="https://api.test",
        transport=httpx.MockTransport(reply),
        requests_per_second=None,
        max_attempts=1,
    )


@pytest.mark.parametrize(
    ("status", "kind"),
    [(401, AuthenticationError), (404, NotFoundError), (500, ServerError), (429, RateLimitedError)],
)
async def test_real_client_failures_end_as_clean_answers(
    status: int, kind: type[ClickMeterError]
) -> None:
    body = f'{{"errors": [], "message": "bad key {SECRET}"}}'
    async with _client(status, body) as client:
        with pytest.raises(kind) as caught:
            await answer(parse("stats"), AnswerContext(client))
    assert_clean(error_answer(caught.value))
