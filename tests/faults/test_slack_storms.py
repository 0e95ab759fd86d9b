"""Slack fails, then recovers: every due alert arrives once, in order, and a channel that
refused the bot takes its alerts once the bot is invited.

Real `clickbot worker` (and `clickbot web`) processes against the local Slack, whose storms
(every call 429 with Retry-After, then every call HTTP 500) last a few seconds here; the
issue's 60 s storms are `bench/faults.py`'s.
"""

from __future__ import annotations

from devtools.localslack.models import BOT_USER_ID
from tests.bot.home.test_requeue import member_joined_body
from tests.faults.harness import Stack, wait_until

STORM_S = 3.0
#: The 5xx backoff's cap, short so the test is: the default is 30 s.
WORKER = {"DELIVERY_BACKOFF_CAP_SECONDS": "2"}


def test_429_storm_then_5xx_storm_then_recovery_delivers_each_alert_once_in_order(
    stack: Stack,
) -> None:
    stack.start("worker", **WORKER).wait_for_output("worker started")
    stack.slack_control("storm", kind="ratelimited", seconds=STORM_S, retry_after=1)
    storm = stack.slack_control("storm", kind="http_error", seconds=STORM_S, status=500)
    general = stack.enqueue("C0GENERAL", 4)
    marketing = stack.enqueue("C0MARKETING", 2)
    wait_until(
        lambda: len(stack.posts("C0GENERAL")) >= 4 and len(stack.posts("C0MARKETING")) >= 2,
        60,
        "every alert in Slack",
    )
    calls = stack.slack.slack.calls_to("chat.postMessage")
    assert {call.status for call in calls} >= {429, 500, 200}  # both storms were met
    # The storm ended before anything was posted.
    assert all(call.status != 200 for call in calls if call.at < storm["until"] - 0.5)
    assert stack.posted_ids("C0GENERAL") == general  # once each, in order
    assert stack.posted_ids("C0MARKETING") == marketing
    assert {item.status for item in stack.outbox().values()} == {"sent"}


def test_a_channel_that_refused_the_bot_gets_its_alerts_once_the_bot_joins(stack: Stack) -> None:
    stack.slack_control("channel", channel="C0MARKETING", is_member=False)
    stack.start_web()
    stack.start("worker", **WORKER)
    refused = stack.enqueue("C0MARKETING", 2)
    later = stack.enqueue("C0GENERAL", 1)  # another channel's lane is not held behind it
    wait_until(lambda: stack.posted_ids("C0GENERAL") == later, 30, "#general's alert")
    wait_until(
        lambda: all(stack.outbox()[i].status == "dead" for i in refused), 30, "refused: dead"
    )
    assert {stack.outbox()[i].last_error for i in refused} == {"not_in_channel"}

    stack.slack_control("channel", channel="C0MARKETING", is_member=True)
    joined = stack.post_signed(
        member_joined_body(BOT_USER_ID, "C0MARKETING", event_id="Ev0FAULTS"),
        content_type="application/json",
    )
    assert joined.status_code == 200
    wait_until(lambda: len(stack.posts("C0MARKETING")) >= 2, 30, "the requeued alerts")
    assert stack.posted_ids("C0MARKETING") == refused
    # A post is in Slack a moment before the sender records it: wait for the records.
    wait_until(
        lambda: {item.status for item in stack.outbox().values()} == {"sent"}, 30, "all sent"
    )
