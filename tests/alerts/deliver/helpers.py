"""Helpers for the delivery tests: notices, and the outbox filled the way the alert engine does
(an episode's post, its update, its resolution edit and thread reply)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from alerts.deliver import (
    Backoff,
    DeliveryReport,
    Receiver,
    SlackPoster,
    SlackPostReceiver,
    SlackUpdateReceiver,
    deliver_once,
)
from alerts.digests.content import DigestContent, Totals
from alerts.notice import AlertNotice, NoticeKind
from alerts.outbox import AlertKind, DigestEnvelope, enqueue_alert
from devtools.localslack import MockSlackServer
from storage import Database, OutboxItem, Transaction

TEAM = "T0CLICKBOT"
CREATOR = "U0ALICE"
STARTED = datetime(2026, 3, 18, 13, 0, tzinfo=UTC)
#: Retries come back within a few hundredths of a second, so fault tests stay quick.
FAST = Backoff(base=0.02, factor=2.0, cap=0.2)


def slack_receivers(slack: SlackPoster) -> list[Receiver]:
    """The alert receivers (posts and replies, edits) on one poster."""
    return [SlackPostReceiver(slack), SlackUpdateReceiver(slack)]


def digest_envelope() -> DigestEnvelope:
    """A small digest of U0ALICE's (#7) for Wed 18 March, as it travels in the outbox."""
    day = date(2026, 3, 17)
    content = DigestContent(
        kind="daily",
        scope="the account",
        first=day,
        last=day,
        zone="Europe/Rome",
        data_time=STARTED,
        totals=Totals(clicks=42, unique_clicks=40),
        comparisons=(),
        links_with_clicks=0,
        link_clicks=0,
        top_links=(),
        reports=(),
        risers=(),
        fallers=(),
        mover_min_clicks=20,
        series=(),
    )
    return DigestEnvelope(
        digest_id=7, day=day + timedelta(days=1), created_by=CREATOR, content=content
    )


def notice(kind: NoticeKind = NoticeKind.FIRING, **overrides: Any) -> AlertNotice:
    fields: dict[str, Any] = {
        "kind": kind,
        "team_id": TEAM,
        "at": STARTED + timedelta(minutes=15),
        "timezone": "Europe/Rome",
        "condition": "spike",
        "sensitivity": "medium",
        "subject": "datapoint:123",
        "subject_label": "spring-sale",
        "link_id": 123,
        "observed": 412,
        "expected": 40,
        "window_seconds": 900,
        "started_at": STARTED,
        "recent": [3, 5, 4, 8, 40, 120, 300, 412],
    }
    fields.update(overrides)
    return AlertNotice(**fields)


@dataclass
class Episode:
    rule_id: int
    episode_id: int
    post_id: int
    channel: str


async def add_rule(db: Database, channel: str = "C0GENERAL", label: str = "spring-sale") -> int:
    async with db.transaction() as tx:
        rule = await tx.rules.add(
            TEAM,
            created_by=CREATOR,
            channel_id=channel,
            scope_kind="link",
            scope_ref="123",
            scope_label=label,
            condition="spike",
            sensitivity="medium",
            now=STARTED,
        )
        return rule.id


async def fire(db: Database, channel: str = "C0GENERAL", rule_id: int | None = None) -> Episode:
    """A new episode of a (new, unless given) rule, with its post in the outbox."""
    if rule_id is None:
        rule_id = await add_rule(db, channel)
    async with db.transaction() as tx:
        previous = await tx.episodes.get_open(TEAM, rule_id, "datapoint:123")
        if previous is not None:  # as the engine would have, before a new episode
            await tx.episodes.resolve(TEAM, previous.id)
        episode = await tx.episodes.open(
            TEAM, rule_id, subject="datapoint:123", kind="spike", observed=412, expected=40
        )
        item = await enqueue(
            tx,
            "slack.post",
            channel,
            notice(rule_id=rule_id, episode_id=episode.id),
            f"episode:{episode.id}:post",
            episode_id=episode.id,
        )
        return Episode(rule_id, episode.id, item.id, channel)


async def follow_up(db: Database, episode: Episode, kind: NoticeKind) -> list[int]:
    """UPDATE: an edit of the post. RESOLVED: an edit and a thread reply. Returns item ids."""
    resolved = STARTED + timedelta(minutes=40)
    what = notice(
        kind,
        rule_id=episode.rule_id,
        episode_id=episode.episode_id,
        observed=38 if kind is NoticeKind.RESOLVED else 530,
        resolved_at=resolved if kind is NoticeKind.RESOLVED else None,
    )
    kinds: list[AlertKind] = ["slack.update"]
    if kind is NoticeKind.RESOLVED:
        kinds.append("slack.reply")
    ids = []
    async with db.transaction() as tx:
        for item_kind in kinds:
            key = f"episode:{episode.episode_id}:{kind.value}:{item_kind}"
            item = await enqueue(
                tx,
                item_kind,
                episode.channel,
                what,
                key,
                episode_id=episode.episode_id,
                depends_on=episode.post_id,
            )
            ids.append(item.id)
    return ids


async def enqueue(
    tx: Transaction,
    kind: AlertKind,
    channel: str,
    what: AlertNotice,
    key: str,
    **options: Any,
) -> OutboxItem:
    return await enqueue_alert(tx, what, kind=kind, channel=channel, dedupe_key=key, **options)


async def drain(
    db: Database, receivers: list[Receiver], *, within: float = 15.0, **options: Any
) -> list[DeliveryReport]:
    """Run passes until nothing is left to deliver (or fail after `within` seconds)."""
    options.setdefault("backoff", FAST)
    reports = []
    deadline = asyncio.get_running_loop().time() + within
    while True:
        reports.append(await deliver_once(db, receivers, **options))
        async with db.transaction() as tx:
            if await tx.outbox.depth() == 0:
                return reports
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox not drained in {within}s: {reports[-3:]}")
        await asyncio.sleep(0.02)


async def item(db: Database, item_id: int) -> OutboxItem:
    async with db.transaction() as tx:
        found = await tx.outbox.get(item_id)
    assert found is not None
    return found


def tags(server: MockSlackServer, channel: str) -> list[int]:
    """The outbox ids the channel's messages (replies included) are tagged with, oldest first."""
    return [
        int(m.metadata["event_payload"]["outbox_id"])
        for m in server.slack.messages(channel)
        if m.metadata is not None
    ]


async def wait_until_sent(db: Database, item_id: int, within: float = 10.0) -> None:
    """Wait (polling) until the item is 'sent', e.g. by a `run_sender` task."""
    deadline = asyncio.get_running_loop().time() + within
    while (await item(db, item_id)).status != "sent":
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"outbox item {item_id} not sent within {within}s")
        await asyncio.sleep(0.02)
