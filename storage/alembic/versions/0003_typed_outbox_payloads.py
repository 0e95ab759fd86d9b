"""Typed outbox payloads: every payload names its type ('alert', 'webhook', 'digest').

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

No table changes: the outbox's JSON payloads are rewritten, so items queued before the upgrade
are delivered after it.

- slack.post / slack.update / slack.reply: `{"notice", "channel", ...}` gains `"type": "alert"`
  (and the channel, from the item's target, if it had none);
- webhook: `{"notice", "webhook_id"}` gains `"type": "webhook"`;
- slack.digest: the digest rode as JSON text in the `message` of a TEST notice; it becomes
  `{"type": "digest", "channel", "digest": <that JSON>}`.

Payloads this cannot read are left as they are (the sender gives up on them, as before).
Downgrading writes the old shapes back. The shapes are spelled out here rather than imported
from `alerts.outbox`, so this migration keeps meaning what it meant when the models change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ALERT_KINDS = ("slack.post", "slack.update", "slack.reply")

_OUTBOX = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("team_id", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("target", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)

Row = Any
Rewrite = Callable[[Row, dict[str, Any]], dict[str, Any] | None]


def _typed(row: Row, payload: dict[str, Any]) -> dict[str, Any] | None:
    if "type" in payload or not isinstance(payload.get("notice"), dict):
        return None
    if row.kind == "webhook":
        webhook_id = payload.get("webhook_id", row.target)
        try:
            return {"type": "webhook", "webhook_id": int(webhook_id), "notice": payload["notice"]}
        except (TypeError, ValueError):
            return None
    if row.kind == "slack.digest":
        try:
            envelope = json.loads(payload["notice"].get("message") or "")
        except (TypeError, ValueError):
            return None
        channel = payload.get("channel") or row.target
        return {"type": "digest", "channel": channel, "digest": envelope}
    if row.kind in ALERT_KINDS:
        return {
            "type": "alert",
            "channel": payload.get("channel") or row.target,
            "notice": payload["notice"],
            "requested_by": payload.get("requested_by"),
            "request": payload.get("request"),
        }
    return None


def _untyped(row: Row, payload: dict[str, Any]) -> dict[str, Any] | None:
    kind = payload.get("type")
    if kind == "webhook":
        return {"notice": payload["notice"], "webhook_id": payload["webhook_id"]}
    if kind == "alert":
        old = {"notice": payload["notice"], "channel": payload["channel"]}
        for key in ("requested_by", "request"):
            if payload.get(key) is not None:
                old[key] = payload[key]
        return old
    if kind == "digest":
        envelope = payload["digest"]
        content = envelope.get("content") or {}
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        notice = {
            "kind": "test",
            "team_id": row.team_id,
            "at": created.astimezone(UTC).isoformat(),
            "timezone": content.get("zone", "UTC"),
            "subject": "account",
            "subject_label": content.get("scope", "the account"),
            "message": json.dumps(envelope),
        }
        digest = {"id": envelope.get("digest_id"), "day": envelope.get("day")}
        return {"channel": payload["channel"], "notice": notice, "digest": digest}
    return None


def _rewrite(change: Rewrite) -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(_OUTBOX).order_by(_OUTBOX.c.id)).all()
    for row in rows:
        payload = row.payload
        new = change(row, payload) if isinstance(payload, dict) else None
        if new is not None:
            bind.execute(_OUTBOX.update().where(_OUTBOX.c.id == row.id).values(payload=new))


def upgrade() -> None:
    _rewrite(_typed)


def downgrade() -> None:
    _rewrite(_untyped)
