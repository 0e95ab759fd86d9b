"""Distribution mode's sender: each workspace's alerts and digests are posted with that
workspace's own bot token (read from the installation store, refreshed when it rotates); a
workspace without the app gets nothing, and its items come back once it installs again.

Real HTTP throughout: the app installs two workspaces into the local Slack, which issues each
its own tokens and records which token made every call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from alerts.deliver import (
    NOT_INSTALLED,
    DigestReceiver,
    Receiver,
    SlackPosters,
    SlackPostReceiver,
    SlackUpdateReceiver,
)
from alerts.digests.content import DayClicks
from alerts.outbox import DigestPayload
from devtools.localslack.oauth import CLIENT_ID, CLIENT_SECRET
from storage import Database
from storage.installations import InstalledBotTokens, installed_bot_tokens
from tests.alerts.deliver.helpers import digest_envelope, drain, enqueue, item, notice
from tests.oauth.conftest import Distributed
from tests.oauth.test_install import stored_bots

#: Each workspace's alerts go to a channel of their own, so a post shows whose it was.
CHANNELS = {"T0FIRST": "C0GENERAL", "T0SECOND": "C0MARKETING"}
NAMES = {"T0FIRST": "First Co", "T0SECOND": "Second Co"}


def tokens(distributed: Distributed, db: Database, rotation_minutes: int) -> InstalledBotTokens:
    """The token source `clickbot worker` builds in distribution mode."""
    return installed_bot_tokens(
        CLIENT_ID,
        CLIENT_SECRET,
        db.engine,
        slack_api_url=distributed.slack.api_url,
        rotation_minutes=rotation_minutes,
    )


def receivers(source: InstalledBotTokens, distributed: Distributed) -> list[Receiver]:
    posters = SlackPosters(source, base_url=distributed.slack.api_url, per_channel_interval=0.01)
    return [SlackPostReceiver(posters), SlackUpdateReceiver(posters), DigestReceiver(posters)]


async def alert(db: Database, team: str, key: str) -> int:
    async with db.transaction() as tx:
        queued = await enqueue(
            tx, "slack.post", CHANNELS[team], notice(team_id=team), f"{team}:{key}"
        )
        return queued.id


async def digest(db: Database, team: str) -> int:
    envelope = digest_envelope()
    last = envelope.content.last
    series = tuple(DayClicks(day=last - timedelta(days=n), clicks=10 + n) for n in range(14))
    envelope = envelope.model_copy(
        update={"content": envelope.content.model_copy(update={"series": series[::-1]})}
    )
    payload = DigestPayload(channel=CHANNELS[team], digest=envelope)
    async with db.transaction() as tx:
        queued = await tx.outbox.enqueue(
            team,
            kind="slack.digest",
            target=CHANNELS[team],
            payload=payload.model_dump(mode="json"),
            dedupe_key=f"{team}:digest",
        )
        return queued.id


def posted_with(distributed: Distributed, method: str = "chat.postMessage") -> dict[str, set[str]]:
    """The tokens each channel was posted to with (successful calls only)."""
    found: dict[str, set[str]] = {}
    for call in distributed.slack.slack.calls_to(method):
        if call.error is None and call.status == 200 and call.token:
            found.setdefault(str(call.args.get("channel")), set()).add(call.token)
    return found


async def test_each_workspace_posts_alerts_and_digests_with_its_own_token(
    distributed: Distributed, rotation_minutes: int
) -> None:
    for team, name in NAMES.items():
        assert distributed.install(team, name).status_code == 200
    bots = await stored_bots(distributed)
    assert bots["T0FIRST"] != bots["T0SECOND"]
    db = distributed.database()
    ids = [await alert(db, team, "a") for team in NAMES] + [await digest(db, t) for t in NAMES]

    await drain(db, receivers(tokens(distributed, db, rotation_minutes), distributed))

    assert [(await item(db, i)).status for i in ids] == ["sent"] * 4
    # Two posts per channel (an alert, a digest), each with its own workspace's token only.
    assert posted_with(distributed) == {CHANNELS[team]: {bots[team]} for team in NAMES}
    uploads = distributed.slack.slack.calls_to("files.completeUploadExternal")
    assert {call.token for call in uploads} == set(bots.values())


async def test_an_uninstalled_workspace_gets_nothing_until_it_installs_again(
    distributed: Distributed, rotation_minutes: int
) -> None:
    for team, name in NAMES.items():
        distributed.install(team, name)
    db = distributed.database()
    source = tokens(distributed, db, rotation_minutes)
    sender = receivers(source, distributed)
    await drain(db, sender)  # nothing yet
    assert await source.token_for("T0SECOND") is not None  # cached, as after an earlier post

    assert distributed.event(distributed.slack.slack.oauth.uninstall("T0SECOND")).status_code == 200
    refused = await alert(db, "T0SECOND", "refused")
    first = await alert(db, "T0FIRST", "meanwhile")
    await drain(db, sender)
    # The cached token is refused by Slack: dropped, so the next item reads the store afresh.
    assert (await item(db, refused)).last_error == "token_revoked"
    assert (await item(db, first)).status == "sent"
    missing = await alert(db, "T0SECOND", "missing")
    await drain(db, sender)
    settled = await item(db, missing)
    assert (settled.status, settled.last_error) == ("dead", NOT_INSTALLED)
    assert "C0MARKETING" not in posted_with(distributed)

    assert distributed.install("T0SECOND", "Second Co").status_code == 200
    assert [(await item(db, i)).status for i in (refused, missing)] == ["pending"] * 2
    await drain(db, sender)
    assert [(await item(db, i)).status for i in (refused, missing)] == ["sent"] * 2
    new_token = (await stored_bots(distributed))["T0SECOND"]
    assert posted_with(distributed)["C0MARKETING"] == {new_token}


class TestRotation:
    @pytest.fixture
    def rotation_minutes(self) -> int:
        return 5

    async def test_an_expiring_token_is_refreshed_before_posting(
        self, distributed: Distributed, rotation_minutes: int
    ) -> None:
        oauth = distributed.slack.slack.oauth
        oauth.rotation, oauth.token_lifetime = True, 60.0  # expires within the 5 minutes
        distributed.install("T0FIRST", "First Co")
        (installed,) = (await stored_bots(distributed)).values()
        db = distributed.database()
        posted = await alert(db, "T0FIRST", "a")

        await drain(db, receivers(tokens(distributed, db, rotation_minutes), distributed))

        assert (await item(db, posted)).status == "sent"
        refreshes = [
            call
            for call in distributed.slack.slack.calls_to("oauth.v2.access")
            if call.args.get("grant_type") == "refresh_token"
        ]
        assert [call.error for call in refreshes] == [None]
        (current,) = (await stored_bots(distributed)).values()  # saved back to the store
        assert current != installed
        assert oauth.tokens_of("T0FIRST") == [current]
        assert posted_with(distributed) == {"C0GENERAL": {current}}

    async def test_a_token_far_from_expiry_is_used_as_stored(
        self, distributed: Distributed, rotation_minutes: int
    ) -> None:
        oauth = distributed.slack.slack.oauth
        oauth.rotation, oauth.token_lifetime = True, 3600.0
        distributed.install("T0FIRST", "First Co")
        (installed,) = (await stored_bots(distributed)).values()
        db = distributed.database()
        await alert(db, "T0FIRST", "a")

        await drain(db, receivers(tokens(distributed, db, rotation_minutes), distributed))

        assert (await stored_bots(distributed)) == {"T0FIRST": installed}
        assert posted_with(distributed) == {"C0GENERAL": {installed}}


async def test_a_token_is_read_once_per_ttl_and_again_once_forgotten(
    distributed: Distributed, rotation_minutes: int
) -> None:
    distributed.install("T0FIRST", "First Co")
    db = distributed.database()
    now = [0.0]
    source = replace_clock(tokens(distributed, db, rotation_minutes), lambda: now[0])
    first = await source.token_for("T0FIRST")
    distributed.install("T0FIRST", "First Co")  # a re-install stores a new token
    (second,) = (await stored_bots(distributed)).values()
    assert second != first

    assert await source.token_for("T0FIRST") == first  # within the TTL: as read
    now[0] = source.ttl + 1
    assert await source.token_for("T0FIRST") == second  # past it: read again
    distributed.install("T0FIRST", "First Co")
    (third,) = (await stored_bots(distributed)).values()
    source.forget("T0FIRST")  # Slack refused `second`
    assert await source.token_for("T0FIRST") == third
    assert await source.token_for("T0NEVER") is None


def replace_clock(source: InstalledBotTokens, clock: Callable[[], float]) -> InstalledBotTokens:
    """The same source on a clock of the test's."""
    return InstalledBotTokens(
        source.store,
        source.rotator,
        rotation_minutes=source.rotation_minutes,
        ttl=source.ttl,
        clock=clock,
    )


async def test_a_rules_creator_is_told_with_their_workspaces_token(
    distributed: Distributed, rotation_minutes: int
) -> None:
    for team, name in NAMES.items():
        distributed.install(team, name)
    db = distributed.database()
    async with db.transaction() as tx:
        rule = await tx.rules.add(
            "T0SECOND",
            created_by="U0BOB",
            channel_id="C0RANDOM",  # the bot is not a member: only a person can fix it
            scope_kind="link",
            scope_ref="123",
            scope_label="spring-sale",
            condition="spike",
            sensitivity="medium",
        )
        queued = await enqueue(
            tx, "slack.post", "C0RANDOM", notice(team_id="T0SECOND", rule_id=rule.id), "refused"
        )

    await drain(db, receivers(tokens(distributed, db, rotation_minutes), distributed))

    assert (await item(db, queued.id)).last_error == "not_in_channel"
    bots = await stored_bots(distributed)
    assert posted_with(distributed) == {"U0BOB": {bots["T0SECOND"]}}
