"""The same policy on buttons: the Mute 1h / 1d buttons of an alert post and the App Home
tab's Mute 1h, Unmute, Remove, Retry and Remove digest. A plain member is told who can and
nothing changes; an admin, a member of the named group and the rule's creator are obeyed."""

from __future__ import annotations

import pytest

from alerts.messages import MUTE_1D_ACTION, MUTE_1H_ACTION
from bot.home import (
    HOME_MUTE_1H_ACTION,
    HOME_REMOVE_ALERT_ACTION,
    HOME_REMOVE_DIGEST_ACTION,
    HOME_RETRY_ACTION,
    HOME_UNMUTE_ACTION,
)
from bot.permissions import UNVERIFIABLE
from tests.bot.alerts.test_buttons import buttons as post_buttons
from tests.bot.home.conftest import HomeBot, texts
from tests.bot.permissions.conftest import ADMIN, GROUP, GROUPIE, MEMBER

WHO = "Only workspace admins, @growth-leads and the alert's creator can"


@pytest.mark.parametrize("action", [MUTE_1H_ACTION, MUTE_1D_ACTION])
def test_alert_post_mute_buttons(home_bot: HomeBot, action: str) -> None:
    bot = home_bot.bot
    bot.ask(f"admins {GROUP}", user=ADMIN)
    rule = home_bot.add_rule(by=ADMIN)
    value = post_buttons(rule.id, 2027406)[action]

    refused = bot.click(action, value, user=MEMBER)
    assert refused["text"] == f":lock: {WHO} mute alert #{rule.id}."
    assert bot.rule(rule.id).muted_until is None

    for user in (GROUPIE, ADMIN):
        assert bot.click(action, value, user=user)["text"].startswith(":no_bell:")
    assert bot.rule(rule.id).muted_until is not None


def test_alert_post_mute_button_by_the_creator(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule(by=MEMBER)
    answer = home_bot.bot.click(
        MUTE_1H_ACTION, post_buttons(rule.id, 2027406)[MUTE_1H_ACTION], user=MEMBER
    )
    assert answer["text"].startswith(f":no_bell: Alert #{rule.id} muted")


ALERT_BUTTONS = [
    (HOME_MUTE_1H_ACTION, "mute"),
    (HOME_UNMUTE_ACTION, "unmute"),
    (HOME_RETRY_ACTION, "retry"),
    (HOME_REMOVE_ALERT_ACTION, "remove"),
]


@pytest.mark.parametrize(("action", "verb"), ALERT_BUTTONS)
def test_home_alert_buttons(home_bot: HomeBot, action: str, verb: str) -> None:
    home_bot.bot.ask(f"admins {GROUP}", user=ADMIN)
    rule = home_bot.add_rule(by=ADMIN)
    view = home_bot.open(user=MEMBER)
    refused = home_bot.click(view, action, str(rule.id), user=MEMBER)
    assert f":lock: {WHO} {verb} alert #{rule.id}." in texts(refused)
    after = home_bot.bot.rule(rule.id)
    assert (after.muted_until, after.removed_at) == (None, None)

    view = home_bot.open(user=GROUPIE)
    done = home_bot.click(view, action, str(rule.id), user=GROUPIE)
    assert ":lock:" not in texts(done)
    if verb in ("mute", "remove"):
        after = home_bot.bot.rule(rule.id)
        assert (after.muted_until if verb == "mute" else after.removed_at) is not None


def test_home_remove_digest(home_bot: HomeBot) -> None:
    digest = home_bot.add_digest()  # made by the default user, Alice
    view = home_bot.open(user=MEMBER)
    refused = home_bot.click(view, HOME_REMOVE_DIGEST_ACTION, str(digest.id), user=MEMBER)
    assert (
        f":lock: Only workspace admins and the digest's creator can remove digest #{digest.id}."
        in texts(refused)
    )
    assert home_bot.digest(digest.id).removed_at is None
    view = home_bot.open(user=ADMIN)
    home_bot.click(view, HOME_REMOVE_DIGEST_ACTION, str(digest.id), user=ADMIN)
    assert home_bot.digest(digest.id).removed_at is not None


def test_home_button_when_slack_cannot_say(home_bot: HomeBot) -> None:
    rule = home_bot.add_rule(by=ADMIN)
    home_bot.slack.slack.inject("http_error", method="users.info", times=10)
    view = home_bot.open(user=MEMBER)
    assert f"alert_{rule.id}_actions" not in block_ids(view)  # not known to be allowed
    refused = home_bot.click(view, HOME_REMOVE_ALERT_ACTION, str(rule.id), user=MEMBER)
    assert UNVERIFIABLE in texts(refused)
    assert home_bot.bot.rule(rule.id).removed_at is None


def block_ids(view: dict[str, object]) -> set[str]:
    blocks = view["blocks"]
    assert isinstance(blocks, list)
    return {str(block.get("block_id")) for block in blocks}


def test_home_offers_buttons_only_where_they_work(home_bot: HomeBot) -> None:
    home_bot.bot.ask(f"admins {GROUP}", user=ADMIN)
    theirs = home_bot.add_rule(by=ADMIN)
    mine = home_bot.add_rule(by=MEMBER)
    digest = home_bot.add_digest()  # made by Alice

    seen_by_member = home_bot.open(user=MEMBER)
    ids = block_ids(seen_by_member)
    assert {f"alert_{theirs.id}", f"alert_{mine.id}", f"digest_{digest.id}"} <= ids
    assert f"alert_{mine.id}_actions" in ids
    assert f"alert_{theirs.id}_actions" not in ids
    assert f"digest_{digest.id}_actions" not in ids
    assert (
        ":lock: You can change the alerts and digests you made; workspace admins and "
        "@growth-leads can change any." in texts(seen_by_member)
    )

    for user in (ADMIN, GROUPIE):
        seen = home_bot.open(user=user)
        ids = block_ids(seen)
        assert {f"alert_{theirs.id}_actions", f"alert_{mine.id}_actions"} <= ids
        assert f"digest_{digest.id}_actions" in ids
        assert ":lock:" not in texts(seen)
