"""The digest receiver ('slack.digest' outbox items) and `preview`, which sends a digest now.

A digest goes out as two Slack calls:

1. `chat.postMessage`: the digest's Block Kit (`render_digest`), tagged with message metadata
   (`clickbot_digest`, the outbox id) so that a retry after an unrecorded success finds the post
   in the channel's history (`find_delivered`) instead of posting it twice;
2. `files_upload_v2`: the 14-day chart (PNG, re-rendered from the content) shared in the same
   channel right under it. When the upload fails (no `files:write` scope, `not_allowed`, file
   uploads disabled, Slack trouble...), the post is edited (`chat.update`) to carry the text
   sparkline instead, and the item still counts as sent: the digest arrived, once. A failed
   upload is never retried on its own, since retrying the item would find the post and stop.

Failures of the post map as for alerts (`SlackReceiver`): 429 → `Retry` after Retry-After, 5xx
and network errors → `Retry`, a channel the bot cannot post to → `Permanent` (and the digest's
creator gets a direct message saying so, since the pipeline only knows alert rules' creators),
a refused token or content → `Permanent`.

The pipeline hands receivers the item's `AlertNotice` only, so `digest_payload` carries the
digest (a `DigestEnvelope`: the digest id, its day, its creator and the `DigestContent`) as JSON
in the notice's `message`, on a TEST notice that is never rendered as an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Literal

import aiohttp
from pydantic import BaseModel, ConfigDict, ValidationError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from alerts.deliver.receiver import Delivery, Outcome, Permanent, Retry, Sent
from alerts.deliver.slack import (
    CHANNEL_ERRORS,
    HISTORY_PAGE,
    SlackReceiver,
    history_oldest,
)
from alerts.digests.chart import chart_filename, chart_title, render_digest_chart
from alerts.digests.content import DigestContent
from alerts.digests.message import render_digest
from alerts.notice import AlertNotice, NoticeKind
from storage.models import OutboxKind

if TYPE_CHECKING:
    from clickmeter import ClickMeterClient
    from storage.models import Digest

log = logging.getLogger(__name__)

#: `event_type` of the message metadata on every digest post (see `find_delivered`).
METADATA_EVENT_TYPE = "clickbot_digest"
#: Upload errors that mean "this workspace or token may not upload files": expected, not bugs.
UPLOAD_REFUSED = frozenset(
    {"not_allowed", "missing_scope", "not_allowed_token_type", "restricted_action",
     "file_uploads_disabled", "file_upload_disabled", "no_permission"}
)  # fmt: skip

ChartState = Literal["uploaded", "sparkline"]


class DigestEnvelope(BaseModel):
    """A digest as it travels in the outbox: enough to render and send it with no other read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    digest_id: int
    #: The digest's local day (in its own zone) this is the digest of.
    day: date
    created_by: str
    content: DigestContent


def digest_payload(
    digest: Digest, day: date, content: DigestContent, *, at: datetime, channel: str | None = None
) -> dict[str, Any]:
    """The outbox payload of `digest`'s item for local `day` (see the module docstring), to
    the digest's channel or to `channel` (a user id for a preview by direct message)."""
    envelope = DigestEnvelope(
        digest_id=digest.id, day=day, created_by=digest.created_by, content=content
    )
    notice = AlertNotice(
        kind=NoticeKind.TEST,
        team_id=digest.team_id,
        at=at,
        timezone=content.zone,
        subject=digest.links_filter or "account",
        subject_label=content.scope,
        message=envelope.model_dump_json(),
    )
    return {
        "channel": channel or digest.channel_id,
        "notice": notice.model_dump(mode="json"),
        "digest": {"id": digest.id, "day": day.isoformat()},
    }


def envelope_of(notice: AlertNotice) -> DigestEnvelope:
    """The digest a 'slack.digest' item carries; ValueError if it carries none."""
    if not notice.message:
        raise ValueError("the notice carries no digest")
    try:
        return DigestEnvelope.model_validate_json(notice.message)
    except ValidationError as error:
        raise ValueError(f"unreadable digest: {error.error_count()} error(s)") from error


def digest_metadata(outbox_id: int, team_id: str, envelope: DigestEnvelope) -> dict[str, Any]:
    return {
        "event_type": METADATA_EVENT_TYPE,
        "event_payload": {
            "outbox_id": outbox_id,
            "team_id": team_id,
            "digest_id": envelope.digest_id,
            "day": envelope.day.isoformat(),
        },
    }


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


def _blocks(content: DigestContent, *, chart_uploaded: bool) -> tuple[str, list[dict[str, Any]]]:
    message = render_digest(content, chart_uploaded=chart_uploaded)
    return message.text, [block.to_dict() for block in message.blocks]


async def _chart(content: DigestContent) -> bytes | None:
    try:
        return await asyncio.to_thread(render_digest_chart, content)
    except Exception:  # a drawing bug must not cost the digest: the sparkline stands in
        log.exception("could not draw the chart of a digest for %s", content.last)
        return None


