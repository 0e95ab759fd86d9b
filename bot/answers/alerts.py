"""`alert add | list | remove | mute | unmute | test`: alert rules, stored per Slack workspace.

Every rule belongs to the workspace the command came from (`AnswerContext.team_id`): another
workspace's rule ids answer exactly like ids that never existed ("no alert #12 in this
workspace"). Transactions stay short and never span a ClickMeter call: names are resolved and
a new rule's detector is seeded first, then the rule is written in one transaction.

`alert test` puts a TEST notice in the outbox, like the poller does for a real alert, so the
sample goes through the same sender and looks exactly like a real post.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, NoReturn

from slack_sdk.models.blocks import Block

from bot.answers.base import AnswerContext
from bot.answers.stored import refuse, where
from bot.grammar import (
    WINDOWS,
    AccountScope,
    AlertAdd,
    AlertList,
    AlertMute,
    AlertRemove,
    AlertTest,
    AlertUnmute,
    Drop,
    GroupScope,
    LinkScope,
    Spike,
    Threshold,
)
from bot.resolve import ResolveError, resolve_group, resolve_link
from clickmeter import ClickMeterClient, ClickMeterError, DatapointStatus, DatapointType
from messages import (
    Message,
    clock_time,
    context,
    header,
    make,
    number,
    safe_name,
    section,
    short_datetime,
)
from storage import as_utc

if TYPE_CHECKING:
    from storage import AlertEpisode, AlertRule, Transaction
    from storage.models import Condition, ScopeKind, Sensitivity

log = logging.getLogger(__name__)

#: Rules one workspace may have: each is evaluated every poll cycle.
MAX_RULES = 100
#: How long `alert add` waits for the history its detector is seeded with.
SEED_TIMEOUT_S = 20.0
#: Tagged links counted when checking a tag (the answer says "1,000+" past it).
MAX_TAGGED = 1000
#: Links whose tags are read to suggest a tag name when none matched.
MAX_TAG_SCAN = 300
#: `alert test` of one rule sends one sample per this many seconds (repeats are coalesced).
TEST_EVERY_S = 30

LIST_HINT = "See `/clickmeter alert list` for this workspace's alerts."
EXAMPLE_ADD = "/clickmeter alert add link spring-sale spike"


def moment(ctx: AnswerContext) -> datetime:
    return as_utc(ctx.now)


async def account_zone(client: ClickMeterClient) -> tzinfo:
    """The account's zone for showing times; UTC when ClickMeter cannot say right now (a mute
    or a list must not fail because of it)."""
    try:
        return await client.account_zone()
    except ClickMeterError as exc:
        log.info("showing times in UTC: the account's zone is unavailable (%s)", exc)
        return UTC


def when(at: datetime, now: datetime, zone: tzinfo) -> str:
    """`15:00 CET` on the same local day as `now`, else `Mar 19 15:00 CET`."""
    if at.astimezone(zone).date() == now.astimezone(zone).date():
        return clock_time(at, zone)
    return f"{short_datetime(at, zone)} {at.astimezone(zone).tzname() or ''}".strip()


def no_alert(alert_id: int) -> NoReturn:
    refuse(f":mag: There's no alert #{alert_id} in this workspace.", LIST_HINT)


# --- what a rule says -------------------------------------------------------------------------


def condition_text(rule: AlertRule) -> str:
    """`clicks > 100 per 1h`, `spike (medium)`, `drop (high)`."""
    if rule.condition == "threshold":
        window = WINDOWS.get(rule.window_seconds or 0, f"{rule.window_seconds}s")
        return f"clicks > {number(rule.threshold or 0)} per {window}"
    return f"{rule.condition} ({rule.sensitivity or 'medium'})"


def summary(rule: AlertRule) -> str:
    """`spike (medium) on *spring-sale* → #marketing` as mrkdwn (the channel a mention)."""
    label = safe_name(rule.scope_label, 80)
    return f"{condition_text(rule)} on *{label}* → <#{rule.channel_id}>"


def describe(rule: AlertRule) -> str:
    """`#12: spike (medium) on *spring-sale* → #marketing` as mrkdwn."""
    return f"#{rule.id}: {summary(rule)}"


# --- alert add --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """A rule to create, with everything resolved."""

    scope_kind: ScopeKind
    scope_ref: str
    scope_label: str
    condition: Condition
    threshold: int | None
    window_seconds: int | None
    sensitivity: Sensitivity | None
    channel_id: str
    #: Said in the answer about the scope (e.g. how many links carry the tag).
    note: str = ""

    def same_as(self, rule: AlertRule) -> bool:
        ref = self.scope_ref.casefold() if self.scope_kind == "tag" else self.scope_ref
        theirs = rule.scope_ref.casefold() if rule.scope_kind == "tag" else rule.scope_ref
        return (
            (self.scope_kind, ref, self.condition, self.channel_id)
            == (rule.scope_kind, theirs, rule.condition, rule.channel_id)
            and (self.threshold, self.window_seconds) == (rule.threshold, rule.window_seconds)
            and self.sensitivity == rule.sensitivity
        )

    def fields(self) -> dict[str, Any]:
        return {
            "channel_id": self.channel_id,
            "scope_kind": self.scope_kind,
            "scope_ref": self.scope_ref,
            "scope_label": self.scope_label,
            "condition": self.condition,
            "threshold": self.threshold,
            "window_seconds": self.window_seconds,
            "sensitivity": self.sensitivity,
        }


async def _scope(command: AlertAdd, client: ClickMeterClient) -> tuple[ScopeKind, str, str, str]:
    """(scope_kind, scope_ref, scope_label, note) for the command's scope."""
    scope = command.scope
    if isinstance(scope, AccountScope):
        return "account", "account", "the account", ""
    if isinstance(scope, LinkScope):
        link = await resolve_link(client, scope.link, "alert add link")
        name = link.name or link.title or f"#{link.id}"
        shown = f"`{safe_name(name, 60)}` (`{link.id}`)"
        if link.status is DatapointStatus.DELETED:
            raise ResolveError(f"{shown} is deleted: it gets no more clicks to alert on.")
        if link.type is DatapointType.TRACKING_PIXEL:
            raise ResolveError(
                f"{shown} is a tracking pixel: alerts watch clicks on tracking links."
            )
        return "link", str(link.id), name, ""
    if isinstance(scope, GroupScope):
        group = await resolve_group(client, scope.group, "alert add group")
        name = group.name or f"#{group.id}"
        if group.deleted:
            raise ResolveError(f"Group `{safe_name(name, 60)}` (`{group.id}`) is deleted.")
        return "group", str(group.id), f"group {name}", ""
    tag = scope.tag.strip()
    count = await _tagged_links(client, tag)
    if count == 0:
        raise ResolveError(await _no_tag_message(client, tag))
    links = f"{MAX_TAGGED:,}+ links" if count >= MAX_TAGGED else f"{count:,} link"
    links += "s" if 1 < count < MAX_TAGGED else ""
    return "tag", tag, f"links tagged {tag}", f"{links} tagged `{safe_name(tag, 60)}`"


