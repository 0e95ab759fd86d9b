"""The digest receiver ('slack.digest' outbox items), and `send_digest`, which posts one.

A digest goes out as two Slack calls:

1. `chat.postMessage`: the digest's Block Kit (`render_digest`), tagged with message metadata
   (`clickbot_digest`, the outbox id) so that a retry after an unrecorded success finds the post
   in the channel's history (`find_delivered`) instead of posting it twice;
2. `files_upload_v2`: the 14-day chart (PNG, re-rendered from the content) shared in the same
   channel right under it. When the upload fails (no `files:write` scope, `not_allowed`, file
   uploads disabled, Slack trouble...), the post is edited (`chat.update`) to carry the text
   sparkline instead, and the item still counts as sent: the digest arrived, once. A failed
   upload is never retried on its own, since retrying the item would find the post and stop.

Failures of the post map as for alerts (`SlackPoster.outcome_of`); a channel the bot cannot
post to makes the item dead, and the digest's creator is told (`hooks.DigestHooks`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata
from slack_sdk.web.async_client import AsyncWebClient

from alerts.deliver.poster import NETWORK_ERRORS, SlackPoster, error_code, outbox_tag
from alerts.deliver.receiver import Delivery, Outcome, Retry, Sent, undeliverable
from alerts.deliver.tokens import SlackPosters, posters_of
from alerts.digests.chart import chart_filename, chart_title, render_digest_chart
from alerts.digests.content import DigestContent
from alerts.digests.message import render_digest
from alerts.outbox import DigestPayload
from messages import Message
from storage.models import OutboxKind

log = logging.getLogger(__name__)

#: `event_type` of the message metadata on every digest post (see `find_delivered`).
METADATA_EVENT_TYPE = "clickbot_digest"
#: Upload errors that mean "this workspace or token may not upload files": expected, not bugs.
UPLOAD_REFUSED = frozenset(
    {"not_allowed", "missing_scope", "not_allowed_token_type", "restricted_action",
     "file_uploads_disabled", "file_upload_disabled", "no_permission"}
)  # fmt: skip

ChartState = Literal["uploaded", "sparkline"]


@dataclass(frozen=True, slots=True)
class PostedDigest:
    """Where the digest went, and whether its chart made it (else the sparkline stands in)."""

    channel: str
    ts: str
    chart: ChartState
    file_id: str | None = None
    #: Why the chart is not there (Slack's error code, or `render_failed`).
    chart_error: str | None = None

    def result(self) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "ts": self.ts, "chart": self.chart}
        if self.file_id:
            out["file_id"] = self.file_id
        if self.chart_error:
            out["chart_error"] = self.chart_error
        return out


async def _chart(content: DigestContent) -> bytes | None:
    try:
        return await asyncio.to_thread(render_digest_chart, content)
    except Exception:  # a drawing bug must not cost the digest: the sparkline stands in
        log.exception("could not draw the chart of a digest for %s", content.last)
        return None


async def send_digest(
    client: AsyncWebClient,
    channel: str,
    content: DigestContent,
    *,
    metadata: Metadata | None = None,
    pace: Callable[[str], Awaitable[None]] | None = None,
) -> PostedDigest:
    """Post the digest to `channel` (a channel id, or a user id for their DM), then upload its
    chart there, falling back to the sparkline. Raises what posting raises (`SlackApiError`,
    network errors); never fails because of the chart."""
    png = await _chart(content)
    message: Message = replace(
        render_digest(content, chart_uploaded=png is not None), metadata=metadata
    )
    if pace is not None:
        await pace(channel)
    response = await client.chat_postMessage(
        channel=channel,
        text=message.text,
        blocks=message.block_dicts(),
        metadata=message.metadata_dict(),
        unfurl_links=False,
    )
    posted, ts = str(response["channel"]), str(response["ts"])
    if png is None:
        problem = "render_failed"
    else:
        if pace is not None:
            await pace(posted)
        try:
            upload = await client.files_upload_v2(
                channel=posted,
                file=png,
                filename=chart_filename(content),
                title=chart_title(content),
                alt_txt=f"Bar chart: {chart_title(content)}",
            )
            file = upload.get("file") or {}
            return PostedDigest(posted, ts, "uploaded", file_id=file.get("id"))
        except (SlackApiError, *NETWORK_ERRORS) as error:
            problem = error_code(error)
            level = logging.INFO if problem in UPLOAD_REFUSED else logging.WARNING
            log.log(
                level, "digest chart not uploaded to %s (%s): sparkline instead", posted, problem
            )
    sparkline = render_digest(content, chart_uploaded=False)
    try:
        await client.chat_update(
            channel=posted, ts=ts, text=sparkline.text, blocks=sparkline.block_dicts()
        )
    except (SlackApiError, *NETWORK_ERRORS) as error:
        log.warning("could not add the sparkline to digest %s/%s: %s", posted, ts, error)
    return PostedDigest(posted, ts, "sparkline", chart_error=problem)


class DigestReceiver:
    """Delivers 'slack.digest' items (see the module docstring) through `slack`."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.digest"})

    def __init__(self, slack: SlackPoster | SlackPosters) -> None:
        self.posters = posters_of(slack)

    async def deliver(self, delivery: Delivery) -> Outcome:
        payload = delivery.payload
        if not isinstance(payload, DigestPayload):
            return undeliverable(delivery, "the item carries no digest")
        envelope, channel = payload.digest, payload.channel
        tag = outbox_tag(
            METADATA_EVENT_TYPE,
            delivery,
            digest_id=envelope.digest_id,
            day=envelope.day.isoformat(),
        )

        async def send(slack: SlackPoster) -> Outcome:
            try:
                posted = await send_digest(
                    slack.client, channel, envelope.content, metadata=tag, pace=slack.pace
                )
            except SlackApiError as error:
                return slack.outcome_of(delivery, error, channel)
            except NETWORK_ERRORS as error:
                return Retry(f"cannot reach Slack ({type(error).__name__}: {error})")
            return Sent(posted.result())

        return await self.posters.use(delivery.team_id, send)

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """The post an earlier attempt made, found by its metadata tag; None if none."""
        channel = delivery.channel
        if not channel or is_user(channel):
            return None  # a preview DM: history needs the DM's id; a repeat preview is harmless
        found = await self.posters.use(
            delivery.team_id,
            lambda slack: slack.find_tagged(delivery, METADATA_EVENT_TYPE, channel),
        )
        if isinstance(found, Sent):
            return Sent({**found.result, "adopted": True})
        return found

    async def tell_creator(
        self, team_id: str, user_id: str, text: str, blocks: list[dict[str, Any]]
    ) -> bool:
        """A direct message to `user_id` of `team_id`; True if it arrived."""
        return await self.posters.tell(team_id, user_id, text, blocks)


def is_user(channel: str) -> bool:
    """A user id (`U…`/`W…`): posting to it goes to the DM with that user."""
    return channel[:1] in ("U", "W")
