"""Bodies no Slack sends (found by tests/fuzz): refused with a 400, never a 500, and logged
as one warning line without the body and without a traceback, signed or not.

Bolt reads a body before it checks its signature, and its matchers and error handlers index
into it as Slack shapes it; these used to raise out of Bolt: a 500 and a traceback per POST.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest

from tests.bot.harness import BotUnderTest

FORM = "application/x-www-form-urlencoded"

UNREADABLE = [
    ("payload=notjson", FORM),  # payload= that is not JSON
    (urlencode({"payload": "[1]"}), FORM),  # JSON, but not an object
    ("{", "application/json"),
    ('"x"', "application/json"),
    # Signed and JSON objects, but a field of another type, or missing, where Bolt looks.
    (
        urlencode(
            {"payload": json.dumps({"type": "view_submission", "view": {"callback_id": ""}})}
        ),
        FORM,
    ),
    (urlencode({"payload": json.dumps({"type": "block_actions", "actions": None})}), FORM),
    (urlencode({"payload": json.dumps({"type": "shortcut", "callback_id": "x", "user": 5})}), FORM),
    (json.dumps({"type": "event_callback", "event": None}), "application/json"),
    (
        json.dumps({"type": "event_callback", "event": {"type": "x"}, "authorizations": 5}),
        "application/json",
    ),
]


@pytest.mark.parametrize(("body", "content_type"), UNREADABLE)
def test_a_body_bolt_cannot_read_is_a_400_without_a_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    response = bot.post(body, content_type=content_type)
    assert response.status_code == 400, response.text
    assert "could not be read" in response.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert not [r for r in caplog.records if r.exc_info], caplog.text
    refused = [r.getMessage() for r in caplog.records if "not one Slack sends" in r.getMessage()]
    assert len(refused) == 1
    assert body not in refused[0]


def test_a_body_that_is_not_utf8_is_a_400(bot: BotUnderTest) -> None:
    # (It cannot be signed either: the signature is over the text.)
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0=0"}
    response = bot.http.post(
        f"{bot.url}/slack/events", content=b"payload=\xff\xfe", headers=headers
    )
    assert response.status_code == 400


def test_slacks_own_bodies_still_go_through(bot: BotUnderTest) -> None:
    ack, response_url = bot.command("help")
    assert ack.status_code == 200
    assert bot.wait_answer(response_url)["text"]


def test_an_unsigned_unreadable_body_is_a_400_too(bot: BotUnderTest) -> None:
    response = bot.http.post(
        f"{bot.url}/slack/events", content="payload=notjson", headers={"Content-Type": FORM}
    )
    assert response.status_code == 400
