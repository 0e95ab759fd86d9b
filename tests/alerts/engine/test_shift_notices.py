"""A level shift through the engine: the FIRING notice says it stepped up since when, the
episode keeps the shift, and the RESOLVED notice (whose decision has no shift of its own) counts
from the shift's start; the webhook gets the same facts. Real SQLite, real engine code; the
decisions are the detector's output type, made by hand so the shift is exactly known."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from alerts.detect import Decision
from alerts.engine.episodes import apply_decision
from alerts.engine.telling import Context
from alerts.messages import render
from alerts.notice import AlertNotice
from alerts.wording import describe, webhook_event
from storage import Database, OutboxItem

TEAM = "T0SHIFT"
AT = datetime(2026, 3, 18, 10, 0, tzinfo=UTC)  # 11:00 CET


async def test_a_level_shift_is_announced_kept_and_resolved_from_its_start(
    tmp_path: Path,
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'shift.sqlite3'}")
    await db.migrate()
    try:
        async with db.transaction() as tx:
            rule = await tx.rules.add(
                TEAM,
                created_by="U0001",
                channel_id="C0ALERTS",
                scope_kind="account",
                scope_ref="account",
                scope_label="the account",
                condition="spike",
                sensitivity="medium",
                now=AT,
            )
            await tx.webhooks.add(TEAM, url="https://example.com/hook", created_by="U0001", now=AT)
        fired = Decision(
            at=AT,
            kind="spike",
            observed=130.0,
            expected=40.0,
            seconds=3600.0,
            anomalous=True,
            episode_open=True,
            event="fired",
            details={"sustained_ratio": 3.04, "sustained_intervals": 13.0},
        )
        ended_at = AT + timedelta(hours=3, minutes=20)
        resolved = Decision(
            at=ended_at,
            kind="spike",
            observed=41.0,
            expected=40.0,
            seconds=3600.0,
            anomalous=False,
            episode_open=False,
            event="resolved",
        )
        for decision, now in ((fired, AT + timedelta(minutes=5)), (resolved, ended_at)):
            async with db.transaction() as tx:
                webhooks = await tx.webhooks.list_active(TEAM)
                ctx = Context(now=now, timezone="Europe/Rome", webhooks=webhooks)
                episode = await tx.episodes.get_open(TEAM, rule.id, rule.subject.key)
                await apply_decision(tx, rule, rule.subject, decision, [40, 130], ctx, episode)
        async with db.transaction() as tx:
            items = (await tx.session.execute(select(OutboxItem).order_by(OutboxItem.id))).scalars()
            notices = [(i.kind, AlertNotice(**i.payload["notice"])) for i in items]
    finally:
        await db.dispose()
    by_kind = {(kind, n.kind.value): n for kind, n in notices}
    firing = by_kind[("slack.post", "firing")]
    since = AT - timedelta(minutes=60)  # 13 intervals of 5 min, the last starting at AT
    assert (firing.shift_ratio, firing.shift_since) == (3.04, since)
    assert describe(firing).summary == (
        "clicks stepped up to ~3x normal since 10:00 CET and stayed (normally ~40 an hour)"
    )
    assert render(firing).block_dicts()[0]["text"]["text"] == "🚨 Clicks stepped up on the account"
    ended = by_kind[("slack.update", "resolved")]
    assert ended.shift_since == since  # kept in the episode, not in the resolving decision
    assert describe(ended).summary == "back to normal (~40 an hour) after 4 h 20 min"
    hook = webhook_event(by_kind[("webhook", "resolved")], 1)["facts"]
    assert hook["what"] == "stepped_up"
    assert hook["lasted_seconds"] == 4 * 3600 + 20 * 60
    assert hook["summary"] == describe(ended).summary
