"""The App Home tab over real signed HTTP: opening it publishes the workspace's alerts and
digests with their state (the local Slack validates the view); its buttons change the database
for the clicker's workspace only and publish the tab again."""

from __future__ import annotations

import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from bot.answers.alert_modal import EDIT_ALERT_ACTION
from bot.home import (
    CALLBACK_ID,
    HOME_MUTE_1H_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_UNMUTE_ACTION,
)
from storage import Transaction
from tests.bot.alerts.conftest import NOW, OTHER_TEAM
from tests.bot.home.conftest import HomeBot, app_home_opened_body, block, buttons, texts


def test_opening_the_tab_shows_alerts_and_digests_with_their_state(home_bot: HomeBot) -> None:
    ok = home_bot.add_rule(label="spring-sale")
    firing = home_bot.add_rule(label="newsletter", channel="C0GENERAL")
    muted = home_bot.add_rule(label="black-friday")
    home_bot.bot.run(lambda tx: tx.rules.mute(muted.team_id, muted.id, NOW + timedelta(hours=2)))
    home_bot.fire(firing, NOW - timedelta(minutes=30))
    home_bot.add_rule(OTHER_TEAM, label="someone-elses")
    # 09:00 in New York (EDT) is 14:00 CET: today's is gone by 14:30 CET, so tomorrow's.
    computed = home_bot.add_digest(zone="America/New_York")
    stored = home_bot.add_digest(at="18:00", next_run_at=NOW + timedelta(hours=3, minutes=30))

    view = home_bot.open()

    assert view["type"] == "home"
    assert view["callback_id"] == CALLBACK_ID
    shown = texts(view)
    assert "someone-elses" not in shown
    assert "*🔔 Alerts* · 3 alerts · 1 firing · 1 muted" in shown
    # Firing first, then by id.
    rows = [b["block_id"] for b in view["blocks"] if b.get("block_id", "").startswith("alert_")]
    assert rows[::2] == [f"alert_{firing.id}", f"alert_{ok.id}", f"alert_{muted.id}"]
    assert block(view, f"alert_{firing.id}")["text"]["text"] == (
        f"*#{firing.id}* spike (medium) on *newsletter* → <#C0GENERAL>\n🔴 firing since 14:00 CET"
    )
    assert block(view, f"alert_{ok.id}")["text"]["text"].endswith("\n🟢 ok")
    assert block(view, f"alert_{muted.id}")["text"]["text"].endswith("\n🔕 muted until 16:30 CET")

    firing_buttons = buttons(view, f"alert_{firing.id}_actions")
    assert set(firing_buttons) == {HOME_MUTE_1H_ACTION, EDIT_ALERT_ACTION, HOME_REMOVE_ALERT_ACTION}
    assert firing_buttons[HOME_MUTE_1H_ACTION]["style"] == "primary"
    assert set(buttons(view, f"alert_{muted.id}_actions")) == {
        HOME_UNMUTE_ACTION,
        EDIT_ALERT_ACTION,
        HOME_REMOVE_ALERT_ACTION,
    }
    remove = firing_buttons[HOME_REMOVE_ALERT_ACTION]
    assert remove["style"] == "danger"
    assert remove["confirm"]["title"]["text"] == f"Remove alert #{firing.id}?"
    assert (
        remove["confirm"]["text"]["text"] == "spike (medium) on newsletter. It won't alert again."
    )
    assert remove["confirm"]["style"] == "danger"
    assert remove["value"] == str(firing.id)

    assert "*🌅 Digests* · 2 digests" in shown
    first = block(view, f"digest_{computed.id}")["text"]["text"]
    assert "daily at 09:00 America/New_York to <#C0MARKETING>" in first
    assert first.endswith("\nNext: Mar 19 14:00 CET")
    assert block(view, f"digest_{stored.id}")["text"]["text"].endswith("\nNext: 18:00 CET")
    digest_remove = buttons(view, f"digest_{stored.id}_actions")[HOME_REMOVE_DIGEST_ACTION]
    assert "confirm" in digest_remove
    assert "Updated 14:30 CET · times in Europe/Berlin" in texts(view)


def test_an_empty_workspace_is_taught_the_commands(home_bot: HomeBot) -> None:
    home_bot.add_rule(OTHER_TEAM)
    view = home_bot.open()
    shown = texts(view)
    assert "No alerts in this workspace yet" in shown
    assert "/clickmeter alert add link spring-sale spike" in shown
    assert "No digests yet" in shown
    assert "/clickmeter digest add daily at 09:00" in shown
    # No row to act on; only the way to make one (the viewer, Alice, is an admin).
    actions = [b["block_id"] for b in view["blocks"] if b["type"] == "actions"]
    assert actions == ["home_new"]


