"""Two real `clickbot web` processes on one PostgreSQL database: a question in plain words
delivered to both (Slack's retry of an event whose first attempt it saw fail, landing on the
other replica) is answered once, whichever gets it first."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from devtools.localslack.events import mention_body
from devtools.localslack.models import BOT_USER_ID
from devtools.localslack.signed import signed_headers
from tests.deploy.environment import SIGNING_SECRET
from tests.faults.harness import Logged, Stack, wait_until
from tests.servers import free_port


def start_replica(stack: Stack) -> str:
    """Another `clickbot web` beside the stack's, on a port of its own: its URL."""
    port = free_port()
    log = stack.home / f"web-replica-{port}.log"
    replica = Logged("web", {**stack.env(), "PORT": str(port)}, stack.home, log)
    stack.processes.append(replica)
    url = f"http://127.0.0.1:{port}"

    def up() -> bool:
        if replica.process.poll() is not None:
            raise AssertionError(f"`clickbot web` ended:\n{replica.output()}")
        try:
            return httpx.get(f"{url}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    wait_until(up, 60, "the replica's /healthz")
    return url


def deliver(url: str, body: str, retry: int | None) -> int:
    headers = signed_headers(SIGNING_SECRET, body, content_type="application/json")
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "connection_failed"}
    return httpx.post(f"{url}/slack/events", content=body, headers=headers, timeout=10).status_code


def test_a_question_reaching_two_web_processes_is_answered_once(stack: Stack) -> None:
    stack.start_web()
    urls = [stack.web_url, start_replica(stack)]
    asked = []
    for round_ in range(4):
        message = stack.slack.slack.post_user_message(
            "C0GENERAL", f"<@{BOT_USER_ID}> clicks yesterday"
        )
        body = mention_body(message)
        order = urls if round_ % 2 == 0 else urls[::-1]
        with ThreadPoolExecutor(2) as pool:  # the first attempt and its retry, at once
            statuses = list(pool.map(deliver, order, [body, body], [None, 1]))
        assert statuses == [200, 200]
        asked.append(message)

    def replies() -> list[int] | None:
        counts = [
            sum(1 for m in stack.slack.slack.thread(q.channel, q.ts) if m.user == BOT_USER_ID)
            for q in asked
        ]
        return counts if all(counts) else None

    wait_until(replies, 30, "a reply to every question")
    # Stopped once their answers in flight are done: a late second answer would be there now.
    for process in stack.processes:
        process.stop()
    assert replies() == [1] * len(asked)
