"""`admins`: show, name or clear the user group whose members may change alerts, digests and
webhooks besides the workspace's admins and owners (`bot.permissions`). Anyone may see it;
only admins and owners may change it."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.answers.base import AnswerContext, gate
from bot.answers.stored import refuse, where
from bot.grammar import Admins
from bot.permissions import UNVERIFIABLE, AdminGroupRef, admin_group
from messages import Message, context, make, section
from storage import as_utc

HINT = "`/clickmeter admins @group` names it · `/clickmeter admins none` clears it (admins only)."


def _line(line: str) -> Message:
    return make(line, [section(line), context(HINT)], mrkdwn=True)


async def admins_answer(command: Admins, ctx: AnswerContext) -> Message:
    at = where(ctx, things="settings", emoji=":lock:")
    if command.handle is None and not command.clear:
        group = await admin_group(at.db, at.team_id)
        if group is None:
            return _line(
                ":busts_in_silhouette: Workspace admins (and each rule's creator, for that rule) "
                "can change alerts and digests; only admins manage webhooks and see IP "
                "addresses. No user group is named."
            )
        return _line(
            f":busts_in_silhouette: Workspace admins and members of @{group.handle} (and each "
            "rule's creator, for that rule) can change alerts and digests; admins and "
            f"@{group.handle} manage webhooks and see IP addresses."
        )
    the_gate = gate(ctx)
    if command.clear:
        await the_gate.workspace_admin("change who may manage clickbot")
        async with at.db.transaction() as tx:
            cleared = await tx.admin_groups.clear(at.team_id)
        the_gate.directory.forget(at.team_id)
        if not cleared:
            return _line(":lock: No user group was named: only workspace admins manage clickbot.")
        return _line(":lock: Cleared: only workspace admins (and rules' creators) manage clickbot.")
    assert command.handle is not None
    await the_gate.workspace_admin("change who may manage clickbot")
    group = await _find(ctx, command)
    async with at.db.transaction() as tx:
        await tx.admin_groups.put(
            at.team_id,
            group_id=group.id,
            handle=group.handle,
            set_by=at.user_id,
            now=as_utc(ctx.now),
        )
    the_gate.directory.forget(at.team_id)
    return _line(
        f":lock: Members of @{group.handle} may now change alerts, digests and webhooks, "
        "and see IP addresses, like workspace admins."
    )


async def _find(ctx: AnswerContext, command: Admins) -> AdminGroupRef:
    """The group the command names: by the id in Slack's mention, else by handle."""
    assert command.handle is not None
    if command.group_id is not None:
        return AdminGroupRef(command.group_id, command.handle)
    the_gate = gate(ctx)
    if the_gate.client is None:
        refuse(UNVERIFIABLE, "Type the command again in Slack.")
    try:
        found = await the_gate.directory.find_group(the_gate.client, command.handle)
    except (SlackApiError, SlackClientError):
        refuse(
            ":warning: I couldn't read this workspace's user groups from Slack, so nothing "
            "was changed.",
            "Please try again in a minute.",
        )
    if found is None:
        refuse(
            f":mag: There's no user group @{command.handle} in this workspace.",
            "Type `@` and pick the group from Slack's list.",
        )
    return found
