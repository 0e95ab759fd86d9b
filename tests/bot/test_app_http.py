"""The Slack app over real HTTP: signatures, ack first, answers on the response_url, sharing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from devtools.localslack import MockSlackServer
from devtools.localslack.signed import slash_command_body
from tests.bot.harness import BotUnderTest, running_bot
from tests.conftest import Sandbox


def share_value(answer: dict[str, object]) -> str:
    blocks = answer["blocks"]
    assert isinstance(blocks, list)
    actions = [b for b in blocks if b.get("type") == "actions"]
    assert actions, "a result carries the Share in channel button"
    (button,) = actions[-1]["elements"]
    assert button["action_id"] == "share_answer"
    value = button["value"]
    assert isinstance(value, str)
    return value


def test_healthz(bot: BotUnderTest) -> None:
    response = bot.http.get(f"{bot.url}/healthz")
    assert response.status_code == 200
    assert response.json()["ok"] is True


def test_unsigned_forged_and_stale_requests_are_refused(bot: BotUnderTest) -> None:
    response_url = bot.slack.response_url()
    body = slash_command_body("stats", response_url=response_url)
    unsigned = bot.http.post(
        f"{bot.url}/slack/events",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    forged = bot.post(body, wrong_signature=True)
    stale = bot.post(body, stale=True)
    assert [unsigned.status_code, forged.status_code, stale.status_code] == [401, 401, 401]
    time.sleep(0.5)  # give any (wrongly) started work the time to show itself
    assert bot.responses(response_url) == []
    assert [c.method for c in bot.slack.slack.calls] == ["auth.test"]  # the start-up warm-up


def test_ack_is_empty_and_the_answer_follows_ephemerally(bot: BotUnderTest) -> None:
    ack, response_url = bot.command("stats last7")
    assert ack.status_code == 200
    assert ack.text == ""
    answer = bot.wait_answer(response_url)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"]
    share_value(answer)


def test_a_cold_burst_makes_one_auth_test(sandbox: Sandbox, mock_slack: MockSlackServer) -> None:
    with running_bot(sandbox.url, sandbox.api_key, mock_slack) as bot:
        acks = [bot.command("help")[0] for _ in range(5)]
        assert {ack.status_code for ack in acks} == {200}
    assert len(mock_slack.slack.calls_to("auth.test")) == 1


def test_bad_input_gets_a_lesson_not_a_share_button(bot: BotUnderTest) -> None:
    answer = bot.ask("tpo contries")
    text = json.dumps(answer)
    assert "top countries" in text
    assert not [b for b in answer["blocks"] if b.get("type") == "actions"]


def test_share_in_channel_reposts_the_same_answer(bot: BotUnderTest) -> None:
    answer = bot.ask("top countries last30")
    clicked = bot.click("share_answer", share_value(answer), user_id="U0BOB")
    assert clicked.status_code == 200
    response_url = clicked.extensions["response_url"]
    posts = bot.slack.slack.wait_for(lambda: len(bot.responses(response_url)) >= 2 or None)
    shared, removed = (p.body for p in bot.responses(response_url)[:2])
    assert posts
    assert shared["response_type"] == "in_channel"
    assert shared["blocks"][:-1] == [b for b in answer["blocks"] if b.get("type") != "actions"]
    assert "<@U0BOB>" in json.dumps(shared["blocks"][-1])
    assert removed["delete_original"] is True


def test_share_after_restart_answers_afresh(bot: BotUnderTest) -> None:
    value = json.dumps({"k": "forgotten", "t": "stats last7"})
    clicked = bot.click("share_answer", value)
    response_url = clicked.extensions["response_url"]
    bot.slack.slack.wait_for(lambda: len(bot.responses(response_url)) >= 2 or None)
    shared = bot.responses(response_url)[0].body
    assert shared["response_type"] == "in_channel"
    assert "`/clickmeter stats last7`" in json.dumps(shared["blocks"][-1])


def test_revoked_key_is_explained(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer
) -> None:
    sandbox = make_sandbox()
    sandbox.control("faults", {"revoked": True})
    with running_bot(sandbox.url, sandbox.api_key, mock_slack, max_attempts=1) as bot:
        answer = bot.ask("stats")
    text = json.dumps(answer)
    assert "API key" in text
    assert sandbox.api_key not in text
    assert "Traceback" not in text


def test_slow_clickmeter_never_delays_the_ack(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer
) -> None:
    sandbox = make_sandbox()
    sandbox.control("faults", {"latency_ms": 1500})
    with running_bot(sandbox.url, sandbox.api_key, mock_slack) as bot:
        ack, response_url = bot.command("stats")
        assert ack.status_code == 200
        # ClickMeter takes 1.5 s per call: the ack came back before any answer could exist.
        assert bot.responses(response_url) == []
        answer = bot.wait_answer(response_url, timeout=20)
    assert answer["response_type"] == "ephemeral"


def test_events_without_a_listener_are_acknowledged(bot: BotUnderTest) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": "T0CLICKBOT",
            "api_app_id": "A0CLICKBOT",
            "event": {"type": "reaction_added", "user": "U0ALICE", "reaction": "tada"},
            "event_id": "Ev1",
            "event_time": 1,
        }
    )
    response = bot.post(body, content_type="application/json")
    assert response.status_code == 200


def test_url_verification(bot: BotUnderTest) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"})
    response = bot.post(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}
