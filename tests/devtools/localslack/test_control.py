"""`/_control/*`: storms (every call fails for a while; storms queue up), clearing them, and
the bot leaving or joining a channel, over HTTP as another process drives them."""

from __future__ import annotations

import httpx
import pytest

from devtools.localslack import MockSlackServer


def control(server: MockSlackServer, action: str, **body: object) -> httpx.Response:
    return httpx.post(f"{server.base_url}/_control/{action}", json=body, timeout=5)


def post(server: MockSlackServer, channel: str = "C0GENERAL") -> httpx.Response:
    return httpx.post(
        f"{server.api_url}chat.postMessage",
        json={"channel": channel, "text": "hi"},
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=5,
    )


def test_storms_fail_every_call_queue_up_and_clear(server: MockSlackServer) -> None:
    first = control(server, "storm", kind="ratelimited", seconds=600, retry_after=7).json()
    second = control(server, "storm", kind="http_error", seconds=60, status=502).json()
    assert second["starts"] == first["until"]  # the 5xx storm begins where the 429 one ends
    assert second["until"] == first["until"] + 60
    for _ in range(3):  # not a count: every call, until the storm ends
        answer = post(server)
        assert (answer.status_code, answer.headers["Retry-After"]) == (429, "7")

    assert control(server, "clear").json() == {"ok": True}
    assert post(server).json()["ok"] is True
    assert len(server.slack.messages("C0GENERAL")) == 1


def test_the_bot_leaves_and_joins_a_channel(server: MockSlackServer) -> None:
    assert control(server, "channel", channel="C0MARKETING", is_member=False).status_code == 200
    assert post(server, "C0MARKETING").json()["error"] == "not_in_channel"
    joined = control(server, "channel", channel="C0MARKETING", is_member=True).json()
    assert joined["channel"]["is_member"] is True
    assert post(server, "C0MARKETING").json()["ok"] is True


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("storm", {"kind": "hail", "seconds": 5}),
        ("storm", {"kind": "ratelimited", "seconds": 0}),
        ("storm", {"kind": "ratelimited"}),
        ("channel", {"channel": "C0NOWHERE"}),
    ],
)
def test_a_bad_control_is_refused_and_changes_nothing(
    server: MockSlackServer, action: str, body: dict[str, object]
) -> None:
    answer = control(server, action, **body)
    assert answer.status_code == 400
    assert answer.json()["ok"] is False
    assert server.slack.faults == []
    assert post(server).json()["ok"] is True
