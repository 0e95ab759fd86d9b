"""manifest.yml matches what the app registers, so one paste creates a working Slack app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.answers.alert_modal import NEW_ALERT_SHORTCUT
from bot.listeners.commands import COMMAND
from bot.listeners.events import BOT_EVENTS, INSTALL_EVENTS
from bot.listeners.views.link_stats import LINK_STATS_SHORTCUT

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text())
    return loaded


def test_the_slash_command_is_declared_with_escaping() -> None:
    (command,) = manifest()["features"]["slash_commands"]
    assert command["command"] == COMMAND
    assert command["should_escape"] is True  # the parser reads <#C…|name> and <@U…>


def test_socket_mode_and_interactivity_are_on() -> None:
    settings = manifest()["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True


def test_scopes_are_the_ones_used() -> None:
    # commands: /clickmeter; chat:write: alert posts and their edits; channels/groups:history:
    # the sender's look-up of a post before re-sending it; im:write: telling a rule's creator
    # that its channel refuses alerts; users:read and usergroups:read: who may change what;
    # app_mentions:read and im:history: questions in plain words.
    assert manifest()["oauth_config"]["scopes"]["bot"] == [
        "commands",
        "chat:write",
        "channels:history",
        "groups:history",
        "im:write",
        "files:write",
        "channels:read",
        "groups:read",
        "users:read",
        "usergroups:read",
        "app_mentions:read",
        "im:history",
        "links:read",
        "links:write",
    ]


def test_the_usage_hint_mentions_alerts() -> None:
    (command,) = manifest()["features"]["slash_commands"]
    assert "alert" in command["usage_hint"]


def test_the_home_tab_is_on_and_its_event_subscribed() -> None:
    data = manifest()
    home = data["features"]["app_home"]
    assert home["home_tab_enabled"] is True
    assert home["messages_tab_enabled"] is True  # questions in plain words, by DM
    assert home["messages_tab_read_only_enabled"] is False
    bot_events = data["settings"]["event_subscriptions"]["bot_events"]
    assert bot_events == list(BOT_EVENTS + INSTALL_EVENTS)
    assert BOT_EVENTS == (
        "app_home_opened",
        "member_joined_channel",
        "app_mention",
        "message.im",
        "link_shared",
    )


def test_questions_in_words_have_their_scopes() -> None:
    scopes = manifest()["oauth_config"]["scopes"]["bot"]
    assert {"app_mentions:read", "im:history", "chat:write"} <= set(scopes)


def test_unfurls_have_their_scopes_event_and_domains() -> None:
    data = manifest()
    assert {"links:read", "links:write"} <= set(data["oauth_config"]["scopes"]["bot"])
    assert "link_shared" in data["settings"]["event_subscriptions"]["bot_events"]
    assert data["features"]["unfurl_domains"] == ["s87.eu"]  # the sandbox's tracking domain


def test_the_shortcuts_are_declared_as_the_app_listens_for_them() -> None:
    new_alert, link_stats = manifest()["features"]["shortcuts"]
    assert (new_alert["type"], new_alert["callback_id"]) == ("global", NEW_ALERT_SHORTCUT)
    assert new_alert["name"] == "New ClickMeter alert"
    assert (link_stats["type"], link_stats["callback_id"]) == ("message", LINK_STATS_SHORTCUT)
    assert link_stats["name"] == "ClickMeter stats for links in this message"
    for shortcut in (new_alert, link_stats):
        assert len(shortcut["description"]) <= 80  # Slack's limit