def test_mute_unmute_and_remove_change_the_rule_and_publish_again(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule(by="U0BOB")  # Bob's own rule: he may change it
    view = home_bot.open(user="U0BOB")

    muted = home_bot.click(view, HOME_MUTE_1H_ACTION, str(rule.id), user="U0BOB")
    assert home_bot.bot.rule(rule.id).muted_until == NOW + timedelta(hours=1)
    assert f"Alert #{rule.id} muted until 15:30 CET" in texts(muted)
    assert "🔕 muted until 15:30 CET" in block(muted, f"alert_{rule.id}")["text"]["text"]
    assert HOME_UNMUTE_ACTION in buttons(muted, f"alert_{rule.id}_actions")
    assert home_bot.published("U0ALICE") is None  # only the clicker's tab is published

    unmuted = home_bot.click(muted, HOME_UNMUTE_ACTION, str(rule.id), user="U0BOB")
    assert home_bot.bot.rule(rule.id).muted_until is None
    assert f"Alert #{rule.id} is on again" in texts(unmuted)
    assert block(unmuted, f"alert_{rule.id}")["text"]["text"].endswith("🟢 ok")

    removed = home_bot.click(unmuted, HOME_REMOVE_ALERT_ACTION, str(rule.id), user="U0BOB")
    assert home_bot.bot.rule(rule.id).removed_at is not None
    assert f"Removed alert #{rule.id}" in texts(removed)
    assert "No alerts in this workspace yet" in texts(removed)

    again = home_bot.click(removed, HOME_MUTE_1H_ACTION, str(rule.id), user="U0BOB")
    assert f"Alert #{rule.id} no longer exists in this workspace" in texts(again)


def test_a_longer_mute_is_kept(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule()
    until = NOW + timedelta(days=1)
    home_bot.bot.run(lambda tx: tx.rules.mute(rule.team_id, rule.id, until))
    view = home_bot.click(home_bot.open(), HOME_MUTE_1H_ACTION, str(rule.id))
    assert "already muted until Mar 19 14:30 CET" in texts(view)
    assert home_bot.bot.rule(rule.id).muted_until == until


def test_remove_a_digest(home_bot: HomeBot) -> None:
    digest = home_bot.add_digest()
    view = home_bot.open()
    removed = home_bot.click(view, HOME_REMOVE_DIGEST_ACTION, str(digest.id))
    assert home_bot.digest(digest.id).removed_at is not None
    assert f"Removed digest #{digest.id} (daily at 09:00 Europe/Rome" in texts(removed)
    assert "No digests yet" in texts(removed)


def test_another_workspace_cannot_touch_a_rule_or_digest(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule()
    digest = home_bot.add_digest()
    theirs = home_bot.open(user="U0BOB", team=OTHER_TEAM)
    assert "No alerts in this workspace yet" in texts(theirs)

    for action in (HOME_MUTE_1H_ACTION, HOME_REMOVE_ALERT_ACTION):
        view = home_bot.click(theirs, action, str(rule.id), user="U0BOB", team=OTHER_TEAM)
        assert f"Alert #{rule.id} no longer exists in this workspace" in texts(view)
    view = home_bot.click(
        theirs, HOME_REMOVE_DIGEST_ACTION, str(digest.id), user="U0BOB", team=OTHER_TEAM
    )
    assert f"Digest #{digest.id} no longer exists" in texts(view)

    stored = home_bot.bot.rule(rule.id)
    assert stored.muted_until is None
    assert stored.removed_at is None
    assert home_bot.digest(digest.id).removed_at is None


def test_a_button_without_an_id_says_so(home_bot: HomeBot) -> None:
    view = home_bot.click(home_bot.open(), HOME_REMOVE_ALERT_ACTION, "not an id")
    assert "That button didn't say what to change" in texts(view)


def test_many_rules_and_digests_stay_within_the_view_limit(home_bot: HomeBot) -> None:
    async def fill(tx: Transaction) -> None:
        for index in range(120):
            await tx.rules.add(
                "T0CLICKBOT",
                created_by="U0ALICE",
                channel_id="C0MARKETING",
                scope_kind="tag",
                scope_ref=f"tag-{index}",
                scope_label=f"links tagged campaign-{index}-" + "x" * 60,
                condition="threshold",
                threshold=100 + index,
                window_seconds=3600,
            )
        for index in range(20):
            await tx.digests.add(
                "T0CLICKBOT",
                created_by="U0ALICE",
                channel_id="C0MARKETING",
                at_time=f"{index:02d}:15",
                timezone="Europe/Rome",
                now=NOW,
            )

    home_bot.bot.run(fill)
    view = home_bot.open()  # published: the local Slack accepted it (<= 100 blocks, limits)
    assert len(view["blocks"]) <= 100
    shown = texts(view)
    assert "*🔔 Alerts* · 120 alerts" in shown
    assert "more, see `/clickmeter alert list`" in shown
    assert "*🌅 Digests* · 20 digests" in shown
    assert "more, see `/clickmeter digest list`" in shown


def test_without_a_database_the_tab_explains(home_bot_without_db: HomeBot) -> None:
    view = home_bot_without_db.open()
    shown = texts(view)
    assert "Alerts and digests aren't set up on this clickbot" in shown
    assert "DATABASE_URL" in shown
    clicked = home_bot_without_db.click(view, HOME_MUTE_1H_ACTION, "1")
    assert "aren't set up" in texts(clicked)


def test_the_messages_tab_and_forged_events_publish_nothing(home_bot: HomeBot) -> None:
    messages = home_bot.post_event(app_home_opened_body(tab="messages", event_id="Ev0MSG"))
    assert messages.status_code == 200
    forged = home_bot.post_event(app_home_opened_body(), wrong_signature=True)
    assert forged.status_code == 401
    stale = home_bot.post_event(app_home_opened_body(), stale=True)
    assert stale.status_code == 401
    time.sleep(0.2)  # lazy listeners would have run by now
    assert home_bot.slack.slack.calls_to("views.publish") == []
    home_bot.open()
    assert len(home_bot.slack.slack.calls_to("views.publish")) == 1


def test_the_tab_opens_while_another_writer_holds_the_database(
    home_bot: HomeBot, tmp_path: Path
) -> None:
    # Found by tests/fuzz: the tab was read in a write transaction (BEGIN IMMEDIATE), so on
    # SQLite it queued behind every writer and, past the busy timeout, showed "couldn't reach
    # the alert database" with an ERROR and a traceback. It only reads: it takes no lock now.
    home_bot.add_rule(label="spring-sale")
    writer = sqlite3.connect(tmp_path / "clickbot.sqlite3", isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # another process's write transaction, held open
        view = home_bot.open(timeout=5)
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert "spring-sale" in texts(view)
    assert "couldn't reach the alert database" not in texts(view)
