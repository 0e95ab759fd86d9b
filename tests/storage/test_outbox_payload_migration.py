"""Migration 0003: outbox items queued before typed payloads are delivered after the upgrade
(their payloads decode), and downgrading writes the old shapes back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from alerts.notice import AlertNotice, NoticeKind
from alerts.outbox import (
    AlertPayload,
    DigestPayload,
    WebhookPayload,
    decode_payload,
)
from storage import Database
from storage.migrate import downgrade, upgrade
from tests.alerts.deliver.helpers import digest_envelope
from tests.storage.conftest import Backend

TEAM = "T0CLICKBOT"
AT = datetime(2026, 3, 18, 8, 0, tzinfo=UTC)
OUTBOX = sa.table(
    "outbox",
    sa.column("id", sa.Integer()),
    sa.column("team_id", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("target", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("dedupe_key", sa.String()),
    sa.column("status", sa.String()),
    sa.column("attempts", sa.Integer()),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _old_payloads() -> dict[str, tuple[str, str, dict[str, Any]]]:
    """dedupe key → (kind, target, payload) as the code before 0003 wrote them."""
    notice = AlertNotice(kind=NoticeKind.FIRING, team_id=TEAM, at=AT, rule_id=3, episode_id=5)
    sample = AlertNotice(kind=NoticeKind.TEST, team_id=TEAM, at=AT, rule_id=3)
    envelope = digest_envelope()
    disguise = AlertNotice(
        kind=NoticeKind.TEST,
        team_id=TEAM,
        at=AT,
        timezone="Europe/Rome",
        subject_label="the account",
        message=envelope.model_dump_json(),
    )
    return {
        "post": ("slack.post", "C1", {"notice": notice.model_dump(mode="json"), "channel": "C1"}),
        "sample": (
            "slack.post",
            "C1",
            {
                "notice": sample.model_dump(mode="json"),
                "channel": "C1",
                "requested_by": "U0BOB",
                "request": "abc123",
            },
        ),
        "hook": ("webhook", "9", {"notice": notice.model_dump(mode="json"), "webhook_id": 9}),
        "digest": (
            "slack.digest",
            "C2",
            {
                "channel": "C2",
                "notice": disguise.model_dump(mode="json"),
                "digest": {"id": 7, "day": "2026-03-18"},
            },
        ),
        "broken": ("slack.post", "C1", {"text": "older than any notice"}),
    }


async def _payloads(database: Database) -> dict[str, dict[str, Any]]:
    async with database.engine.connect() as connection:
        rows = (await connection.execute(sa.select(OUTBOX.c.dedupe_key, OUTBOX.c.payload))).all()
    return {key: payload for key, payload in rows}


async def test_queued_items_decode_after_the_upgrade_and_go_back_down(
    empty_backend: Backend,
) -> None:
    database = empty_backend.open()
    await upgrade(database.engine, "0002")
    old = _old_payloads()
    async with database.engine.begin() as connection:
        for key, (kind, target, payload) in old.items():
            await connection.execute(
                OUTBOX.insert().values(
                    team_id=TEAM,
                    kind=kind,
                    target=target,
                    payload=payload,
                    dedupe_key=key,
                    status="pending",
                    attempts=0,
                    next_attempt_at=AT,
                    created_at=AT,
                )
            )

    await upgrade(database.engine)

    async with database.transaction() as tx:
        items = {item.dedupe_key: item for item in await tx.outbox.claim_due(AT, 10)}
    post = decode_payload(items["post"])
    assert isinstance(post, AlertPayload)
    assert (post.channel, post.notice.episode_id, post.request) == ("C1", 5, None)
    sample = decode_payload(items["sample"])
    assert isinstance(sample, AlertPayload)
    assert (sample.requested_by, sample.request) == ("U0BOB", "abc123")
    hook = decode_payload(items["hook"])
    assert isinstance(hook, WebhookPayload)
    assert (hook.webhook_id, hook.notice.rule_id) == (9, 3)
    digest = decode_payload(items["digest"])
    assert isinstance(digest, DigestPayload)
    assert (digest.channel, digest.digest) == ("C2", digest_envelope())
    assert items["broken"].payload == old["broken"][2]  # unreadable: left for the sender

    await downgrade(database.engine, "0002")

    back = await _payloads(database)
    for key in ("post", "sample", "hook", "broken"):
        assert back[key] == old[key][2]
    restored = back["digest"]
    assert restored["channel"] == "C2"
    assert restored["digest"] == {"id": 7, "day": "2026-03-18"}
    assert json.loads(restored["notice"]["message"]) == digest_envelope().model_dump(mode="json")
    assert AlertNotice.model_validate(restored["notice"]).kind is NoticeKind.TEST