def _error_code(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"http_{error.response.status_code}")
    return type(error).__name__


async def send_digest(
    client: AsyncWebClient,
    channel: str,
    content: DigestContent,
    *,
    metadata: dict[str, Any] | None = None,
    pace: Callable[[str], Awaitable[None]] | None = None,
) -> PostedDigest:
    """Post the digest to `channel` (a channel id, or a user id for their DM), then upload its
    chart there, falling back to the sparkline. Raises what posting raises (`SlackApiError`,
    network errors); never fails because of the chart."""
    png = await _chart(content)
    text, blocks = _blocks(content, chart_uploaded=png is not None)
    if pace is not None:
        await pace(channel)
    response = await client.chat_postMessage(
        channel=channel, text=text, blocks=blocks, metadata=metadata, unfurl_links=False
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
        except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as error:
            problem = _error_code(error)
            level = logging.INFO if problem in UPLOAD_REFUSED else logging.WARNING
            log.log(
                level, "digest chart not uploaded to %s (%s): sparkline instead", posted, problem
            )
    text, blocks = _blocks(content, chart_uploaded=False)
    try:
        await client.chat_update(channel=posted, ts=ts, text=text, blocks=blocks)
    except (SlackApiError, aiohttp.ClientError, TimeoutError, OSError) as error:
        log.warning("could not add the sparkline to digest %s/%s: %s", posted, ts, error)
    return PostedDigest(posted, ts, "sparkline", chart_error=problem)


class DigestReceiver(SlackReceiver):
    """Delivers 'slack.digest' items (see the module docstring) with one bot token."""

    kinds: frozenset[OutboxKind] = frozenset({"slack.digest"})
    tag_event_type = METADATA_EVENT_TYPE

    async def deliver(self, delivery: Delivery) -> Outcome:
        try:
            envelope = envelope_of(delivery.notice)
        except ValueError as error:
            return self._bug(delivery, str(error))
        channel = delivery.channel
        if not channel:
            return self._bug(delivery, "the item names no channel")
        try:
            posted = await send_digest(
                self.client,
                channel,
                envelope.content,
                metadata=digest_metadata(delivery.id, delivery.team_id, envelope),
                pace=self._pace,
            )
        except SlackApiError as error:
            outcome = self._failure(delivery, error, channel)
            code = _error_code(error)
            if isinstance(outcome, Permanent) and code in CHANNEL_ERRORS and not is_user(channel):
                await self._tell_about_channel(envelope, channel, code)
            return outcome
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            return Retry(f"cannot reach Slack ({type(error).__name__}: {error})")
        return Sent(posted.result())

    async def find_delivered(self, delivery: Delivery) -> Outcome | None:
        """The post an earlier attempt made, found by its metadata tag; None if none."""
        channel = delivery.channel
        if not channel or is_user(channel):
            return None  # a preview DM: history needs the DM's id; a repeat preview is harmless
        oldest = history_oldest(delivery)
        found = await self._look_up(
            delivery,
            channel,
            lambda cursor: self.client.conversations_history(
                channel=channel,
                oldest=oldest,
                limit=HISTORY_PAGE,
                include_all_metadata=True,
                cursor=cursor,
            ),
        )
        if isinstance(found, Sent):
            return Sent({**found.result, "adopted": True})
        return found

    async def _tell_about_channel(self, envelope: DigestEnvelope, channel: str, code: str) -> None:
        why = {
            "not_in_channel": "I'm not a member of it: invite me with `/invite @clickbot`",
            "is_archived": "it is archived",
            "channel_not_found": "I can't find it (deleted, or private without me)",
        }.get(code, code)
        text = (
            f"Your digest #{envelope.digest_id} could not be posted to <#{channel}>: {why}. "
            f"Fix that, or move it with `/clickmeter digest remove {envelope.digest_id}` and "
            "`/clickmeter digest add ... to #channel`."
        )
        await self.tell_creator(
            envelope.created_by,
            text,
            [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
        )


def is_user(channel: str) -> bool:
    """A user id (`U…`/`W…`): posting to it goes to the DM with that user."""
    return channel[:1] in ("U", "W")


async def preview(
    client: ClickMeterClient,
    slack_client: AsyncWebClient,
    digest: Digest,
    user_id: str,
    *,
    now: datetime | None = None,
) -> PostedDigest:
    """Gather the digest as it would go out today and send it now, chart included, to
    `user_id` in a direct message. Raises `ClickMeterError` if ClickMeter cannot be read and
    what Slack raises if the message cannot be posted."""
    from alerts.digests.runner import gather_for
    from alerts.digests.schedule import zone_of

    moment = now or datetime.now(UTC)
    day = moment.astimezone(zone_of(digest)).date()
    content = await gather_for(client, digest, day, moment)
    return await send_digest(slack_client, user_id, content)
