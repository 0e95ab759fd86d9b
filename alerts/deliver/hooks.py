"""What recording an outcome means beyond the outbox item itself, per kind of payload.

The pipeline's record stage calls, in the transaction that records the outcome:

- `after_sent(tx, delivery, result)` once an item is 'sent'. Alerts: a post becomes its
  episode's message (where later edits and replies go), and a rule whose channel refused
  alerts before is cleared, so a later breakage is worth a new message to its creator;
- `on_dead(tx, delivery, outcome)` once an item is 'dead'; it answers the direct message to
  send (after the transaction) when `outcome.notify_creator` says a person can fix it, or
  None. Alerts: the rule's creator, once per (error, channel) until a post gets through again
  (remembered before sending: better to miss one DM after a crash than to repeat it).
  Digests: the digest's creator, unless the digest went to a DM (a preview).

Webhooks need neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from alerts.deliver.digest import is_user
from alerts.deliver.receiver import Delivery, Permanent
from alerts.messages import channel_problem
from alerts.outbox import AlertPayload, DigestPayload, WebhookPayload
from storage import Transaction


@dataclass(frozen=True)
class DirectMessage:
    """A message for one user, sent through a receiver that can (`CreatorMessenger`)."""

    user_id: str
    text: str
    blocks: list[dict[str, Any]]


class Hooks(Protocol):
    async def after_sent(self, tx: Transaction, delivery: Delivery, result: dict[str, Any]) -> None:
        """Write what a delivered item changes (see the module docstring)."""
        ...

    async def on_dead(
        self, tx: Transaction, delivery: Delivery, outcome: Permanent
    ) -> DirectMessage | None:
        """Write what a given-up item changes; the message for its creator, if one is due."""
        ...


class AlertHooks:
    async def after_sent(self, tx: Transaction, delivery: Delivery, result: dict[str, Any]) -> None:
        payload = delivery.payload
        if delivery.kind != "slack.post" or not isinstance(payload, AlertPayload):
            return
        notice = payload.notice
        episode_id = delivery.episode_id or notice.episode_id
        channel, ts = result.get("channel"), result.get("ts")
        if episode_id is not None and isinstance(channel, str) and isinstance(ts, str):
            await tx.episodes.set_message(delivery.team_id, episode_id, channel=channel, ts=ts)
        if notice.rule_id is not None:
            rule = await tx.rules.get(delivery.team_id, notice.rule_id)
            if rule is not None and rule.last_error_notified is not None:
                await tx.rules.set_error_notified(delivery.team_id, rule.id, None)

    async def on_dead(
        self, tx: Transaction, delivery: Delivery, outcome: Permanent
    ) -> DirectMessage | None:
        payload = delivery.payload
        if not outcome.notify_creator or not isinstance(payload, AlertPayload):
            return None
        rule_id = payload.notice.rule_id
        if rule_id is None:
            return None
        rule = await tx.rules.get(delivery.team_id, rule_id)
        parent_channel = (delivery.parent_post or ("", ""))[0]
        channel = delivery.channel or parent_channel or "?"
        key = f"{outcome.reason}:{channel}"
        if rule is None or rule.last_error_notified == key:
            return None
        await tx.rules.set_error_notified(delivery.team_id, rule.id, key)
        message = channel_problem(
            rule_id=rule.id, subject_label=rule.scope_label, channel=channel, error=outcome.reason
        )
        return DirectMessage(rule.created_by, message.text, message.block_dicts())


class DigestHooks:
    async def after_sent(self, tx: Transaction, delivery: Delivery, result: dict[str, Any]) -> None:
        return None  # the digest's run was recorded when it was enqueued

    async def on_dead(
        self, tx: Transaction, delivery: Delivery, outcome: Permanent
    ) -> DirectMessage | None:
        payload = delivery.payload
        if not outcome.notify_creator or not isinstance(payload, DigestPayload):
            return None
        if is_user(payload.channel):
            return None
        digest_id, channel = payload.digest.digest_id, payload.channel
        why = {
            "not_in_channel": "I'm not a member of it: invite me with `/invite @clickbot`",
            "is_archived": "it is archived",
            "channel_not_found": "I can't find it (deleted, or private without me)",
        }.get(outcome.reason, outcome.reason)
        text = (
            f"Your digest #{digest_id} could not be posted to <#{channel}>: {why}. "
            f"Fix that, or move it with `/clickmeter digest remove {digest_id}` and "
            "`/clickmeter digest add ... to #channel`."
        )
        return DirectMessage(payload.digest.created_by, text, [_section(text)])


class WebhookHooks:
    async def after_sent(self, tx: Transaction, delivery: Delivery, result: dict[str, Any]) -> None:
        return None

    async def on_dead(
        self, tx: Transaction, delivery: Delivery, outcome: Permanent
    ) -> DirectMessage | None:
        return None  # a webhook's owner reads its failures from its own side


def hooks_for(payload: AlertPayload | WebhookPayload | DigestPayload) -> Hooks:
    """The hooks of the item carrying `payload`."""
    if isinstance(payload, AlertPayload):
        return AlertHooks()
    if isinstance(payload, DigestPayload):
        return DigestHooks()
    return WebhookHooks()


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}
