"""The digest runner and sender against the sandbox (ClickMeter) and the local Slack, on a
pinned clock: enqueued once per local day, delivered once through Slack failures, restarts
within the grace period deliver, later ones skip; previews go by direct message."""

from __future__ import annotations

import asyncio
import logging
import shutil
import struct
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse
from sqlalchemy import select

from alerts.deliver import Backoff, DeliveryReport, DigestReceiver, SlackPoster, deliver_once
from alerts.digests import gather_digest
from alerts.digests.runner import DigestRun, preview, run_due_digests
from alerts.outbox import DigestPayload
from alerts.worker import Worker, receivers_from_settings
from bot.answers.base import AnswerContext
from bot.answers.digests import digest_answer
from bot.grammar import DigestAdd, DigestList, DigestPreview, DigestRemove, parse
from bot.permissions import Gate, Standing
from clickmeter import ClickMeterClient, TopReport
from devtools.localslack import MockSlackServer
from storage import Database, OutboxItem
from storage.models import Digest
from tests.conftest import Sandbox

ROME = ZoneInfo("Europe/Rome")
TEAM = "T0CLICKBOT"
CHANNEL = "C0GENERAL"
TODAY = date(2026, 3, 18)  # the sandbox's day: a digest sent today covers Tue 17
FAST = Backoff(base=0.02, factor=2.0, cap=0.2)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def rome(hour: int, minute: int = 0, day: date = TODAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME).astimezone(UTC)


@pytest.fixture(scope="session")
def digest_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("digests") / "template.sqlite3"

    async def migrate() -> None:
        async with Database(f"sqlite+aiosqlite:///{path}") as database:
            await database.migrate()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, migrate()).result()
    return path


@pytest.fixture
async def db(digest_template: Path, tmp_path: Path) -> AsyncIterator[Database]:
    path = tmp_path / "clickbot.sqlite3"
    shutil.copyfile(digest_template, path)
    async with Database(f"sqlite+aiosqlite:///{path}") as database:
        yield database


@pytest.fixture
def receiver(mock_slack: MockSlackServer) -> DigestReceiver:
    return DigestReceiver(
        SlackPoster(mock_slack.token, base_url=mock_slack.api_url, per_channel_interval=0.01)
    )


async def add(
    db: Database, *, last_run_for: date | None = TODAY - timedelta(days=1), **fields: Any
) -> Digest:
    values: dict[str, Any] = {
        "created_by": "U0ALICE",
        "channel_id": CHANNEL,
        "at_time": "09:00",
        "timezone": "Europe/Rome",
        "now": datetime(2026, 3, 1, tzinfo=UTC),
    }
    values.update(fields)
    async with db.transaction() as tx:
        digest = await tx.digests.add(TEAM, **values)
        if last_run_for is not None:
            await tx.digests.mark_run(digest.id, last_run_for, None)
    return digest


