"""The digest runner: each tick, enqueue the digests that are due, exactly once per local day.

`run_due_digests(db, client, now)` reads every active digest, asks `schedule.due` what to do,
and for a digest to deliver gathers its content from ClickMeter (outside any transaction: it is
network I/O), then, in ONE transaction, enqueues one 'slack.digest' outbox item (dedupe key
`digest{id}:{day}`) and records the run (`Digests.mark_run`). A missed day (later than the grace
period) is recorded as run with nothing sent, and logged. Running it twice, or on two workers at
once, enqueues once: `mark_run` only moves forward and the dedupe key is unique per team.

Each digest is gathered with its workspace's own client (`alerts.accounts.ClientSource`), so
in its workspace's account and time zone; a workspace with no account connected is skipped
(logged) and tried again next tick, like an unreadable ClickMeter.

If ClickMeter cannot be read the digest is left unmarked, so the next tick tries again, until
the grace period runs out and the day is skipped.

The outbox item carries the content (`alerts.outbox.DigestPayload`); the chart is re-rendered
from it at send time, since rendering is deterministic (same content, same PNG bytes) and keeps
the payload small. `preview` sends a digest now, by direct message, outside the outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from slack_sdk.web.async_client import AsyncWebClient

from alerts.accounts import ClientSource, DeploymentClient
from alerts.deliver.digest import PostedDigest, send_digest
from alerts.digests.content import DigestContent, DigestKind
from alerts.digests.gather import gather_digest
from alerts.digests.schedule import DEFAULT_GRACE, due, next_run, zone_of
from alerts.outbox import enqueue_digest
from clickmeter import ClickMeterClient, ClickMeterError, TopReport
from storage import Database
from storage.models import Digest
from storage.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DigestRun:
    """What one tick did about one digest: `enqueued` (with the outbox item), `skipped`
    (missed by more than the grace period), `failed` (ClickMeter unreadable: tried again next
    tick) or `raced` (another worker recorded the day first)."""

    digest_id: int
    team_id: str
    day: date
    outcome: Literal["enqueued", "skipped", "failed", "raced"]
    outbox_id: int | None = None


def digest_kind(digest: Digest) -> DigestKind:
    return "weekly" if digest.cadence == "weekly" else "daily"


def dedupe_key(digest_id: int, day: date) -> str:
    return f"digest{digest_id}:{day.isoformat()}"


async def gather_for(
    client: ClickMeterClient, digest: Digest, day: date, now: datetime
) -> DigestContent:
    """The content of `digest` for its local `day`. Numbers are ClickMeter's, counted in the
    account's zone: the data day is `day`, or the account's today if that is earlier (a digest
    zone ahead of the account's must not report a day the account has not finished)."""
    account_zone = await client.account_zone()
    data_day = min(day, now.astimezone(account_zone).date())
    return await gather_digest(
        client,
        day=data_day,
        reports=[TopReport(r) for r in digest.reports],
        links_filter=digest.links_filter,
        zone=account_zone,
        kind=digest_kind(digest),
        now=now,
    )


async def run_due_digests(
    db: Database,
    clients: ClientSource | ClickMeterClient,
    now: datetime | None = None,
    *,
    grace: float | None = None,
    installed_only: bool = False,
) -> list[DigestRun]:
    """One tick (see the module docstring). `now` pins the clock (None: the real time);
    `grace` in seconds overrides the default 2 h; `installed_only` (distribution mode) skips
    the digests of workspaces without the app installed."""
    source = DeploymentClient(clients) if isinstance(clients, ClickMeterClient) else clients
    moment = now or utcnow()
    window = DEFAULT_GRACE if grace is None else timedelta(seconds=grace)
    async with db.transaction() as tx:
        digests = list(await tx.digests.all_active())
        if installed_only:
            installed = await tx.installations.installed_teams()
            digests = [digest for digest in digests if digest.team_id in installed]
    runs: list[DigestRun] = []
    for digest in digests:
        decision = due(digest, moment, window)
        if decision.action == "wait" or decision.day is None or decision.scheduled is None:
            continue
        day, upcoming = decision.day, next_run(digest, moment)
        if decision.action == "skip":
            async with db.transaction() as tx:
                marked = await tx.digests.mark_run(digest.id, day, upcoming)
            if marked:
                log.warning(
                    "digest %s (team %s) for %s skipped: due at %s, %s late (grace %s)",
                    digest.id,
                    digest.team_id,
                    day,
                    decision.scheduled.isoformat(),
                    moment - decision.scheduled,
                    window,
                )
            runs.append(DigestRun(digest.id, digest.team_id, day, "skipped" if marked else "raced"))
            continue
        client = await source.client_for(digest.team_id)
        if client is None:
            log.info(
                "digest %s (team %s): no ClickMeter account connected", digest.id, digest.team_id
            )
            runs.append(DigestRun(digest.id, digest.team_id, day, "failed"))
            continue
        try:
            content = await gather_for(client, digest, day, moment)
        except ClickMeterError as error:
            log.warning(
                "digest %s (team %s) for %s: ClickMeter unreadable (%s); trying again next tick",
                digest.id,
                digest.team_id,
                day,
                error,
            )
            runs.append(DigestRun(digest.id, digest.team_id, day, "failed"))
            continue
        except Exception:  # a bug with one digest must not hold up the others
            log.exception(
                "digest %s (team %s) for %s could not be gathered", digest.id, digest.team_id, day
            )
            runs.append(DigestRun(digest.id, digest.team_id, day, "failed"))
            continue
        async with db.transaction() as tx:
            if not await tx.digests.mark_run(digest.id, day, upcoming):
                runs.append(DigestRun(digest.id, digest.team_id, day, "raced"))
                continue
            item = await enqueue_digest(
                tx, digest, day, content, dedupe_key=dedupe_key(digest.id, day), now=moment
            )
        log.info(
            "digest %s (team %s) for %s enqueued as outbox item %s",
            digest.id,
            digest.team_id,
            day,
            item.id,
        )
        runs.append(DigestRun(digest.id, digest.team_id, day, "enqueued", item.id))
    return runs


async def preview(
    client: ClickMeterClient,
    slack_client: AsyncWebClient,
    digest: Digest,
    user_id: str,
    *,
    now: datetime | None = None,
) -> PostedDigest:
    """Gather the digest as it would go out today and send it now, chart included, to
    `user_id` in a direct message. Raises `ClickMeterError` if ClickMeter cannot be read and
    what Slack raises if the message cannot be posted."""
    moment = now or utcnow()
    day = moment.astimezone(zone_of(digest)).date()
    content = await gather_for(client, digest, day, moment)
    return await send_digest(slack_client, user_id, content)