def _has_tag(tags: Sequence[Any], wanted: str) -> bool:
    return any((t.name or "").strip().casefold() == wanted for t in tags)


async def _tagged_links(client: ClickMeterClient, tag: str) -> int:
    """How many live tracking links carry `tag` (any case), up to MAX_TAGGED."""
    wanted, count = tag.casefold(), 0
    async for link in client.iter_datapoints(expand=True, kind="tl", tags=tag):
        if link.status is not DatapointStatus.DELETED and _has_tag(link.tags, wanted):
            count += 1
            if count >= MAX_TAGGED:
                break
    return count


async def _no_tag_message(client: ClickMeterClient, tag: str) -> str:
    names: set[str] = set()
    seen = 0
    async for link in client.iter_datapoints(expand=True, kind="tl"):
        names.update(t.name.strip() for t in link.tags if t.name and t.name.strip())
        seen += 1
        if seen >= MAX_TAG_SCAN:
            break
    by_fold = {n.casefold(): n for n in sorted(names)}
    close = difflib.get_close_matches(tag.casefold(), list(by_fold), n=5, cutoff=0.5)
    message = f"No link is tagged `{safe_name(tag, 60)}`, so that alert would never fire."
    if close:
        message += " Tags I found: " + ", ".join(f"`{safe_name(by_fold[c], 40)}`" for c in close)
        message += "."
    return message


