"""The worker killed mid-send, the web process stopped mid-answer.

SIGKILL leaves no chance to clean up: the post Slack was answering when the worker died
arrives in the channel, but the worker never learns it. After a restart the alerts go out,
each once: the one that arrived is found in the channel and adopted, not posted again.
SIGTERM on the web process lets an answer being built finish before anything closes.
"""

from __future__ import annotations

import signal

from devtools.localslack.signed import slash_command_body
from tests.faults.harness import Stack, wait_until

ALERTS = 4
SLACK_LATENCY_S = 2.0
CLICKMETER_LATENCY_MS = 1500


def test_a_worker_killed_mid_send_delivers_each_alert_once_after_a_restart(stack: Stack) -> None:
    worker = stack.start("worker")
    worker.wait_for_output("worker started")
    slow = stack.slack.slack.inject(
        "delay", method="chat.postMessage", times=ALERTS, seconds=SLACK_LATENCY_S
    )
    alerts = stack.enqueue("C0GENERAL", ALERTS)
    # The first post is in, the second has reached Slack and waits for its answer.
    wait_until(
        lambda: len(stack.posts("C0GENERAL")) == 1 and slow.times <= ALERTS - 2,
        60,
        "the second post in flight",
    )
    assert worker.stop(signal.SIGKILL) == -signal.SIGKILL
    wait_until(lambda: len(stack.posts("C0GENERAL")) == 2, 10, "the post in flight to land")
    # Its leases lapse now instead of in 20 s (DEFAULT_LEASE; bench/faults.py waits it out).
    assert stack.lapse_leases() >= 1  # the killed worker held claims

    stack.start("worker")
    wait_until(
        lambda: all(item.status == "sent" for item in stack.outbox().values()),
        60,
        "every alert sent",
    )
    assert stack.posted_ids("C0GENERAL") == alerts  # none lost, none twice, in order


def test_sigterm_lets_an_answer_in_flight_finish(stack: Stack) -> None:
    web = stack.start_web()
    stack.sandbox.control("faults", {"latency_ms": CLICKMETER_LATENCY_MS})
    response_url = stack.slack.response_url()
    ack = stack.post_signed(slash_command_body("stats", response_url=response_url))
    assert ack.status_code == 200
    # uvicorn ends the process with the signal it stopped on, once it is done.
    assert web.stop(signal.SIGTERM) == -signal.SIGTERM
    answers = stack.slack.slack.responses_to(response_url)
    assert len(answers) == 1
    assert "clicks" in answers[0].body["text"].lower(), answers[0].body["text"]
