"""Who may change what, through `/clickmeter` (bot.permissions): every changing command is
refused to a plain member with one line saying who can, and done for an admin, a member of the
named group and (for their own rule) the rule's creator; asking is for everyone."""

from __future__ import annotations

from typing import Any

import pytest

from bot.permissions import UNVERIFIABLE
from tests.bot.alerts.conftest import AlertBot, shown
from tests.bot.permissions.conftest import ADMIN, GROUP, GROUPIE, MEMBER

ADD = "alert add link spring-sale-mobile spike to <#C0MARKETING|marketing>"
HOOK = "https://hooks.example.com/clickbot?token=s3cret"


def text(answer: dict[str, Any]) -> str:
    return str(answer["text"])


def setup(bot: AlertBot) -> None:
    """Alice names the group and makes alert #1, digest #1 and webhook #1."""
    assert "growth-leads" in text(bot.ask(f"admins {GROUP}", user=ADMIN))
    assert text(bot.ask(ADD, user=ADMIN)).startswith(":white_check_mark: Alert #1")
    assert "New digest" in text(bot.ask("digest add daily at 09:00 to <#C0MARKETING|m>"))
    assert "Webhook #1 added" in text(bot.ask(f"alert webhook add {HOOK}", user=ADMIN))


#: (command, the refusal a plain member gets)
CHANGES = [
    (ADD, "Only workspace admins and @growth-leads can add alerts."),
    (
        "alert remove 1",
        "Only workspace admins, @growth-leads and the alert's creator can remove alert #1.",
    ),
    (
        "alert mute 1 1h",
        "Only workspace admins, @growth-leads and the alert's creator can mute alert #1.",
    ),
    (
        "alert unmute 1",
        "Only workspace admins, @growth-leads and the alert's creator can unmute alert #1.",
    ),
    (
        "alert test 1",
        "Only workspace admins, @growth-leads and the alert's creator can test alert #1.",
    ),
    ("digest add daily at 10:00", "Only workspace admins and @growth-leads can add digests."),
    (
        "digest remove 1",
        "Only workspace admins, @growth-leads and the digest's creator can remove digest #1.",
    ),
    (f"alert webhook add {HOOK}2", "Only workspace admins and @growth-leads can add webhooks."),
    ("alert webhook list", "Only workspace admins and @growth-leads can see webhooks."),
    ("alert webhook remove 1", "Only workspace admins and @growth-leads can remove webhooks."),
    ("top ips", "Only workspace admins and @growth-leads can see visitors' IP addresses."),
]


@pytest.mark.parametrize(("command", "refusal"), CHANGES, ids=[c for c, _ in CHANGES])
def test_a_member_is_refused_in_one_line_and_nothing_changes(
    alert_bot: AlertBot, command: str, refusal: str
) -> None:
    setup(alert_bot)
    before = (alert_bot.rules(), alert_bot.webhooks())
    answer = alert_bot.ask(command, user=MEMBER)
    assert text(answer) == f":lock: {refusal}"
    assert len(answer["blocks"]) == 1  # one line, no traceback, no hint
    after = (alert_bot.rules(), alert_bot.webhooks())
    assert [(r.id, r.muted_until) for r in after[0]] == [(r.id, r.muted_until) for r in before[0]]
    assert [w.id for w in after[1]] == [w.id for w in before[1]]


@pytest.mark.parametrize("user", [ADMIN, GROUPIE])
@pytest.mark.parametrize(("command", "_"), CHANGES, ids=[c for c, _ in CHANGES])
def test_an_admin_and_a_group_member_are_allowed(
    alert_bot: AlertBot, command: str, _: str, user: str
) -> None:
    setup(alert_bot)
    answer = alert_bot.ask(command, user=user)
    assert not text(answer).startswith(":lock:"), text(answer)
    assert not text(answer).startswith(":warning:"), text(answer)