def _condition(command: AlertAdd) -> tuple[Condition, int | None, int | None, Sensitivity | None]:
    condition = command.condition
    if isinstance(condition, Threshold):
        return "threshold", condition.clicks, condition.window_seconds, None
    if isinstance(condition, Spike):
        return "spike", None, None, condition.sensitivity
    assert isinstance(condition, Drop)
    return "drop", None, None, condition.sensitivity


def _channel(command: AlertAdd, ctx: AnswerContext) -> str:
    if command.channel is not None:
        return command.channel.id
    channel = ctx.channel_id or ""
    if not channel or channel.startswith("D"):
        refuse(
            ":thinking_face: Alerts go to a channel, and I can't post them in this conversation.",
            "Add `to #channel`, e.g. `/clickmeter alert add link spring-sale spike to "
            "#marketing`, or type the command in that channel.",
        )
    return channel


def _check_room(spec: Spec, active: Sequence[AlertRule]) -> None:
    for rule in active:
        if spec.same_as(rule):
            refuse(
                f":information_source: Alert {describe(rule)} already does exactly that.",
                f"Test it with `/clickmeter alert test {rule.id}`. {LIST_HINT}",
            )
    if len(active) >= MAX_RULES:
        refuse(
            f":no_entry: This workspace has {MAX_RULES} alerts, the most it can have.",
            f"Remove some with `/clickmeter alert remove <id>`. {LIST_HINT}",
        )


async def _seed(ctx: AnswerContext, team_id: str, user_id: str, spec: Spec) -> dict[str, Any]:
    """The new rule's detector state seeded from ClickMeter's history; {} when that fails
    (the poller then retries, and the detector otherwise learns live)."""
    from alerts.engine import seed_rule
    from storage import AlertRule

    draft = AlertRule(team_id=team_id, created_by=user_id, detector_state={}, **spec.fields())
    try:
        return await asyncio.wait_for(
            seed_rule(ctx.client, draft, interval_seconds=ctx.poll_seconds, now=moment(ctx)),
            SEED_TIMEOUT_S,
        )
    except Exception as exc:  # best effort: a rule without history still works
        log.warning("could not seed a new %s rule from history: %r", spec.condition, exc)
        return {}


async def add_answer(command: AlertAdd, ctx: AnswerContext) -> Message:
    at = where(ctx)
    channel = _channel(command, ctx)
    condition, threshold, window, sensitivity = _condition(command)
    kind, ref, label, note = await _scope(command, ctx.client)
    spec = Spec(kind, ref, label, condition, threshold, window, sensitivity, channel, note)
    async with at.db.transaction() as tx:
        _check_room(spec, await tx.rules.list_active(at.team_id))
    state = await _seed(ctx, at.team_id, at.user_id, spec)  # (a threshold's: no history read)
    async with at.db.transaction() as tx:
        _check_room(spec, await tx.rules.list_active(at.team_id))  # a double submit, meanwhile
        rule = await tx.rules.add(
            at.team_id, created_by=at.user_id, now=moment(ctx), **spec.fields()
        )
        if state:
            await tx.rules.set_state(at.team_id, rule.id, state)
    return _created(rule, spec, seeded=bool(state))


