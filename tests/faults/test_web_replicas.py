"""Two `clickbot web` replicas on one PostgreSQL answer any request, and Share in channel
works across them: the button pressed on replica B reposts the answer replica A gave, kept in
the database, without B asking ClickMeter again (the sandbox's request counter says so)."""

from __future__ import annotations

import json
from typing import Any

import httpx

from devtools.localslack.signed import block_actions_body, signed_headers, slash_command_body
from tests.deploy.environment import SIGNING_SECRET
from tests.faults.harness import Logged, Stack, wait_until
from tests.servers import free_port

FORM = "application/x-www-form-urlencoded"


def _post(web_url: str, body: str) -> None:
    headers = signed_headers(SIGNING_SECRET, body, content_type=FORM)
    answer = httpx.post(f"{web_url}/slack/events", content=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text


def _answers(stack: Stack, response_url: str, count: int) -> list[dict[str, Any]]:
    posts = wait_until(
        lambda: (found := stack.slack.slack.responses_to(response_url))[count - 1 :] and found,
        30,
        f"{count} answer(s) at {response_url}",
    )
    return [post.body for post in posts]


def _ask(stack: Stack, web_url: str, text: str) -> dict[str, Any]:
    response_url = stack.slack.response_url(channel="C0GENERAL")
    _post(web_url, slash_command_body(text, channel_id="C0GENERAL", response_url=response_url))
    return _answers(stack, response_url, 1)[0]


def _share_value(answer: dict[str, Any]) -> str:
    [actions] = [block for block in answer["blocks"] if block.get("type") == "actions"]
    return str(actions["elements"][0]["value"])


def _up(web: Logged, url: str) -> bool:
    if web.process.poll() is not None:
        raise AssertionError(f"`clickbot web` ended:\n{web.output()}")
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _clickmeter_requests(stack: Stack) -> int:
    return int(stack.sandbox.raw.get("/_sandbox/throttle").json()["admitted"])


def test_two_replicas_answer_alternately_and_share_across(stack: Stack) -> None:
    a = stack.start_web()
    b_port = free_port()
    b = stack.start("web", PORT=str(b_port))
    b_url = f"http://127.0.0.1:{b_port}"
    wait_until(lambda: _up(b, b_url), 60, "replica B's /healthz")
    replicas = [stack.web_url, b_url]
    for turn, text in enumerate(["stats last7", "top countries last30", "stats today", "help"]):
        answer = _ask(stack, replicas[turn % 2], text)
        assert answer["response_type"] == "ephemeral"
        assert answer["text"]

    given = _ask(stack, stack.web_url, "top countries last7")  # answered by A
    asked_before = _clickmeter_requests(stack)
    response_url = stack.slack.response_url(channel="C0GENERAL")
    _post(
        b_url,  # pressed on B
        block_actions_body(
            "share_answer", value=_share_value(given), user_id="U0BOB", response_url=response_url
        ),
    )
    shared, removed = _answers(stack, response_url, 2)[:2]
    assert shared["response_type"] == "in_channel"
    assert shared["text"] == given["text"]
    assert shared["blocks"][:-1] == [b for b in given["blocks"] if b.get("type") != "actions"]
    assert "<@U0BOB>" in json.dumps(shared["blocks"][-1])
    assert removed["delete_original"] is True
    # B reposted what A kept: it did not run the command again against ClickMeter.
    assert _clickmeter_requests(stack) == asked_before
    for replica in (a, b):
        assert "Traceback" not in replica.output()
