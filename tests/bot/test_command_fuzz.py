"""Arbitrary text at the running /clickmeter: each input gets an ack and an answer, no crash."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.harness import BotUnderTest

WORDS = st.sampled_from(
    [
        "stats",
        "top",
        "links",
        "link",
        "group",
        "groups",
        "hits",
        "help",
        "countries",
        "referrers",
        "tag",
        "today",
        "7d",
        "last-month",
        "all",
        "2026-11-01..2026-11-15",
        "2026-02-30..2026-03-01",
        '"spring sale"',
        "<#C0GENERAL|general>",
        "<@U0BOB>",
        "&amp;",
        "999999999",
        "-1",
        "50",
        "📈",
        "“smart”",
        "\u00a0",
    ]
)
COMMAND_LIKE = st.lists(WORDS, max_size=6).map(" ".join)
ANY_TEXT = st.text(max_size=300)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(COMMAND_LIKE, ANY_TEXT))
def test_every_input_is_acked_and_answered(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, text: str
) -> None:
    caplog.set_level(logging.ERROR)
    ack, response_url = bot.command(text)
    assert ack.status_code == 200
    answer = bot.wait_answer(response_url, timeout=15)
    assert answer["text"]
    assert "Something went wrong on clickbot's side" not in json.dumps(answer)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
