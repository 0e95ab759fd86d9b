"""Webhooks that are slow or point inside: a tarpit receiver holds no Slack delivery, and an
address on this machine is refused when the webhook is added and again when it is sent."""

from __future__ import annotations

from tests.faults.harness import Listener, Stack, wait_until


def test_a_tarpit_webhook_does_not_hold_slack_deliveries(stack: Stack) -> None:
    # Loopback allowed: the tarpit is on this machine. Its byte every few seconds keeps
    # every read of the webhook sender under its timeout; only the overall deadline ends it.
    stack.start("worker", WEBHOOK_ALLOW_LOOPBACK="true").wait_for_output("worker started")
    stack.enqueue_webhook(stack.add_webhook(stack.tarpit.url))
    wait_until(stack.tarpit.connections, 30, "the webhook sender in the tarpit")
    alerts = stack.enqueue("C0GENERAL", 3)
    wait_until(lambda: len(stack.posts("C0GENERAL")) >= 3, 60, "the Slack alerts")
    held = stack.tarpit.connections()[0]
    posted = [c.at for c in stack.slack.slack.calls_to("chat.postMessage") if c.status == 200]
    # Every Slack post went out while the webhook was still stuck in the tarpit.
    assert held[1] is None or max(posted) < held[1], (held, posted)
    assert stack.posted_ids("C0GENERAL") == alerts
    stack.tarpit.close()  # let the webhook attempt end, so the worker stops at once


#: Each a way in to this machine or its network (the Docker socket, cloud metadata, ...).
INSIDE = (
    "http://127.0.0.1:2375/containers/prune",
    "https://localhost:2375/containers/prune",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[64:ff9b::a00:5]/hook",
    "https://[2002:a00:5::1]/hook",
    "https://[::169.254.169.254]/latest/meta-data",
    "https://10.0.0.5/hook",
)


def test_a_webhook_into_this_machine_or_its_network_is_refused_when_added(stack: Stack) -> None:
    stack.start_web()
    for url in INSIDE:
        answer = stack.command(f"alert webhook add {url}")
        assert "added" not in answer, (url, answer)
        assert "public" in answer, (url, answer)  # it says where webhooks may go
    assert stack.webhooks() == []


def test_a_webhook_into_this_machine_is_refused_when_sent(stack: Stack) -> None:
    """Rows stored when another policy (or another DNS answer) let them in: the sender checks
    the address it would connect to, and never connects."""
    listener = Listener()
    try:
        items = [
            stack.enqueue_webhook(stack.add_webhook(url))
            for url in (
                f"https://localhost:{listener.port}/hook",
                f"https://[::ffff:127.0.0.1]:{listener.port}/hook",
                f"http://127.0.0.1:{listener.port}/hook",
            )
        ]
        stack.start("worker")
        wait_until(
            lambda: all(stack.outbox()[i].status == "dead" for i in items), 30, "refused: dead"
        )
        assert listener.accepted == 0
        for item in items:
            assert stack.outbox()[item].attempts <= 1
    finally:
        listener.close()
