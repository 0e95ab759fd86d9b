"""`digest add | list | remove | preview`: digests, stored per Slack workspace.

Like alerts, every digest belongs to the workspace the command came from (`AnswerContext
.team_id`), and transactions never span a ClickMeter or Slack call. A digest's time zone is
stored when it is made: the one typed, else the ClickMeter account's at that moment.

`digest preview` sends the digest as it would go out today to the person asking, by direct
message, chart included: directly when a Slack client is given (`slack=`), else through the
outbox (a 'slack.digest' item to the user, sent by the sender within seconds).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from slack_sdk.web.async_client import AsyncWebClient

from alerts.digests.runner import gather_for, preview
from alerts.digests.schedule import next_run, zone_of
from alerts.outbox import enqueue_digest
from bot.answers.base import AnswerContext, gate
from bot.answers.stored import Refusal, Where, one_line, refuse, target_channel, where
from bot.grammar import (
    DigestAdd,
    DigestCommand,
    DigestGroup,
    DigestList,
    DigestPreview,
    DigestRemove,
    DigestTag,
)
from bot.permissions import NotAllowed
from bot.resolve import resolve_group
from messages import Message, context, make, section
from storage import as_utc

if TYPE_CHECKING:
    from storage import Database
    from storage.models import Digest

#: Digests one workspace may have.
MAX_DIGESTS = 20
LIST_HINT = "See `/clickmeter digest list` for this workspace's digests."
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _where(ctx: AnswerContext) -> Where:
    return where(ctx, things="digests", emoji=":sunrise:")


def schedule_text(digest: Digest) -> str:
    """`daily at 09:00 Europe/Rome`, `weekdays at ...`, `every Monday at ...`."""
    if digest.cadence == "weekly" and digest.weekday is not None:
        when = f"every {_DAY_NAMES[digest.weekday]}"
    else:
        when = digest.cadence
    return f"{when} at {digest.at_time} {digest.timezone}"


def links_text(links_filter: str | None) -> str:
    if links_filter is None:
        return "the whole account"
    kind, _, value = links_filter.partition(":")
    return f"links tagged {value}" if kind == "tag" else f"group #{value}"


def next_text(at: datetime | None, digest: Digest) -> str:
    if at is None:
        return "not scheduled"
    local = at.astimezone(zone_of(digest))
    return f"{local:%a %b} {local.day} {local:%H:%M} {local.tzname() or ''}".strip()


def describe(digest: Digest) -> str:
    """`#3 · weekdays at 09:00 Europe/Rome to <#C1> · countries, referrers · the whole account`."""
    reports = ", ".join(digest.reports) or "no TOP reports"
    return (
        f"*#{digest.id}* · {schedule_text(digest)} to <#{digest.channel_id}> · {reports} · "
        f"{links_text(digest.links_filter)}"
    )


async def _links_filter(command: DigestAdd, ctx: AnswerContext) -> str | None:
    match command.links:
        case DigestTag(tag=tag):
            return f"tag:{tag}"
        case DigestGroup(group=ref):
            group = await resolve_group(ctx.client, ref, "digest add")
            return f"group:{group.id}"
    return None


async def add_answer(command: DigestAdd, ctx: AnswerContext) -> Message:
    at = _where(ctx)
    channel = target_channel(
        command.channel, ctx, "Digests", "/clickmeter digest add at 09:00 to #marketing"
    )
    await gate(ctx).change("add digests")
    links_filter = await _links_filter(command, ctx)
    timezone = command.timezone or (await ctx.client.account_zone()).key
    now = as_utc(ctx.now)
    async with at.db.transaction() as tx:
        if len(await tx.digests.list_active(at.team_id)) >= MAX_DIGESTS:
            refuse(
                f":no_entry: This workspace has {MAX_DIGESTS} digests, the most I keep.",
                "Remove one first: " + LIST_HINT,
            )
        digest = await tx.digests.add(
            at.team_id,
            created_by=at.user_id,
            channel_id=channel,
            cadence=command.cadence,
            weekday=command.weekday,
            at_time=command.at,
            timezone=timezone,
            reports=[r.value for r in command.reports],
            links_filter=links_filter,
            now=now,
        )
        digest.next_run_at = next_run(digest, now)
    line = f":sunrise: New digest {describe(digest)}."
    hint = (
        f"First one: {next_text(digest.next_run_at, digest)}. "
        f"See it now with `/clickmeter digest preview {digest.id}`."
    )
    return make(line, [section(line), context(hint)], mrkdwn=True)


async def list_answer(command: DigestList, ctx: AnswerContext) -> Message:
    at = _where(ctx)
    async with at.db.transaction() as tx:
        digests: Sequence[Digest] = await tx.digests.list_active(at.team_id)
    if not digests:
        line = ":sunrise: No digests in this workspace yet."
        hint = "Add one: `/clickmeter digest add daily at 09:00 to #marketing`."
        return make(line, [section(line), context(hint)], mrkdwn=True)
    lines = [f"{describe(d)}\nNext: {next_text(d.next_run_at, d)}" for d in digests]
    head = f":sunrise: {len(digests)} digest{'s' if len(digests) != 1 else ''} in this workspace"
    blocks: list[Block] = [section(head)]
    text = ""
    for line in lines:  # sections of up to ~2,900 characters each
        if text and len(text) + len(line) > 2900:
            blocks.append(section(text))
            text = ""
        text = f"{text}\n\n{line}" if text else line
    blocks.append(section(text))
    blocks.append(context("Remove one with `/clickmeter digest remove <id>`."))
    return make(head + "\n" + "\n".join(lines), blocks, mrkdwn=True)


async def _get(db: Database, team_id: str, digest_id: int) -> Digest:
    async with db.transaction() as tx:
        digest = await tx.digests.get(team_id, digest_id)
    if digest is None:
        refuse(f":mag: There's no digest #{digest_id} in this workspace.", LIST_HINT)
    return digest


async def remove_answer(command: DigestRemove, ctx: AnswerContext) -> Message:
    at = _where(ctx)
    found = await _get(at.db, at.team_id, command.digest_id)
    await gate(ctx).change(f"remove digest #{found.id}", creator=found.created_by, kind="digest")
    async with at.db.transaction() as tx:
        digest = await tx.digests.get(at.team_id, command.digest_id)
        if digest is None:
            refuse(f":mag: There's no digest #{command.digest_id} in this workspace.", LIST_HINT)
        await tx.digests.remove(at.team_id, digest.id, now=as_utc(ctx.now))
    line = f":wastebasket: Removed digest {describe(digest)}."
    return make(line, [section(line), context("It won't be sent again.")], mrkdwn=True)


async def preview_answer(
    command: DigestPreview, ctx: AnswerContext, *, slack: AsyncWebClient | None = None
) -> Message:
    at = _where(ctx)
    digest = await _get(at.db, at.team_id, command.digest_id)
    now = as_utc(ctx.now)
    if slack is not None:
        posted = await preview(ctx.client, slack, digest, at.user_id, now=now)
        chart = "" if posted.chart == "uploaded" else " (without its chart: I can't upload files)"
        line = f":incoming_envelope: Sent you digest #{digest.id} as it looks today{chart}."
    else:
        day = now.astimezone(ZoneInfo(digest.timezone)).date()
        content = await gather_for(ctx.client, digest, day, now)
        async with at.db.transaction() as tx:
            await enqueue_digest(
                tx,
                digest,
                day,
                content,
                channel=at.user_id,
                dedupe_key=f"digest{digest.id}:preview:{at.user_id}:{now.isoformat()}",
                now=now,
            )
        line = f":incoming_envelope: Sending you digest #{digest.id} as it looks today."
    hint = f"It goes to <#{digest.channel_id}> {schedule_text(digest)}."
    return make(line, [section(line), context(hint)], mrkdwn=True)


async def digest_answer(
    command: DigestCommand, ctx: AnswerContext, *, slack: AsyncWebClient | None = None
) -> Message:
    """The answer to a `digest ...` command: what was done, or why it could not be."""
    try:
        match command:
            case DigestAdd():
                return await add_answer(command, ctx)
            case DigestList():
                return await list_answer(command, ctx)
            case DigestRemove():
                return await remove_answer(command, ctx)
            case DigestPreview():
                return await preview_answer(command, ctx, slack=slack)
    except Refusal as refusal:
        return refusal.answer
    except NotAllowed as refused:
        return one_line(refused.line)