def test_the_creator_may_change_their_own_rule_only(alert_bot: AlertBot) -> None:
    alert_bot.ask(f"admins {GROUP}", user=ADMIN)
    alert_bot.ask(ADD, user=GROUPIE)  # Dana's rule #1, made while in the group
    alert_bot.ask(ADD.replace("spike", "drop"), user=ADMIN)  # Alice's #2
    alert_bot.ask("admins none", user=ADMIN)  # Dana is now a plain member

    assert text(alert_bot.ask("alert mute 1 1h", user=GROUPIE)).startswith(":no_bell: Alert #1")
    assert text(alert_bot.ask("alert remove 2", user=GROUPIE)) == (
        ":lock: Only workspace admins and the alert's creator can remove alert #2."
    )
    assert text(alert_bot.ask("alert remove 1", user=GROUPIE)).startswith(":wastebasket:")
    assert [r.id for r in alert_bot.rules()] == [2]


@pytest.mark.parametrize(
    "command",
    [
        "stats",
        "top countries",
        "links",
        "link spring-sale-mobile",
        "groups",
        "alert list",
        "digest list",
        "admins",
        "hits spring-sale-mobile",
    ],
)
def test_everyone_may_ask(alert_bot: AlertBot, command: str) -> None:
    answer = alert_bot.ask(command, user=MEMBER)
    assert not text(answer).startswith((":lock:", ":warning:")), text(answer)


def test_only_workspace_admins_name_or_clear_the_group(alert_bot: AlertBot) -> None:
    for user in (MEMBER, GROUPIE):
        for command in (f"admins {GROUP}", "admins none"):
            assert text(alert_bot.ask(command, user=user)) == (
                ":lock: Only workspace admins can change who may manage clickbot."
            )
    assert "No user group is named" in text(alert_bot.ask("admins", user=MEMBER))
    named = alert_bot.ask("admins @growth-leads", user=ADMIN)  # typed, not picked: by handle
    assert "Members of @growth-leads may now" in text(named)
    assert "@growth-leads" in text(alert_bot.ask("admins", user=MEMBER))
    assert "no user group @nobody" in text(alert_bot.ask("admins @nobody", user=ADMIN))
    assert "Cleared" in text(alert_bot.ask("admins none", user=ADMIN))
    assert "Only workspace admins can add alerts." in text(alert_bot.ask(ADD, user=GROUPIE))


def test_webhook_urls_are_masked_after_creation(alert_bot: AlertBot) -> None:
    alert_bot.ask(f"admins {GROUP}", user=ADMIN)
    added = alert_bot.ask(f"alert webhook add {HOOK}", user=ADMIN)
    assert HOOK in shown(added)  # the one answer that adds it shows it whole
    for command in ("alert webhook list", "alert webhook remove 1"):
        answer = shown(alert_bot.ask(command, user=GROUPIE))
        assert "https://hooks.example.com/…" in answer
        assert "s3cret" not in answer
        assert "/clickbot" not in answer


def test_slack_failing_to_say_who_is_admin_refuses_the_change(alert_bot: AlertBot) -> None:
    alert_bot.ask(ADD, user=ADMIN)
    alert_bot.slack.slack.inject("http_error", method="users.info", times=10)
    answer = alert_bot.ask("alert remove 1", user=MEMBER)
    assert text(answer) == UNVERIFIABLE
    assert len(alert_bot.rules()) == 1
    assert "top" not in text(answer)
    # Asking needs no look-up, so it still works.
    assert not text(alert_bot.ask("stats", user=MEMBER)).startswith(":warning:")


def test_slack_is_asked_once_a_minute_per_person(alert_bot: AlertBot) -> None:
    alert_bot.ask(ADD, user=ADMIN)
    for _ in range(3):
        alert_bot.ask("alert mute 1 1h", user=ADMIN)
    calls = [c for c in alert_bot.slack.slack.calls if c.method == "users.info"]
    assert len(calls) == 1
