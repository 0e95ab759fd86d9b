"""`alert add`: a new alert rule, checked against what the workspace already has.

Names are resolved and the new rule's detector is seeded from ClickMeter's history before the
rule is written, so no transaction spans a ClickMeter call; the room check runs again in the
writing transaction, which catches a double submit.
"""

from __future__ import annotations

import asyncio
import difflib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_sdk.models.blocks import Block

from alerts.engine import seed_rule
from bot.answers.alert_phrasing import LIST_HINT, describe
from bot.answers.base import AnswerContext, gate
from bot.answers.stored import refuse, target_channel, where
from bot.grammar import AccountScope, AlertAdd, Drop, GroupScope, LinkScope, Spike, Threshold
from bot.resolve import ResolveError, resolve_group, resolve_link
from clickmeter import ClickMeterClient, DatapointStatus, DatapointType
from messages import Message, context, make, safe_name, section
from storage import AlertRule, as_utc

if TYPE_CHECKING:
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


def _check_room(spec: Spec, active: Sequence[AlertRule], editing: AlertRule | None = None) -> None:
    if editing is not None:  # the rule itself, changed or not, is no duplicate
        active = [rule for rule in active if rule.id != editing.id]
    for rule in active:
        if spec.same_as(rule):
            refuse(
                f":information_source: Alert {describe(rule)} already does exactly that.",
                f"Test it with `/clickmeter alert test {rule.id}`. {LIST_HINT}",
            )
    if editing is None and len(active) >= MAX_RULES:
        refuse(
            f":no_entry: This workspace has {MAX_RULES} alerts, the most it can have.",
            f"Remove some with `/clickmeter alert remove <id>`. {LIST_HINT}",
        )


async def _seed(ctx: AnswerContext, team_id: str, user_id: str, spec: Spec) -> dict[str, Any]:
    """The new rule's detector state seeded from ClickMeter's history; {} when that fails
    (the poller then retries, and the detector otherwise learns live)."""
    draft = AlertRule(team_id=team_id, created_by=user_id, detector_state={}, **spec.fields())
    try:
        return await asyncio.wait_for(
            seed_rule(ctx.client, draft, interval_seconds=ctx.poll_seconds, now=as_utc(ctx.now)),
            SEED_TIMEOUT_S,
        )
    except Exception as exc:  # best effort: a rule without history still works
        log.warning("could not seed a new %s rule from history: %r", spec.condition, exc)
        return {}


async def check_add(
    command: AlertAdd, ctx: AnswerContext, editing: AlertRule | None = None
) -> Spec:
    """The rule `command` would create (or change `editing` into), resolved and checked (who
    asks, the channel, the scope, the workspace's room): the one validation of the typed
    grammar and the alert modal. Raises Refusal, NotAllowed or ResolveError (and
    ClickMeterError) with what to say instead."""
    at = where(ctx)
    channel = target_channel(
        command.channel, ctx, "Alerts", "/clickmeter alert add link spring-sale spike to #marketing"
    )
    if editing is None:
        await gate(ctx).change("add alerts")
    else:
        await gate(ctx).change(
            f"change alert #{editing.id}", creator=editing.created_by, kind="alert"
        )
    condition, threshold, window, sensitivity = _condition(command)
    kind, ref, label, note = await _scope(command, ctx.client)
    spec = Spec(kind, ref, label, condition, threshold, window, sensitivity, channel, note)
    async with at.db.transaction() as tx:
        _check_room(spec, await tx.rules.list_active(at.team_id), editing)
    return spec


async def create(spec: Spec, ctx: AnswerContext) -> Message:
    """Seed and write the rule `check_add` made, and say so."""
    at = where(ctx)
    state = await _seed(ctx, at.team_id, at.user_id, spec)  # (a threshold's: no history read)
    async with at.db.transaction() as tx:
        _check_room(spec, await tx.rules.list_active(at.team_id))  # a double submit, meanwhile
        rule = await tx.rules.add(
            at.team_id, created_by=at.user_id, now=as_utc(ctx.now), **spec.fields()
        )
        if state:
            await tx.rules.set_state(at.team_id, rule.id, state)
    return _created(rule, spec, seeded=bool(state))


async def change(spec: Spec, ctx: AnswerContext, rule: AlertRule) -> Message:
    """Make `rule` what `check_add(..., editing=rule)` checked; the detector is seeded again
    when what it watches or how changed (what it learnt was of the old subject)."""
    at = where(ctx)
    same_subject = Spec(**{**spec.fields(), "channel_id": rule.channel_id}).same_as(rule)
    state = None if same_subject else await _seed(ctx, at.team_id, rule.created_by, spec)
    async with at.db.transaction() as tx:
        _check_room(spec, await tx.rules.list_active(at.team_id), rule)
        changed = await tx.rules.update(at.team_id, rule.id, detector_state=state, **spec.fields())
    if changed is None:
        refuse(f":mag: Alert #{rule.id} no longer exists: nothing to change.", LIST_HINT)
    line = f":white_check_mark: Alert {describe(changed)}."
    return make(line, [section(line)], mrkdwn=True)


async def add_answer(command: AlertAdd, ctx: AnswerContext) -> Message:
    return await create(await check_add(command, ctx), ctx)


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