def _created(rule: AlertRule, spec: Spec, *, seeded: bool) -> Message:
    line = (
        f":white_check_mark: Alert {describe(rule)}. "
        f"Mute with `/clickmeter alert mute {rule.id} 1h`"
    )
    blocks: list[Block] = [section(line)]
    notes = []
    if spec.note:
        notes.append(f"Watching {spec.note}.")
    if rule.condition == "threshold":
        notes.append("Checked every poll, from the next one.")
    elif seeded:
        notes.append("It learnt what's normal from the last weeks' history: it works right away.")
    else:
        notes.append(
            "I couldn't read the history to learn what's normal, so it learns from the next "
            "cycles (about an hour) before it alerts."
        )
    notes.append(
        f"See a sample with `/clickmeter alert test {rule.id}`. If I'm not in "
        f"<#{rule.channel_id}>, invite me with `/invite @clickbot`."
    )
    blocks.append(context(" ".join(notes)))
    return make(line, blocks, mrkdwn=True)


# --- alert list -------------------------------------------------------------------------------


def _state(rule: AlertRule, firing: Sequence[AlertEpisode], now: datetime, zone: tzinfo) -> str:
    parts = []
    if rule.muted_until is not None and rule.muted_until > now:
        parts.append(f"🔕 muted until {when(rule.muted_until, now, zone)}")
    if firing:
        since = min(e.started_at for e in firing)
        parts.append(f"🔴 firing since {when(since, now, zone)}")
    return " · ".join(parts) or "🟢 ok"


def chunks(lines: Sequence[str], limit: int = 2900) -> list[str]:
    """`lines` joined into texts of at most `limit` characters (a line is never split)."""
    parts: list[list[str]] = [[]]
    size = 0
    for line in lines:
        if parts[-1] and size + len(line) + 1 > limit:
            parts.append([])
            size = 0
        parts[-1].append(line)
        size += len(line) + 1
    return ["\n".join(part) for part in parts if part]


async def list_answer(command: AlertList, ctx: AnswerContext) -> Message:
    at = where(ctx)
    async with at.db.transaction() as tx:
        rules = list(await tx.rules.list_active(at.team_id))
        episodes = await tx.episodes.list_open(at.team_id)
        webhooks = len(await tx.webhooks.list_active(at.team_id))
    if not rules:
        body = "No alerts in this workspace yet."
        hint = f"Add one: `{EXAMPLE_ADD}` · `/clickmeter help alert` for every kind."
        return make(body, [header("🔔 Alerts"), section(body), context(hint)], mrkdwn=True)
    now, zone = moment(ctx), await account_zone(ctx.client)
    firing: dict[int, list[AlertEpisode]] = {}
    for episode in episodes:
        firing.setdefault(episode.rule_id, []).append(episode)
    lines = [
        f"• *#{rule.id}* {summary(rule)} · {_state(rule, firing.get(rule.id, []), now, zone)}"
        for rule in rules
    ]
    blocks: list[Block] = [header(f"🔔 Alerts · {len(rules):,} in this workspace")]
    blocks += [section(chunk) for chunk in chunks(lines)]
    hooks = f"Also sent to {webhooks} webhook{'s' if webhooks != 1 else ''}. " if webhooks else ""
    blocks.append(
        context(
            f"{hooks}`/clickmeter alert mute <id> 1h` · `alert unmute <id>` · "
            "`alert test <id>` · `alert remove <id>`"
        )
    )
    firing_now = sum(1 for rule in rules if rule.id in firing)
    text = f"{len(rules)} alert{'s' if len(rules) != 1 else ''}, {firing_now} firing"
    return make(text, blocks)


# --- remove, mute, unmute ---------------------------------------------------------------------


async def remove_answer(command: AlertRemove, ctx: AnswerContext) -> Message:
    at = where(ctx)
    async with at.db.transaction() as tx:
        rule = await tx.rules.get(at.team_id, command.alert_id)
        if rule is None:
            no_alert(command.alert_id)
        await tx.rules.remove(at.team_id, rule.id, now=moment(ctx))
    line = f":wastebasket: Removed alert {describe(rule)}."
    return make(line, [section(line), context("It won't alert again.")], mrkdwn=True)


