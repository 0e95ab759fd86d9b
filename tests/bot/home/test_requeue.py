"""What a channel refused goes out once the cause is fixed: the bot's own
`member_joined_channel` event requeues that channel's items dead for a channel problem, and
the home tab shows an alert's undelivered notices with a Retry button."""

from __future__ import annotations

import json
import time

from bot.answers.alert_modal import EDIT_ALERT_ACTION
from bot.home import HOME_MUTE_1H_ACTION, HOME_REMOVE_ALERT_ACTION, HOME_RETRY_ACTION
from devtools.localslack.models import BOT_USER_ID
from devtools.localslack.signed import API_APP_ID, TEAM_ID, USER_ID
from storage import AlertRule, OutboxItem, Transaction
from tests.bot.alerts.conftest import NOW
from tests.bot.home.conftest import HomeBot, block, buttons, texts


def member_joined_body(user: str, channel: str, *, event_id: str) -> str:
    """The JSON body Slack POSTs when `user` joins `channel` (Events API callback)."""
    now = time.time()
    return json.dumps(
        {
            "team_id": TEAM_ID,
            "api_app_id": API_APP_ID,
            "event": {
                "type": "member_joined_channel",
                "user": user,
                "channel": channel,
                "channel_type": "C",
                "team": TEAM_ID,
                "inviter": USER_ID,
                "event_ts": f"{now:.6f}",
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(now),
            "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
        }
    )


def dead_item(home_bot: HomeBot, channel: str, reason: str, key: str) -> int:
    async def add(tx: Transaction) -> int:
        item = await tx.outbox.enqueue(
            TEAM_ID, kind="slack.post", target=channel, payload={}, dedupe_key=key
        )
        await tx.outbox.mark_dead(item.id, reason)
        return item.id

    return home_bot.bot.run(add)


def status(home_bot: HomeBot, item_id: int) -> str:
    async def get(tx: Transaction) -> OutboxItem | None:
        return await tx.outbox.get(item_id)

    found = home_bot.bot.run(get)
    assert found is not None
    return found.status


def test_the_bot_joining_a_channel_requeues_what_it_refused_there(home_bot: HomeBot) -> None:
    refused = dead_item(home_bot, "C0RANDOM", "not_in_channel", "a")
    broken = dead_item(home_bot, "C0RANDOM", "invalid_blocks", "b")  # a bug: not fixed by joining
    elsewhere = dead_item(home_bot, "C0GENERAL", "not_in_channel", "c")

    someone = home_bot.post_event(member_joined_body(USER_ID, "C0RANDOM", event_id="Ev1"))
    assert someone.status_code == 200
    joined = home_bot.post_event(member_joined_body(BOT_USER_ID, "C0RANDOM", event_id="Ev2"))
    assert joined.status_code == 200
    home_bot.slack.slack.wait_for(lambda: status(home_bot, refused) == "pending", timeout=10)
    assert status(home_bot, broken) == "dead"
    assert status(home_bot, elsewhere) == "dead"


def dead_alert(home_bot: HomeBot, rule: AlertRule, reason: str) -> int:
    """A notice of an episode of `rule` that died for `reason`."""

    async def add(tx: Transaction) -> int:
        episode = await tx.episodes.open(
            rule.team_id,
            rule.id,
            subject="datapoint:2027406",
            kind="spike",
            observed=1,
            expected=1,
            now=NOW,
        )
        item = await tx.outbox.enqueue(
            rule.team_id,
            kind="slack.post",
            target=rule.channel_id,
            payload={},
            dedupe_key=f"ep{episode.id}",
            episode_id=episode.id,
        )
        await tx.outbox.mark_dead(item.id, reason)
        return item.id

    return home_bot.bot.run(add)


def test_the_home_tab_shows_undelivered_notices_and_retries_them(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule(label="spring-sale")
    fine = home_bot.add_rule(label="newsletter")
    dead = dead_alert(home_bot, rule, "not_in_channel")

    view = home_bot.open()
    assert block(view, f"alert_{rule.id}")["text"]["text"].endswith(
        "\n⚠️ 1 notice not delivered: I'm not in the channel: invite me with `/invite @clickbot`"
    )
    assert list(buttons(view, f"alert_{rule.id}_actions")) == [
        HOME_MUTE_1H_ACTION,
        HOME_RETRY_ACTION,
        EDIT_ALERT_ACTION,
        HOME_REMOVE_ALERT_ACTION,
    ]
    assert HOME_RETRY_ACTION not in buttons(view, f"alert_{fine.id}_actions")

    after = home_bot.click(view, HOME_RETRY_ACTION, str(rule.id))
    assert f":repeat: Trying 1 notice of alert #{rule.id} again" in texts(after)
    assert status(home_bot, dead) == "pending"
    assert "not delivered" not in block(after, f"alert_{rule.id}")["text"]["text"]

    again = home_bot.click(after, HOME_RETRY_ACTION, str(rule.id))
    assert f"Nothing of alert #{rule.id} is waiting to be delivered" in texts(again)
