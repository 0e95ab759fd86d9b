"""`/clickmeter alert add | list | remove | mute | unmute | test` over signed HTTP, stored in a
real SQLite database, every answer checked by the local Slack's Block Kit validation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from alerts.deliver import SlackPoster, deliver_once
from devtools.localslack import MockSlackServer
from storage import Database
from tests.alerts.deliver.helpers import slack_receivers
from tests.bot.alerts.conftest import NOW, OTHER_TEAM, AlertBot, serve, shown
from tests.conftest import Sandbox

MARKETING = "<#C0MARKETING|marketing>"


def test_add_a_link_spike_stores_the_rule_for_the_workspace_seeded(alert_bot: AlertBot) -> None:
    answer = alert_bot.ask(f"alert add link spring-sale-mobile spike to {MARKETING}")
    assert answer["response_type"] == "ephemeral"
    assert answer["text"].startswith(
        ":white_check_mark: Alert #1: spike (medium) on *spring-sale-mobile* → <#C0MARKETING>."
    )
    assert "`/clickmeter alert mute 1 1h`" in answer["text"]
    assert "works right away" in shown(answer)  # seeded from history
    assert not [b for b in answer["blocks"] if b["type"] == "actions"]  # nothing to share
    (rule,) = alert_bot.rules()
    assert (rule.team_id, rule.created_by, rule.channel_id) == (
        "T0CLICKBOT",
        "U0ALICE",
        "C0MARKETING",
    )
    assert (rule.scope_kind, rule.scope_ref, rule.scope_label) == (
        "link",
        "2027406",
        "spring-sale-mobile",
    )
    assert (rule.condition, rule.sensitivity, rule.threshold) == ("spike", "medium", None)
    assert set(rule.detector_state) == {"datapoint:2027406"}  # the engine's seeded state
    assert alert_bot.rules(OTHER_TEAM) == []


def test_add_without_to_goes_to_the_channel_typed_in(alert_bot: AlertBot) -> None:
    answer = alert_bot.ask('alert add group "Spring Sale" clicks > 100 per 1h', channel="C0RANDOM")
    assert "clicks > 100 per 1h on *group Spring Sale* → <#C0RANDOM>" in answer["text"]
    (rule,) = alert_bot.rules()
    assert (rule.scope_kind, rule.scope_ref, rule.channel_id) == ("group", "189600", "C0RANDOM")
    assert (rule.condition, rule.threshold, rule.window_seconds) == ("threshold", 100, 3600)


def test_add_for_a_tag_and_for_the_account(alert_bot: AlertBot) -> None:
    tagged = alert_bot.ask("alert add tag EMAIL drop high")
    assert "drop (high) on *links tagged EMAIL*" in tagged["text"]
    assert "links tagged `EMAIL`" in shown(tagged)
    account = alert_bot.ask("alert add account spike low")
    assert "spike (low) on *the account*" in account["text"]
    assert [(r.scope_kind, r.scope_ref) for r in alert_bot.rules()] == [
        ("tag", "EMAIL"),
        ("account", "account"),
    ]


def test_what_cannot_be_watched_is_refused_and_nothing_is_stored(alert_bot: AlertBot) -> None:
    unknown_tag = alert_bot.ask("alert add tag emial spike")
    assert "No link is tagged `emial`" in unknown_tag["text"]
    assert "`email`" in unknown_tag["text"]  # the closest tag
    deleted = alert_bot.ask("alert add link adwords-bundle spike")
    assert "is deleted" in deleted["text"]
    pixel = alert_bot.ask("alert add link launch-starter spike")
    assert "tracking pixel" in pixel["text"]
    unknown_link = alert_bot.ask("alert add link no-such-link-anywhere spike")
    assert "no link named" in unknown_link["text"]
    in_a_dm = alert_bot.ask("alert add account spike", channel="D0ALICE")
    assert "Add `to #channel`" in shown(in_a_dm)
    assert alert_bot.rules() == []


def test_the_same_rule_twice_is_not_stored_twice(alert_bot: AlertBot) -> None:
    alert_bot.ask("alert add account clicks > 50 per 15m")
    again = alert_bot.ask("alert add account clicks>50/15m")
    assert "already does exactly that" in again["text"]
    assert len(alert_bot.rules()) == 1


def test_list_shows_each_rule_with_its_state_for_this_workspace_only(alert_bot: AlertBot) -> None:
    empty = alert_bot.ask("alert list")
    assert "No alerts in this workspace yet" in empty["text"]
    alert_bot.ask(f"alert add link spring-sale-mobile spike to {MARKETING}")
    alert_bot.ask("alert add group Blog drop")
    alert_bot.ask("alert mute 1 2h")
    listed = alert_bot.ask("alert list")
    text = shown(listed)
    assert "Alerts · 2 in this workspace" in text
    assert (
        "• *#1* spike (medium) on *spring-sale-mobile* → <#C0MARKETING> · 🔕 muted until 16:30 CET"
        in text
    )
    assert "• *#2* drop (medium) on *group Blog* → <#C0GENERAL> · 🟢 ok" in text
    assert listed["text"] == "2 alerts, 0 firing"
    other = alert_bot.ask("alert list", team=OTHER_TEAM)
    assert "No alerts in this workspace yet" in other["text"]


def test_list_shows_a_firing_rule(alert_bot: AlertBot) -> None:
    alert_bot.ask("alert add account spike")

    async def fire(tx: Any) -> None:
        await tx.episodes.open(
            "T0CLICKBOT",
            1,
            subject="account",
            kind="spike",
            observed=90,
            expected=9,
            now=NOW - timedelta(minutes=20),
        )

    alert_bot.run(fire)
    listed = alert_bot.ask("alert list")
    assert "🔴 firing since 14:10 CET" in shown(listed)
    assert listed["text"] == "1 alert, 1 firing"


def test_remove_is_scoped_by_workspace(alert_bot: AlertBot) -> None:
    alert_bot.ask("alert add account spike")
    theirs = alert_bot.ask("alert remove 1", team=OTHER_TEAM)
    assert theirs["text"] == ":mag: There's no alert #1 in this workspace."
    assert len(alert_bot.rules()) == 1
    removed = alert_bot.ask("alert remove #1")
    assert removed["text"].startswith(
        ":wastebasket: Removed alert #1: spike (medium) on *the account*"
    )
    assert alert_bot.rules() == []
    assert alert_bot.rule(1).removed_at is not None  # kept, with its history
    again = alert_bot.ask("alert remove 1")
    assert again["text"] == ":mag: There's no alert #1 in this workspace."
    assert "alert list" in shown(again)


def test_mute_and_unmute(alert_bot: AlertBot) -> None:
    alert_bot.ask("alert add account spike")
    muted = alert_bot.ask("alert mute 1 2h")
    assert muted["text"] == (
        ":no_bell: Alert #1 is muted until 16:30 CET: "
        "spike (medium) on *the account* → <#C0GENERAL>."
    )
    assert alert_bot.rule(1).muted_until == NOW + timedelta(hours=2)
    long = alert_bot.ask("alert mute 1 1d")
    assert "until Mar 19 14:30 CET" in long["text"]
    assert "no alert #1" in alert_bot.ask("alert mute 1 1h", team=OTHER_TEAM)["text"]
    assert "no alert #1" in alert_bot.ask("alert unmute 1", team=OTHER_TEAM)["text"]
    assert alert_bot.rule(1).muted_until == NOW + timedelta(days=1)
    on = alert_bot.ask("alert unmute 1")
    assert on["text"].startswith(
        ":bell: Alert #1: spike (medium) on *the account* → <#C0GENERAL> is on again."
    )
    assert alert_bot.rule(1).muted_until is None
    assert "wasn't muted" in alert_bot.ask("alert unmute 1")["text"]
    assert "no alert #7" in alert_bot.ask("alert mute 7 1h")["text"]


def test_test_queues_a_sample_that_the_sender_posts_like_a_real_alert(alert_bot: AlertBot) -> None:
    alert_bot.ask(f"alert add link spring-sale-mobile clicks > 10 per 15m to {MARKETING}")
    assert "no alert #1" in alert_bot.ask("alert test 1", team=OTHER_TEAM)["text"]
    sent = alert_bot.ask("alert test 1")
    assert sent["text"] == (
        ":test_tube: A sample of alert #1 (clicks > 10 per 15m on *spring-sale-mobile*) "
        "is on its way to <#C0MARKETING>."
    )
    (item,) = alert_bot.outbox()
    assert (item.team_id, item.kind, item.target, item.status) == (
        "T0CLICKBOT",
        "slack.post",
        "C0MARKETING",
        "pending",
    )
    assert item.payload["channel"] == "C0MARKETING"
    notice = item.payload["notice"]
    assert (notice["kind"], notice["rule_id"], notice["link_id"]) == ("test", 1, 2027406)
    assert notice["timezone"] == "Europe/Berlin"
    again = alert_bot.ask("alert test 1")
    assert "a moment ago" in again["text"]
    assert len(alert_bot.outbox()) == 1  # one sample per rule per half minute

    # The worker's sender delivers it to the channel: Slack accepts its blocks.
    async def deliver() -> None:
        async with Database(alert_bot.database_url) as db:
            receivers = slack_receivers(
                SlackPoster(alert_bot.slack.token, base_url=alert_bot.slack.api_url)
            )
            report = await deliver_once(db, receivers)
            assert report.claimed == 1

    asyncio.run(deliver())
    posted = alert_bot.slack.slack.last_message("C0MARKETING")
    assert posted is not None
    assert "This is a test of rule #1 on spring-sale-mobile" in posted.text


def test_test_also_goes_to_the_webhooks(alert_bot: AlertBot) -> None:
    alert_bot.ask("alert add account spike")
    alert_bot.ask("alert webhook add https://hooks.example.com/clickbot")
    sent = alert_bot.ask("alert test 1")
    assert "(and to 1 webhook)" in sent["text"]
    kinds = sorted((i.kind, i.target) for i in alert_bot.outbox())
    assert kinds == [("slack.post", "C0GENERAL"), ("webhook", "1")]


def test_bad_ids_and_no_database(alert_bot: AlertBot, bot_without_db: AlertBot) -> None:
    for text in ("alert remove 999", "alert mute 999 1h", "alert unmute 999", "alert test 999"):
        assert alert_bot.ask(text)["text"] == ":mag: There's no alert #999 in this workspace."
    for text in ("alert list", "alert add account spike", "alert webhook list"):
        answer = bot_without_db.ask(text)
        assert "Alerts aren't set up on this clickbot: it has no database." in answer["text"]
        assert "DATABASE_URL" in shown(answer)


def test_a_rule_is_stored_even_when_its_history_cannot_be_read(
    make_sandbox: Callable[..., Sandbox], mock_slack: MockSlackServer, database_url: str
) -> None:
    sandbox = make_sandbox(datapoints=10)
    with serve(sandbox, mock_slack, database_url) as (driver, _):
        alert_bot = AlertBot(driver, database_url)
        sandbox.control("faults", {"revoked": True})  # ClickMeter refuses every request
        answer = alert_bot.ask("alert add account spike")
        assert answer["text"].startswith(":white_check_mark: Alert #1: spike (medium)")
        assert "learns from the next cycles" in shown(answer)
        (rule,) = alert_bot.rules()
        assert rule.detector_state == {}  # the poller seeds it, or it learns live
        muted = alert_bot.ask("alert mute 1 1h")  # the account's zone is unknown: UTC
        assert "is muted until 14:30 UTC" in muted["text"]