async def mute_answer(command: AlertMute, ctx: AnswerContext) -> Message:
    at = where(ctx)
    now = moment(ctx)
    until = now + command.duration
    async with at.db.transaction() as tx:
        rule = await tx.rules.get(at.team_id, command.alert_id)
        if rule is None:
            no_alert(command.alert_id)
        await tx.rules.mute(at.team_id, rule.id, until)
    zone = await account_zone(ctx.client)
    line = f":no_bell: Alert #{rule.id} is muted until {when(until, now, zone)}: {summary(rule)}."
    hint = f"Turn it back on sooner with `/clickmeter alert unmute {rule.id}`."
    return make(line, [section(line), context(hint)], mrkdwn=True)


async def unmute_answer(command: AlertUnmute, ctx: AnswerContext) -> Message:
    at = where(ctx)
    now = moment(ctx)
    async with at.db.transaction() as tx:
        rule = await tx.rules.get(at.team_id, command.alert_id)
        if rule is None:
            no_alert(command.alert_id)
        was_muted = rule.is_muted(now)
        await tx.rules.unmute(at.team_id, rule.id)
    if was_muted:
        line = f":bell: Alert {describe(rule)} is on again."
    else:
        line = f":bell: Alert {describe(rule)} wasn't muted: it's on."
    return make(line, [section(line), context(LIST_HINT)], mrkdwn=True)


# --- alert test -------------------------------------------------------------------------------


async def _enqueue_test(
    tx: Transaction, rule: AlertRule, notice_json: dict[str, Any], key: str, user_id: str
) -> tuple[bool, int]:
    """Queue the sample for the rule's channel and every webhook; (new, webhooks)."""
    request = secrets.token_hex(8)
    item = await tx.outbox.enqueue(
        rule.team_id,
        kind="slack.post",
        target=rule.channel_id,
        payload={
            "notice": notice_json,
            "channel": rule.channel_id,
            "requested_by": user_id,
            "request": request,
        },
        dedupe_key=key,
    )
    if item.payload.get("request") != request:
        return False, 0  # the same rule was tested a moment ago: that sample is on its way
    webhooks = await tx.webhooks.list_active(rule.team_id)
    for webhook in webhooks:
        await tx.outbox.enqueue(
            rule.team_id,
            kind="webhook",
            target=str(webhook.id),
            payload={"notice": notice_json, "webhook_id": webhook.id},
            dedupe_key=f"{key}:wh{webhook.id}",
        )
    return True, len(webhooks)


async def sample_answer(command: AlertTest, ctx: AnswerContext) -> Message:
    from alerts.engine import test_notice

    at = where(ctx)
    now = moment(ctx)
    async with at.db.transaction() as tx:
        rule = await tx.rules.get(at.team_id, command.alert_id)
    if rule is None:
        no_alert(command.alert_id)
    zone = await account_zone(ctx.client)
    notice = await test_notice(rule, now=now, timezone=getattr(zone, "key", "UTC"))
    bucket = int(now.timestamp()) // TEST_EVERY_S
    key = f"test:{rule.id}:{bucket}"
    async with at.db.transaction() as tx:
        if await tx.rules.get(at.team_id, rule.id) is None:  # removed meanwhile
            no_alert(command.alert_id)
        notice_json = notice.model_dump(mode="json")
        fresh, webhooks = await _enqueue_test(tx, rule, notice_json, key, at.user_id)
    where_to = f"<#{rule.channel_id}>"
    if not fresh:
        line = f":test_tube: A sample of alert #{rule.id} went to {where_to} a moment ago."
        hint = "It's on its way; try again in a minute."
        return make(line, [section(line), context(hint)], mrkdwn=True)
    also = f" (and to {webhooks} webhook{'s' if webhooks != 1 else ''})" if webhooks else ""
    what = f"{condition_text(rule)} on *{safe_name(rule.scope_label, 80)}*"
    line = f":test_tube: A sample of alert #{rule.id} ({what}) is on its way to {where_to}{also}."
    hint = (
        "It's marked as a test and shows sample numbers. Nothing there? "
        f"Invite me to {where_to} with `/invite @clickbot`."
    )
    return make(line, [section(line), context(hint)], mrkdwn=True)