async def outbox(db: Database) -> list[OutboxItem]:
    async with db.transaction() as tx:
        return list(await tx.session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


async def stored(db: Database, digest_id: int) -> Digest:
    async with db.transaction() as tx:
        found = await tx.digests.get(TEAM, digest_id, include_removed=True)
    assert found is not None
    return found


async def drain(
    db: Database, receiver: DigestReceiver, start: datetime, *, passes: int = 20
) -> list[DeliveryReport]:
    """Delivery passes on a pinned clock moving a minute each pass, until nothing is left."""
    reports = []
    for step in range(passes):
        now = start + timedelta(minutes=step)
        reports.append(await deliver_once(db, [receiver], now=now, backoff=FAST))
        async with db.transaction() as tx:
            if await tx.outbox.depth() == 0:
                return reports
    raise AssertionError(f"outbox not drained: {reports[-3:]}")


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def digest_posts(server: MockSlackServer, channel: str = CHANNEL) -> list[Any]:
    return [
        m
        for m in server.slack.messages(channel)
        if m.metadata is not None and m.metadata["event_type"] == "clickbot_digest"
    ]


# --- the runner -------------------------------------------------------------------------------


async def test_down_0855_to_0910_delivers_todays_digest_once_at_restart(
    db: Database, client: ClickMeterClient, receiver: DigestReceiver, mock_slack: MockSlackServer
) -> None:
    digest = await add(db)
    assert await run_due_digests(db, client, rome(8, 55)) == []
    # ... the worker is down from 08:55 to 09:10 ...
    runs = await run_due_digests(db, client, rome(9, 10))
    assert [(r.digest_id, r.day, r.outcome) for r in runs] == [(digest.id, TODAY, "enqueued")]
    for minute in (11, 12, 30):
        assert await run_due_digests(db, client, rome(9, minute)) == []
    items = await outbox(db)
    assert [(i.kind, i.target, i.dedupe_key) for i in items] == [
        ("slack.digest", CHANNEL, f"digest{digest.id}:2026-03-18")
    ]
    after = await stored(db, digest.id)
    assert after.last_run_for == TODAY
    assert after.next_run_at == rome(9, day=TODAY + timedelta(days=1))

    await drain(db, receiver, rome(9, 10))
    posts = digest_posts(mock_slack)
    assert len(posts) == 1
    assert "Daily digest" in posts[0].text
    files = [f for f in mock_slack.slack.files.values() if CHANNEL in f.channels]
    assert len(files) == 1
    assert files[0].filename == "clicks-2026-03-17.png"
    assert files[0].content is not None
    assert png_size(files[0].content) == (800, 360)
    sent = (await outbox(db))[0]
    assert sent.status == "sent"
    assert sent.result is not None
    assert sent.result["chart"] == "uploaded"


async def test_down_until_1200_skips_the_day_and_says_so(
    db: Database, client: ClickMeterClient, caplog: pytest.LogCaptureFixture
) -> None:
    digest = await add(db)
    with caplog.at_level(logging.WARNING, logger="alerts.digests.runner"):
        runs = await run_due_digests(db, client, rome(12))
    assert runs == [DigestRun(digest.id, TEAM, TODAY, "skipped")]
    assert f"digest {digest.id}" in caplog.text
    assert "skipped" in caplog.text
    assert await outbox(db) == []
    assert (await stored(db, digest.id)).last_run_for == TODAY
    assert await run_due_digests(db, client, rome(12, 5)) == []
    # ... and tomorrow goes out as usual.
    tomorrow = await run_due_digests(db, client, rome(9, 0, TODAY + timedelta(days=1)))
    assert [r.outcome for r in tomorrow] == ["enqueued"]


async def test_running_twice_or_racing_enqueues_once(
    db: Database, client: ClickMeterClient
) -> None:
    digest = await add(db)
    first, second = await asyncio.gather(
        run_due_digests(db, client, rome(9, 1)), run_due_digests(db, client, rome(9, 1))
    )
    outcomes = sorted(r.outcome for r in [*first, *second])
    assert outcomes == ["enqueued", "raced"]
    assert await run_due_digests(db, client, rome(9, 2)) == []
    # Even with the record of the run lost, the dedupe key holds.
    async with db.transaction() as tx:
        row = await tx.digests.get(TEAM, digest.id)
        assert row is not None
        row.last_run_for = TODAY - timedelta(days=1)
    again = await run_due_digests(db, client, rome(9, 3))
    assert [r.outcome for r in again] == ["enqueued"]
    assert len(await outbox(db)) == 1


async def test_content_is_the_sandbox_numbers_for_the_day(
    db: Database, client: ClickMeterClient
) -> None:
    await add(db, reports=["countries", "browsers"], cadence="weekdays")
    await run_due_digests(db, client, rome(9, 5))
    item = (await outbox(db))[0]
    envelope = DigestPayload.model_validate(item.payload).digest
    expected = await gather_digest(
        client,
        day=TODAY,
        reports=[TopReport.COUNTRIES, TopReport.BROWSERS],
        now=rome(9, 5),
    )
    assert envelope.content == expected
    assert (envelope.content.first, envelope.content.last) == (TODAY - timedelta(days=1),) * 2
    assert [t.report for t in envelope.content.reports] == [TopReport.COUNTRIES, TopReport.BROWSERS]
    assert item.payload["channel"] == CHANNEL
    assert item.payload["digest"]["day"] == "2026-03-18"


async def test_removed_and_not_yet_due_digests_are_left_alone(
    db: Database, client: ClickMeterClient
) -> None:
    removed = await add(db)
    await add(db, at_time="17:00")
    await add(db, cadence="weekly", weekday=0)  # a Monday digest; the 18th is a Wednesday
    async with db.transaction() as tx:
        await tx.digests.remove(TEAM, removed.id)
    assert await run_due_digests(db, client, rome(9, 5)) == []
    assert await outbox(db) == []


# --- delivery -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["http_error", "ratelimited"])
async def test_slack_failing_at_0900_delivers_after_recovery_once(
    db: Database,
    client: ClickMeterClient,
    receiver: DigestReceiver,
    mock_slack: MockSlackServer,
    fault: str,
) -> None:
    await add(db)
    await run_due_digests(db, client, rome(9))
    if fault == "http_error":
        mock_slack.slack.inject("http_error", method="chat.postMessage", times=3)
    else:
        # (the receiver paces the channel by Retry-After in real time: keep it short)
        mock_slack.slack.rate_limit(retry_after=1, method="chat.postMessage", times=1)
    reports = await drain(db, receiver, rome(9))
    retried = [i for r in reports for i in r.retried]
    assert len(retried) == (3 if fault == "http_error" else 1)
    assert sum(len(r.sent) for r in reports) == 1
    assert len(digest_posts(mock_slack)) == 1
    assert len(mock_slack.slack.calls_to("files.completeUploadExternal")) == 1


async def test_an_earlier_unrecorded_post_is_adopted_not_repeated(
    db: Database, client: ClickMeterClient, receiver: DigestReceiver, mock_slack: MockSlackServer
) -> None:
    await add(db)
    await run_due_digests(db, client, rome(9))
    await drain(db, receiver, rome(9))
    # As if the sender crashed after posting, before recording it: claimed again.
    async with db.transaction() as tx:
        item = (await outbox(db))[0]
        row = await tx.outbox.get(item.id)
        assert row is not None
        row.status, row.result, row.sent_at = "pending", None, None
    reports = await drain(db, receiver, rome(9, 30))
    assert [i for r in reports for i in r.adopted] == [item.id]
    assert len(digest_posts(mock_slack)) == 1


async def test_upload_refused_falls_back_to_the_sparkline(
    db: Database,
    client: ClickMeterClient,
    receiver: DigestReceiver,
    mock_slack: MockSlackServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    poster = receiver.posters.single
    assert poster is not None

    async def refuse(**_: Any) -> AsyncSlackResponse:
        response = AsyncSlackResponse(
            client=poster.client,
            http_verb="POST",
            api_url="files.completeUploadExternal",
            req_args={},
            data={"ok": False, "error": "not_allowed"},
            headers={},
            status_code=200,
        )
        raise SlackApiError("not_allowed", response)  # type: ignore[no-untyped-call]

    monkeypatch.setattr(poster.client, "files_upload_v2", refuse)
    await add(db)
    await run_due_digests(db, client, rome(9))
    await drain(db, receiver, rome(9))
    post = digest_posts(mock_slack)[0]
    assert post.edited_ts is not None
    assert "Clicks per day" in str(post.blocks)  # the sparkline section
    result = (await outbox(db))[0].result
    assert result is not None
    assert (result["chart"], result["chart_error"]) == ("sparkline", "not_allowed")


async def test_upload_failing_on_slack_trouble_still_delivers_once(
    db: Database, client: ClickMeterClient, receiver: DigestReceiver, mock_slack: MockSlackServer
) -> None:
    await add(db)
    await run_due_digests(db, client, rome(9))
    mock_slack.slack.inject("http_error", method="files.getUploadURLExternal", times=5)
    reports = await drain(db, receiver, rome(9))
    assert sum(len(r.sent) for r in reports) == 1
    assert len(digest_posts(mock_slack)) == 1
    assert "Clicks per day" in str(digest_posts(mock_slack)[0].blocks)


async def test_a_channel_without_the_bot_is_given_up_and_the_creator_told(
    db: Database, client: ClickMeterClient, receiver: DigestReceiver, mock_slack: MockSlackServer
) -> None:
    await add(db, channel_id="C0RANDOM")
    await run_due_digests(db, client, rome(9))
    reports = await drain(db, receiver, rome(9))
    assert sum(len(r.dead) for r in reports) == 1
    told = mock_slack.slack.messages("U0ALICE")
    assert len(told) == 1
    assert "not a member" in told[0].text


# --- preview and the handlers -------------------------------------------------------------------


async def test_preview_sends_the_digest_with_its_chart_by_dm(
    db: Database, client: ClickMeterClient, mock_slack: MockSlackServer
) -> None:
    digest = await add(db)
    slack = AsyncWebClient(token=mock_slack.token, base_url=mock_slack.api_url)
    posted = await preview(client, slack, digest, "U0BOB", now=rome(15))
    assert posted.chart == "uploaded"
    assert posted.channel.startswith("D")
    messages = mock_slack.slack.messages(posted.channel)
    assert len(messages) == 2  # the digest, then its chart
    assert "Daily digest" in messages[0].text
    assert messages[1].files
    assert mock_slack.slack.messages(CHANNEL) == []


async def test_handlers_add_list_preview_remove(
    db: Database, client: ClickMeterClient, receiver: DigestReceiver, mock_slack: MockSlackServer
) -> None:
    admin = Gate.known(Standing(is_admin=True, in_group=False, group=None), "U0ALICE")
    ctx = AnswerContext(
        client=client,
        now=rome(15),
        team_id=TEAM,
        user_id="U0ALICE",
        channel_id=CHANNEL,
        db=db,
        gate=admin,
    )
    command = parse("digest add weekdays at 08:30 reports countries")
    assert isinstance(command, DigestAdd)
    added = await digest_answer(command, ctx)
    assert "New digest" in added.text
    assert "weekdays at 08:30 Europe/Berlin" in added.text
    async with db.transaction() as tx:
        (digest,) = await tx.digests.list_active(TEAM)
    assert digest.timezone == "Europe/Berlin"  # the sandbox account's
    assert digest.next_run_at == rome(8, 30, TODAY + timedelta(days=1))
    listed = await digest_answer(DigestList(), ctx)
    assert f"#{digest.id}" in listed.text
    assert "Thu Mar 19 08:30 CET" in listed.text

    sent = await digest_answer(DigestPreview(digest.id), ctx)
    assert "Sending you digest" in sent.text
    await drain(db, receiver, rome(15))
    assert len(mock_slack.slack.messages("U0ALICE")) == 2

    missing = await digest_answer(DigestRemove(999), ctx)
    assert "no digest #999" in missing.text
    other_team = AnswerContext(client=client, team_id="T0OTHER", user_id="U0BOB", db=db)
    assert "no digest" in (await digest_answer(DigestPreview(digest.id), other_team)).text
    removed = await digest_answer(DigestRemove(digest.id), ctx)
    assert "Removed digest" in removed.text
    assert "No digests" in (await digest_answer(DigestList(), ctx)).text


async def test_handlers_without_a_database_or_in_a_dm(
    db: Database, client: ClickMeterClient
) -> None:
    bare = AnswerContext(client=client)
    assert "no database" in (await digest_answer(DigestList(), bare)).text
    in_dm = AnswerContext(
        client=client, team_id=TEAM, user_id="U0ALICE", channel_id="D0ALICE", db=db
    )
    assert (
        "can't post them in this conversation"
        in (await digest_answer(DigestAdd("09:00"), in_dm)).text
    )


async def test_the_worker_digest_job_survives_a_failing_tick(
    db: Database, client: ClickMeterClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticks: list[datetime | None] = []

    async def tick(
        _db: Database,
        _client: ClickMeterClient,
        now: datetime | None = None,
        installed_only: bool = False,
    ) -> list[DigestRun]:
        ticks.append(now)
        if len(ticks) == 1:
            raise RuntimeError("the database went away")  # logged, and the job goes on
        return []

    monkeypatch.setattr("alerts.worker.run_due_digests", tick)
    worker = Worker(db, client, clock=lambda: rome(9))
    for _ in range(3):
        await asyncio.wait_for(worker.send_digests(), timeout=5)
    assert ticks == [rome(9)] * 3


# --- the worker -------------------------------------------------------------------------------


async def test_the_worker_job_enqueues_and_its_sender_delivers(
    db: Database, sandbox: Sandbox, mock_slack: MockSlackServer
) -> None:
    digest = await add(db)
    now = rome(9, 1)
    async with ClickMeterClient(
        sandbox.api_key, base_url=sandbox.url, requests_per_second=None
    ) as client:
        receivers = receivers_from_settings(mock_slack.token, mock_slack.api_url)
        worker = Worker(db, client, receivers=receivers, clock=lambda: now)
        await worker.send_digests()
        await worker.send_digests()  # a second tick the same minute adds nothing
        report = await deliver_once(db, receivers)
    assert len(report.sent) == 1
    (post,) = digest_posts(mock_slack)
    assert "Daily digest" in post.text
    assert (await stored(db, digest.id)).last_run_for == TODAY
    async with db.transaction() as tx:
        assert await tx.outbox.depth() == 0
