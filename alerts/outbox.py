"""What goes into the outbox, written in one place and read back in one place.

Every outbox item's payload is one of three typed payloads, told apart by its `type` tag:

- `AlertPayload` ('alert'): an `AlertNotice` for a Slack channel (kinds slack.post, slack.update,
  slack.reply); `request` / `requested_by` mark a sample asked for by `/clickmeter alert test`;
- `WebhookPayload` ('webhook'): the same notice for one of the team's webhooks;
- `DigestPayload` ('digest'): a `DigestEnvelope` for a channel, or for a user's DM (a preview).

`enqueue_alert`, `enqueue_webhook` and `enqueue_digest` are the only writers; `decode_payload`
the only reader. A payload carries everything needed to render and send it, so delivering
needs no ClickMeter call and an item renders the same after a restart. The enqueue functions
run in the caller's transaction (the outbox item commits with the change it announces) and,
like `Outbox.enqueue`, return the team's existing item when the dedupe key was used before.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from alerts.digests.content import DigestContent
from alerts.notice import AlertNotice
from storage import OutboxItem, Transaction
from storage.models import Digest, OutboxKind

#: The outbox kinds of the Slack items an alert makes.
AlertKind = Literal["slack.post", "slack.update", "slack.reply"]
#: The outbox item kind of a digest.
DIGEST_KIND: Final[OutboxKind] = "slack.digest"


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AlertPayload(_Payload):
    """An alert notice for a Slack channel."""

    type: Literal["alert"] = "alert"
    channel: str
    notice: AlertNotice
    #: A sample from `/clickmeter alert test`: who asked, and a token unique to that request
    #: (a second request finding another token knows its sample is already on its way).
    requested_by: str | None = None
    request: str | None = None


class WebhookPayload(_Payload):
    """An alert notice for one of the team's webhooks (its URL and secret are read at send
    time, so a changed secret applies to items already queued)."""

    type: Literal["webhook"] = "webhook"
    webhook_id: int
    notice: AlertNotice


class DigestEnvelope(_Payload):
    """A digest as it travels in the outbox: enough to render and send it with no other read."""

    digest_id: int
    #: The digest's local day (in its own zone) this is the digest of.
    day: date
    created_by: str
    content: DigestContent


class DigestPayload(_Payload):
    """A digest for a channel, or for a user id (a preview sent by direct message)."""

    type: Literal["digest"] = "digest"
    channel: str
    digest: DigestEnvelope


Payload = Annotated[AlertPayload | WebhookPayload | DigestPayload, Field(discriminator="type")]
_PAYLOAD: TypeAdapter[AlertPayload | WebhookPayload | DigestPayload] = TypeAdapter(Payload)


def decode_payload(item: OutboxItem) -> AlertPayload | WebhookPayload | DigestPayload:
    """The item's payload, typed; `ValueError` (pydantic's `ValidationError`) if unreadable."""
    return _PAYLOAD.validate_python(item.payload)


async def enqueue_alert(
    tx: Transaction,
    notice: AlertNotice,
    *,
    kind: AlertKind,
    channel: str,
    dedupe_key: str,
    episode_id: int | None = None,
    depends_on: int | None = None,
    requested_by: str | None = None,
    request: str | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Queue `notice` for `channel`: a post, an edit or a thread reply of the post it
    `depends_on` (the edit and the reply go where that post went)."""
    payload = AlertPayload(
        channel=channel, notice=notice, requested_by=requested_by, request=request
    )
    return await tx.outbox.enqueue(
        notice.team_id,
        kind=kind,
        target=channel,
        payload=payload.model_dump(mode="json"),
        dedupe_key=dedupe_key,
        episode_id=episode_id,
        depends_on=depends_on,
        now=now,
    )


async def enqueue_webhook(
    tx: Transaction,
    notice: AlertNotice,
    webhook_id: int,
    *,
    dedupe_key: str,
    episode_id: int | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Queue `notice` for the team's webhook `webhook_id`."""
    payload = WebhookPayload(webhook_id=webhook_id, notice=notice)
    return await tx.outbox.enqueue(
        notice.team_id,
        kind="webhook",
        target=str(webhook_id),
        payload=payload.model_dump(mode="json"),
        dedupe_key=dedupe_key,
        episode_id=episode_id,
        now=now,
    )


async def enqueue_digest(
    tx: Transaction,
    digest: Digest,
    day: date,
    content: DigestContent,
    *,
    dedupe_key: str,
    channel: str | None = None,
    now: datetime | None = None,
) -> OutboxItem:
    """Queue `digest`'s `content` for its local `day`, to the digest's channel or to `channel`
    (a user id, for a preview by direct message)."""
    envelope = DigestEnvelope(
        digest_id=digest.id, day=day, created_by=digest.created_by, content=content
    )
    to = channel or digest.channel_id
    payload = DigestPayload(channel=to, digest=envelope)
    return await tx.outbox.enqueue(
        digest.team_id,
        kind=DIGEST_KIND,
        target=to,
        payload=payload.model_dump(mode="json"),
        dedupe_key=dedupe_key,
        now=now,
    )
