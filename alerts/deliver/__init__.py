"""Delivery: the sender that empties the outbox into Slack and webhooks.

`deliver_once` / `run_sender` (`pipeline`) claim items, order them per lane, skip what already
arrived, and record each outcome; a receiver (`SlackReceiver`, `WebhookReceiver`) does one
send behind the `Receiver` interface and answers `Sent`, `Retry` or `Permanent`.

    slack = SlackReceiver(token, base_url=settings.slack_api_url)
    await run_sender(db, [slack, WebhookReceiver()], stop_event, interval=1.0)
"""

from alerts.deliver.pipeline import Backoff, DeliveryReport, deliver_once, run_sender
from alerts.deliver.receiver import (
    CreatorMessenger,
    Delivery,
    Outcome,
    Permanent,
    Receiver,
    Retry,
    Sent,
    WebhookTarget,
)
from alerts.deliver.slack import SlackReceiver
from alerts.deliver.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookReceiver,
    sign,
    verify_signature,
)

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Backoff",
    "CreatorMessenger",
    "Delivery",
    "DeliveryReport",
    "Outcome",
    "Permanent",
    "Receiver",
    "Retry",
    "Sent",
    "SlackReceiver",
    "WebhookReceiver",
    "WebhookTarget",
    "deliver_once",
    "run_sender",
    "sign",
    "verify_signature",
]
