"""Delivery: the sender that empties the outbox into Slack and webhooks.

`deliver_once` (one pass) and `run_sender` (passes until stopped) compose the stages of
`stages.py`: claim items, order them per lane, prepare, send (skipping what already arrived),
and record each outcome with its payload's hooks (`hooks.py`). A receiver (`SlackPostReceiver`,
`SlackUpdateReceiver`, `DigestReceiver`, `WebhookReceiver`) does one send behind the `Receiver`
interface and answers `Sent`, `Retry` or `Permanent`; the Slack ones share `SlackPosters`: a
`SlackPoster` (client, pacing, errors, history look-ups) per workspace, with the bot token a
`TokenSource` gives (`tokens.py`: one from the environment, or each workspace's own).

    slack = SlackPoster(token, base_url=settings.slack_api_url)      # one token for all, or
    slack = SlackPosters(installed_bot_tokens, base_url=settings.slack_api_url)
    receivers = [SlackPostReceiver(slack), SlackUpdateReceiver(slack), DigestReceiver(slack)]
    await run_sender(db, receivers, stop_event, interval=1.0)
"""

from alerts.deliver.digest import DigestReceiver
from alerts.deliver.pipeline import DeliveryReport, deliver_once, run_sender
from alerts.deliver.poster import SlackPoster
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
from alerts.deliver.slack import SlackPostReceiver, SlackUpdateReceiver
from alerts.deliver.stages import Backoff
from alerts.deliver.tokens import NOT_INSTALLED, FixedToken, SlackPosters, TokenSource
from alerts.deliver.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookReceiver,
    sign,
    verify_signature,
)

__all__ = [
    "NOT_INSTALLED",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "Backoff",
    "CreatorMessenger",
    "Delivery",
    "DeliveryReport",
    "DigestReceiver",
    "FixedToken",
    "Outcome",
    "Permanent",
    "Receiver",
    "Retry",
    "Sent",
    "SlackPostReceiver",
    "SlackPoster",
    "SlackPosters",
    "SlackUpdateReceiver",
    "TokenSource",
    "WebhookReceiver",
    "WebhookTarget",
    "deliver_once",
    "run_sender",
    "sign",
    "verify_signature",
]
