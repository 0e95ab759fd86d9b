"""`alert list | remove | mute | unmute | test`: alert rules, stored per Slack workspace.

Every rule belongs to the workspace the command came from (`AnswerContext.team_id`): another
workspace's rule ids answer exactly like ids that never existed ("no alert #12 in this
workspace"). Transactions stay short and never span a ClickMeter call. `alert add` is in
`alert_add`; the words describing a rule are in `alert_phrasing`.

`alert test` puts a TEST notice in the outbox, like the poller does for a real alert, so the
sample goes through the same sender and looks exactly like a real post.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from slack_sdk.models.blocks import Block

from alerts.engine import test_notice
from alerts.outbox import enqueue_alert, enqueue_webhook
from bot.answers.alert_phrasing import (
    EXAMPLE_ADD,
    LIST_HINT,
    chunks,
    condition_text,
    describe,
    no_alert,
    rule_state,
    summary,
    when,
)
from bot.answers.base import AnswerContext, account_zone, gate
from bot.answers.stored import where
from bot.grammar import AlertList, AlertMute, AlertRemove, AlertTest, AlertUnmute
from messages import Message, context, header, make, safe_name, section
from storage import as_utc

if TYPE_CHECKING:
    from alerts.notice import AlertNotice
    from storage import AlertEpisode, AlertRule, Transaction

#: `alert test` of one rule sends one sample per this many seconds (repeats are coalesced).
TEST_EVERY_S = 30


# --- alert list -------------------------------------------------------------------------------


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
    now, zone = as_utc(ctx.now), await account_zone(ctx.client)
    firing: dict[int, list[AlertEpisode]] = {}
    for episode in episodes:
        firing.setdefault(episode.rule_id, []).append(episode)
    lines = [
        f"• *#{rule.id}* {summary(rule)} · {rule_state(rule, firing.get(rule.id, []), now, zone)}"
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


async def _existing_rule(tx: Transaction, team_id: str, alert_id: int) -> AlertRule:
    """The workspace's rule `alert_id`; a Refusal when it has none (another workspace's ids
    answer the same)."""
    rule = await tx.rules.get(team_id, alert_id)
    if rule is None:
        no_alert(alert_id)
    return rule


async def permitted_rule(ctx: AnswerContext, alert_id: int, action: str) -> None:
    """Refuses (NotAllowed) unless the asker may `action` ("remove") the workspace's alert
    `alert_id`; a Refusal when there is no such alert. Slack is asked outside any write
    transaction."""
    at = where(ctx)
    async with at.db.reading() as tx:
        rule = await _existing_rule(tx, at.team_id, alert_id)
    await gate(ctx).change(f"{action} alert #{rule.id}", creator=rule.created_by, kind="alert")


async def remove_answer(command: AlertRemove, ctx: AnswerContext) -> Message:
    at = where(ctx)
    await permitted_rule(ctx, command.alert_id, "remove")
    async with at.db.transaction() as tx:
        rule = await _existing_rule(tx, at.team_id, command.alert_id)
        await tx.rules.remove(at.team_id, rule.id, now=as_utc(ctx.now))
    line = f":wastebasket: Removed alert {describe(rule)}."
    return make(line, [section(line), context("It won't alert again.")], mrkdwn=True)


async def mute_answer(command: AlertMute, ctx: AnswerContext) -> Message:
    at = where(ctx)
    now = as_utc(ctx.now)
    until = now + command.duration
    await permitted_rule(ctx, command.alert_id, "mute")
    async with at.db.transaction() as tx:
        rule = await _existing_rule(tx, at.team_id, command.alert_id)
        await tx.rules.mute(at.team_id, rule.id, until)
    zone = await account_zone(ctx.client)
    line = f":no_bell: Alert #{rule.id} is muted until {when(until, now, zone)}: {summary(rule)}."
    hint = f"Turn it back on sooner with `/clickmeter alert unmute {rule.id}`."
    return make(line, [section(line), context(hint)], mrkdwn=True)


async def unmute_answer(command: AlertUnmute, ctx: AnswerContext) -> Message:
    at = where(ctx)
    now = as_utc(ctx.now)
    await permitted_rule(ctx, command.alert_id, "unmute")
    async with at.db.transaction() as tx:
        rule = await _existing_rule(tx, at.team_id, command.alert_id)
        was_muted = rule.is_muted(now)
        await tx.rules.unmute(at.team_id, rule.id)
    if was_muted:
        line = f":bell: Alert {describe(rule)} is on again."
    else:
        line = f":bell: Alert {describe(rule)} wasn't muted: it's on."
    return make(line, [section(line), context(LIST_HINT)], mrkdwn=True)


# --- alert test -------------------------------------------------------------------------------


async def _enqueue_test(
    tx: Transaction, rule: AlertRule, notice: AlertNotice, key: str, user_id: str
) -> tuple[bool, int]:
    """Queue the sample for the rule's channel and every webhook; (new, webhooks)."""
    request = secrets.token_hex(8)
    item = await enqueue_alert(
        tx,
        notice,
        kind="slack.post",
        channel=rule.channel_id,
        dedupe_key=key,
        requested_by=user_id,
        request=request,
    )
    if item.payload.get("request") != request:
        return False, 0  # the same rule was tested a moment ago: that sample is on its way
    webhooks = await tx.webhooks.list_active(rule.team_id)
    for webhook in webhooks:
        await enqueue_webhook(tx, notice, webhook.id, dedupe_key=f"{key}:wh{webhook.id}")
    return True, len(webhooks)


async def sample_answer(command: AlertTest, ctx: AnswerContext) -> Message:
    at = where(ctx)
    now = as_utc(ctx.now)
    async with at.db.transaction() as tx:
        rule = await tx.rules.get(at.team_id, command.alert_id)
    if rule is None:
        no_alert(command.alert_id)
    await gate(ctx).change(f"test alert #{rule.id}", creator=rule.created_by, kind="alert")
    zone = await account_zone(ctx.client)
    notice = await test_notice(rule, now=now, timezone=getattr(zone, "key", "UTC"))
    bucket = int(now.timestamp()) // TEST_EVERY_S
    key = f"test:{rule.id}:{bucket}"
    async with at.db.transaction() as tx:
        if await tx.rules.get(at.team_id, rule.id) is None:  # removed meanwhile
            no_alert(command.alert_id)
        fresh, webhooks = await _enqueue_test(tx, rule, notice, key, at.user_id)
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
