"""After the install: token rotation, uninstall (tokens deleted at once, polling and digests
stopped), and the uninstalled workspace's data purged once its retention period is over."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from alerts.digests.runner import run_due_digests
from alerts.worker import Retention, Worker
from clickmeter import ClickMeterClient
from storage import AlertRule, PollState, utcnow
from storage.installations import SLACK_BOTS, SLACK_INSTALLATIONS
from tests.conftest import Sandbox
from tests.oauth.conftest import Distributed
from tests.oauth.test_install import stored_bots
from tests.storage.helpers import add_rule

TEAMS = [("T0FIRST", "First Co"), ("T0SECOND", "Second Co")]


def install_both(distributed: Distributed) -> None:
    for team_id, name in TEAMS:
        assert distributed.install(team_id, name).status_code == 200


def worker(distributed: Distributed, sandbox: Sandbox, **options: object) -> Worker:
    client = ClickMeterClient(sandbox.api_key, base_url=sandbox.url, requests_per_second=None)
    return Worker(distributed.database(), client, receivers=[], installed_only=True, **options)  # type: ignore[arg-type]


async def rows_of(distributed: Distributed, team_id: str) -> dict[str, int]:
    async with distributed.database().transaction() as tx:
        counts = {}
        for name, table in [("bots", SLACK_BOTS), ("installations", SLACK_INSTALLATIONS)]:
            query = select(func.count()).select_from(table).where(table.c.team_id == team_id)
            counts[name] = int(await tx.session.scalar(query) or 0)
        rules = select(func.count()).select_from(AlertRule).where(AlertRule.team_id == team_id)
        counts["rules"] = int(await tx.session.scalar(rules) or 0)
        return counts


class TestRotation:
    @pytest.fixture
    def rotation_minutes(self) -> int:
        return 5  # refresh tokens expiring within 5 minutes

    async def test_an_expiring_token_is_refreshed_before_use(
        self, distributed: Distributed
    ) -> None:
        oauth = distributed.slack.slack.oauth
        oauth.rotation, oauth.token_lifetime = True, 60.0  # expires within the 5 minutes
        distributed.install("T0FIRST", "First Co")
        (first,) = (await stored_bots(distributed)).values()
        assert first.startswith("xoxe.xoxb-")

        ack, response_url = distributed.command("T0FIRST", "help")
        assert ack.status_code == 200
        assert distributed.answer(response_url)["text"]

        refreshes = [
            call
            for call in distributed.slack.slack.calls_to("oauth.v2.access")
            if call.args.get("grant_type") == "refresh_token"
        ]
        assert len(refreshes) == 1
        assert refreshes[0].error is None
        (current,) = (await stored_bots(distributed)).values()
        assert current != first
        assert oauth.tokens_of("T0FIRST") == [current]  # the old one no longer works
        assert distributed.slack.slack.calls_to("auth.test")[-1].token == current

    async def test_a_token_far_from_expiry_is_kept(self, distributed: Distributed) -> None:
        oauth = distributed.slack.slack.oauth
        oauth.rotation, oauth.token_lifetime = True, 3600.0
        distributed.install("T0FIRST", "First Co")
        (first,) = (await stored_bots(distributed)).values()
        _, response_url = distributed.command("T0FIRST", "help")
        distributed.answer(response_url)
        assert (await stored_bots(distributed)) == {"T0FIRST": first}


async def test_uninstall_deletes_the_tokens_at_once_and_stops_polling(
    distributed: Distributed, sandbox: Sandbox
) -> None:
    install_both(distributed)
    async with distributed.database().transaction() as tx:
        for team_id, _ in TEAMS:
            await add_rule(tx, team_id)

    answer = distributed.event(distributed.slack.slack.oauth.uninstall("T0FIRST"))

    assert answer.status_code == 200
    assert await rows_of(distributed, "T0FIRST") == {"bots": 0, "installations": 0, "rules": 1}
    assert (await rows_of(distributed, "T0SECOND"))["bots"] == 1
    async with distributed.database().transaction() as tx:
        assert await tx.installations.uninstalled_at("T0FIRST") is not None
        assert await tx.installations.installed_teams() == {"T0SECOND"}

    report = await worker(distributed, sandbox).poll()
    assert report is not None
    assert report.ok
    assert (report.teams, report.rules) == (1, 1)
    async with distributed.database().transaction() as tx:
        polled = set(await tx.session.scalars(select(PollState.team_id)))
    assert polled == {"T0SECOND"}

    # Its commands are no longer authorized: Bolt tells it to install again.
    _, response_url = distributed.command("T0FIRST", "help")
    assert "reinstall" in distributed.answer(response_url)["text"]


async def test_revoked_bot_tokens_count_as_an_uninstall(distributed: Distributed) -> None:
    install_both(distributed)
    answer = distributed.event(distributed.slack.slack.oauth.revoke_tokens("T0SECOND"))
    assert answer.status_code == 200
    assert (await rows_of(distributed, "T0SECOND"))["bots"] == 0
    async with distributed.database().transaction() as tx:
        assert await tx.installations.installed_teams() == {"T0FIRST"}
        assert await tx.installations.uninstalled_at("T0SECOND") is not None


async def test_rules_are_purged_after_the_retention_period_only(
    distributed: Distributed, sandbox: Sandbox
) -> None:
    install_both(distributed)
    async with distributed.database().transaction() as tx:
        for team_id, _ in TEAMS:
            await add_rule(tx, team_id)
    distributed.event(distributed.slack.slack.oauth.uninstall("T0FIRST"))
    now = utcnow()

    def pruner(days_later: float) -> Worker:
        return worker(
            distributed,
            sandbox,
            retention=Retention(uninstalled_days=30),
            clock=lambda: now + timedelta(days=days_later),
        )

    await pruner(29).prune()
    assert (await rows_of(distributed, "T0FIRST"))["rules"] == 1  # kept for a re-install
    await pruner(31).prune()
    assert (await rows_of(distributed, "T0FIRST"))["rules"] == 0
    assert (await rows_of(distributed, "T0SECOND"))["rules"] == 1
    async with distributed.database().transaction() as tx:
        assert await tx.installations.uninstalled_at("T0FIRST") is None


async def test_a_reinstall_keeps_the_rules(distributed: Distributed, sandbox: Sandbox) -> None:
    install_both(distributed)
    async with distributed.database().transaction() as tx:
        await add_rule(tx, "T0FIRST")
    distributed.event(distributed.slack.slack.oauth.uninstall("T0FIRST"))
    assert distributed.install("T0FIRST", "First Co").status_code == 200
    async with distributed.database().transaction() as tx:
        assert await tx.installations.uninstalled_at("T0FIRST") is None
    now = utcnow()
    await worker(
        distributed,
        sandbox,
        retention=Retention(uninstalled_days=30),
        clock=lambda: now + timedelta(days=90),
    ).prune()
    assert await rows_of(distributed, "T0FIRST") == {"bots": 1, "installations": 1, "rules": 1}


async def test_uninstall_stops_that_workspaces_digests(
    distributed: Distributed, sandbox: Sandbox
) -> None:
    install_both(distributed)
    rome = ZoneInfo("Europe/Rome")
    async with distributed.database().transaction() as tx:
        for team_id, _ in TEAMS:
            digest = await tx.digests.add(
                team_id,
                created_by="U0ALICE",
                channel_id="C0GENERAL",
                at_time="09:00",
                timezone="Europe/Rome",
                now=datetime(2026, 3, 1, tzinfo=UTC),
            )
            await tx.digests.mark_run(digest.id, date(2026, 3, 17), None)
    distributed.event(distributed.slack.slack.oauth.uninstall("T0FIRST"))

    client = ClickMeterClient(sandbox.api_key, base_url=sandbox.url, requests_per_second=None)
    ten_past_nine = datetime(2026, 3, 18, 9, 10, tzinfo=rome).astimezone(UTC)
    runs = await run_due_digests(distributed.database(), client, ten_past_nine, installed_only=True)
    assert [(run.team_id, run.outcome) for run in runs] == [("T0SECOND", "enqueued")]


async def test_a_reinstall_requeues_what_the_revoked_token_could_not_post(
    distributed: Distributed,
) -> None:
    install_both(distributed)
    async with distributed.database().transaction() as tx:
        ids = {}
        for team, reason in [
            ("T0FIRST", "token_revoked"),
            ("T0FIRST", "invalid_blocks"),
            ("T0SECOND", "token_revoked"),
        ]:
            item = await tx.outbox.enqueue(
                team,
                kind="slack.post",
                target="C0GENERAL",
                payload={},
                dedupe_key=f"{team}:{reason}",
            )
            await tx.outbox.mark_dead(item.id, reason)
            ids[team, reason] = item.id
    distributed.event(distributed.slack.slack.oauth.uninstall("T0FIRST"))
    assert distributed.install("T0FIRST", "First Co").status_code == 200
    async with distributed.database().transaction() as tx:
        statuses = {key: (await tx.outbox.get(i)).status for key, i in ids.items()}  # type: ignore[union-attr]
    assert statuses == {
        ("T0FIRST", "token_revoked"): "pending",  # the new token fixes it
        ("T0FIRST", "invalid_blocks"): "dead",  # a rendering bug: no token fixes it
        ("T0SECOND", "token_revoked"): "dead",  # another workspace, not re-installed
    }
