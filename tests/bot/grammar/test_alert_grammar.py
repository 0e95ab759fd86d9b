"""`alert ...`: every action, the condition and duration phrasings, and the errors people get."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from bot.grammar import (
    ALERT_ACTIONS,
    SUBCOMMANDS,
    WEBHOOK_ACTIONS,
    AccountScope,
    AlertAdd,
    AlertList,
    AlertMute,
    AlertRemove,
    AlertTest,
    AlertUnmute,
    ChannelRef,
    Command,
    CommandError,
    Drop,
    GroupScope,
    Help,
    LinkScope,
    NameRef,
    Spike,
    TagScope,
    Threshold,
    WebhookAdd,
    WebhookList,
    WebhookRemove,
    parse,
)

ACCOUNT = AccountScope()
HOUR = 3600


def error_of(text: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        parse(text)
    return caught.value


# --- alert add ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alert add account clicks > 100 per 15m", AlertAdd(ACCOUNT, Threshold(100, 900))),
        # Slack escapes what users type: `>` arrives as `&gt;`.
        ("alert add account clicks &gt; 100 per 1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks&gt;100 per 1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks &gt;100 per 1d", AlertAdd(ACCOUNT, Threshold(100, 86400))),
        ("alert add account &gt; 100 per 1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account &gt;100/1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks&gt;100/1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks &gt; 100 / 1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account above 100 per hour", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks above 100 per day", AlertAdd(ACCOUNT, Threshold(100, 86400))),
        ("alert add account clicks over 100 per 15min", AlertAdd(ACCOUNT, Threshold(100, 900))),
        ("alert add account clicks &gt; 100 per 15 min", AlertAdd(ACCOUNT, Threshold(100, 900))),
        ("alert add account clicks &gt; 100 per 60m", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks &gt; 100 per 1hour", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks &gt; 100 per 24h", AlertAdd(ACCOUNT, Threshold(100, 86400))),
        (
            "alert add account clicks &gt; 100 clicks per 1h",
            AlertAdd(ACCOUNT, Threshold(100, HOUR)),
        ),
        ("alert add account clicks 100 per 1h", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account clicks &gt; 1 per 1h", AlertAdd(ACCOUNT, Threshold(1, HOUR))),
        (
            "alert add account clicks &gt; 10,000,000 per 1d",
            AlertAdd(ACCOUNT, Threshold(10_000_000, 86400)),
        ),
        ("alert add account clicks &gt; 5,000 per 1h", AlertAdd(ACCOUNT, Threshold(5000, HOUR))),
        ("ALERT ADD ACCOUNT CLICKS &gt; 100 PER 1H", AlertAdd(ACCOUNT, Threshold(100, HOUR))),
        ("alert add account spike", AlertAdd(ACCOUNT, Spike())),
        ("alert add account spike low", AlertAdd(ACCOUNT, Spike("low"))),
        ("alert add account spike medium", AlertAdd(ACCOUNT, Spike("medium"))),
        ("alert add account spike HIGH", AlertAdd(ACCOUNT, Spike("high"))),
        ("alert add account drop", AlertAdd(ACCOUNT, Drop())),
        ("alert add account drop high", AlertAdd(ACCOUNT, Drop("high"))),
        (
            "alert add link spring-sale clicks &gt; 100 per 1h",
            AlertAdd(LinkScope(NameRef("spring-sale")), Threshold(100, HOUR)),
        ),
        ("alert add link 2027499 spike", AlertAdd(LinkScope(NameRef("2027499")), Spike())),
        (
            'alert add link "spring sale" drop',
            AlertAdd(LinkScope(NameRef("spring sale", quoted=True)), Drop()),
        ),
        # A name that is also a condition word is a name after `link`.
        ("alert add link spike spike", AlertAdd(LinkScope(NameRef("spike")), Spike())),
        ('alert add link "clicks" drop', AlertAdd(LinkScope(NameRef("clicks", True)), Drop())),
        (
            "alert add group newsletters spike high",
            AlertAdd(GroupScope(NameRef("newsletters")), Spike("high")),
        ),
        ("alert add tag email drop", AlertAdd(TagScope("email"), Drop())),
        ('alert add tag "paid social" spike', AlertAdd(TagScope("paid social"), Spike())),
        # Clauses in any order.
        ("alert add spike account", AlertAdd(ACCOUNT, Spike())),
        ("alert add drop low link 42", AlertAdd(LinkScope(NameRef("42")), Drop("low"))),
        (
            "alert add clicks &gt; 100 per 1h group 7",
            AlertAdd(GroupScope(NameRef("7")), Threshold(100, HOUR)),
        ),
        # Channels: a Slack mention, anywhere.
        (
            "alert add account spike to <#C123ABC|growth>",
            AlertAdd(ACCOUNT, Spike(), ChannelRef("C123ABC", "growth")),
        ),
        (
            "alert add to <#C123ABC|growth> link x drop",
            AlertAdd(LinkScope(NameRef("x")), Drop(), ChannelRef("C123ABC", "growth")),
        ),
        (
            "alert add account clicks&gt;100/1h to <#G42>",
            AlertAdd(ACCOUNT, Threshold(100, HOUR), ChannelRef("G42")),
        ),
        (
            "alert add account spike high TO <#C1|x>",
            AlertAdd(ACCOUNT, Spike("high"), ChannelRef("C1", "x")),
        ),
        ("/clickmeter alert add account spike", AlertAdd(ACCOUNT, Spike())),
        ("alert\tadd\naccount\u00a0spike", AlertAdd(ACCOUNT, Spike())),
    ],
)
def test_alert_add(text: str, expected: Command) -> None:
    assert parse(text) == expected


def test_without_to_the_handler_picks_the_channel() -> None:
    command = parse("alert add account spike")
    assert isinstance(command, AlertAdd)
    assert command.channel is None


# --- the other actions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("alert list", AlertList()),
        ("ALERT LIST", AlertList()),
        ("alert remove 12", AlertRemove(12)),
        ("alert remove #12", AlertRemove(12)),
        ("alert unmute 3", AlertUnmute(3)),
        ("alert unmute #3", AlertUnmute(3)),
        ("alert test 7", AlertTest(7)),
        ("alert mute 12 30m", AlertMute(12, timedelta(minutes=30))),
        ("alert mute 12 2h", AlertMute(12, timedelta(hours=2))),
        ("alert mute 12 1d", AlertMute(12, timedelta(days=1))),
        ("alert mute 12 90min", AlertMute(12, timedelta(minutes=90))),
        ("alert mute 12 90mins", AlertMute(12, timedelta(minutes=90))),
        ("alert mute 12 1 hour", AlertMute(12, timedelta(hours=1))),
        ("alert mute 12 2 hours", AlertMute(12, timedelta(hours=2))),
        ("alert mute 12 2 days", AlertMute(12, timedelta(days=2))),
        ("alert mute 12 1w", AlertMute(12, timedelta(days=7))),
        ("alert mute 12 hour", AlertMute(12, timedelta(hours=1))),
        ("alert mute 12 1h30m", AlertMute(12, timedelta(minutes=90))),
        ("alert mute 12 1 hour 30 minutes", AlertMute(12, timedelta(minutes=90))),
        ("alert mute 12 for 2h", AlertMute(12, timedelta(hours=2))),
        ("alert mute #12 30d", AlertMute(12, timedelta(days=30))),
        ("alert mute 12 720h", AlertMute(12, timedelta(days=30))),
        ("alert webhook list", WebhookList()),
        ("alert webhook remove 3", WebhookRemove(3)),
        ("alert webhook remove #3", WebhookRemove(3)),
        # Slack wraps a typed URL in <...>; a labelled link points at its target.
        ("alert webhook add <https://x.example/hook>", WebhookAdd("https://x.example/hook")),
        (
            "alert webhook add <https://x.example/hook|my hook>",
            WebhookAdd("https://x.example/hook"),
        ),
        ("alert webhook add https://x.example/hook", WebhookAdd("https://x.example/hook")),
        (
            "alert webhook add <https://hooks.example.com/a?b=1&amp;c=2>",
            WebhookAdd("https://hooks.example.com/a?b=1&c=2"),
        ),
        (
            "alert webhook add HTTPS://Hooks.Example.COM/Path",
            WebhookAdd("https://hooks.example.com/Path"),
        ),
        (
            "alert webhook add <http://127.0.0.1:8080/hook>",
            WebhookAdd("http://127.0.0.1:8080/hook"),
        ),
        ("alert webhook add <http://localhost:9000/h>", WebhookAdd("http://localhost:9000/h")),
    ],
)
def test_alert_actions(text: str, expected: Command) -> None:
    assert parse(text) == expected


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("alrt add account spike", "alert add account spike"),
        ("alrt list", "alert list"),
        ("alert ad account spike", "alert add account spike"),
        ("alert lst", "alert list"),
        ("alert remvoe 3", "alert remove 3"),
        ("alert delete 3", "alert remove 3"),
        ("alert rm 3", "alert remove 3"),
        ("alert snooze 3 2h", "alert mute 3 2h"),
        ("alert umute 3", "alert unmute 3"),
        ("alert", "alert list"),
        ("alerts", "alert list"),
        ("alert webhook", "alert webhook list"),
        ("alert webhooks list", "alert webhook list"),
        ("alert webhok add https://x.example/h", "alert webhook add https://x.example/h"),
        ("alert webhook delete 3", "alert webhook remove 3"),
        ("alert spike link x", "alert add spike link x"),
        ("alert account drop", "alert add account drop"),
        ("alert add account spkie", "alert add account spike"),
        ("alert add account dorp", "alert add account drop"),
        ("alert add account spike hgh", "alert add account spike high"),
        ("alert add account drop lwo", "alert add account drop low"),
        (
            "alert add account clicks &gt; 100 per 15mins",
            "alert add account clicks &gt; 100 per 15m",
        ),
        ("alert add account clicks &gt; 100 per hours", "alert add account clicks &gt; 100 per 1h"),
        ("alert add account clicks &gt; 100 per days", "alert add account clicks &gt; 100 per 1d"),
        ("alert add account above 100 per 15 mins", "alert add account clicks &gt; 100 per 15m"),
        ("alert add acount spike", "alert add account spike"),
        ("alert add spring-sale spike", "alert add link spring-sale spike"),
        ("alert add account spike <#C1|growth>", "alert add account spike to <#C1|growth>"),
        (
            "alert add account clicks &gt; 100 per 15mins to <#C1|x>",
            "alert add account clicks &gt; 100 per 15m to <#C1|x>",
        ),
        ("alrt add account spike to <#C1|x>", "alert add account spike to <#C1|x>"),
        ("alert mute 12 2 hous", "alert mute 12 2h"),
        ("alert mute 12 2hrss", "alert mute 12 2h"),
        ("alert mute 12 31d", "alert mute 12 30d"),
        ("alert mute 12 6 weeks", "alert mute 12 30d"),
        (
            "alert webhook add <http://x.example/hook|x.example/hook>",
            "alert webhook add https://x.example/hook",
        ),
        ("alert webhook add http://x.example/hook", "alert webhook add https://x.example/hook"),
        ("alert webhook add x.example/hook", "alert webhook add https://x.example/hook"),
    ],
)
def test_near_misses_suggest_a_command_that_parses(text: str, suggestion: str) -> None:
    error = error_of(text)
    assert error.suggestion == suggestion
    parse(suggestion)
    shown = html.unescape(error.message)
    assert "Did you mean `/clickmeter alert" in shown


@pytest.mark.parametrize(
    ("text", "in_message"),
    [
        ("alert frobnicate", ["`frobnicate`", "`add`", "`webhook`"]),
        ("alert <#C1|x>", ["`#x`", "`add`"]),
        ("alert add", ["needs what to watch", "and when to alert", "alert add &lt;scope&gt;"]),
        ("alert add account", ["needs when to alert", "spike [low|medium|high]"]),
        ("alert add spike", ["needs what to watch", "`link &lt;id|name&gt;`"]),
        ("alert add account link x spike", ["one thing"]),
        ("alert add link a group b spike", ["one thing"]),
        ("alert add account spike drop", ["one condition"]),
        ("alert add account spike clicks &gt; 1 per 1h", ["one condition"]),
        ("alert add account spike to #general", ["plain text", "pick the channel from Slack"]),
        ("alert add account spike to general", ["needs a channel"]),
        ("alert add account spike to <@U1|ana>", ["needs a channel"]),
        ("alert add account spike to", ["needs a channel"]),
        ("alert add account spike to <#C1|a> to <#C2|b>", ["takes `to` once"]),
        ("alert add link", ["`link` needs a link id or name"]),
        ("alert add account clicks &gt; 0 per 1h", ["1 to 10,000,000", "`0`"]),
        ("alert add account clicks &gt; 10000001 per 1h", ["1 to 10,000,000"]),
        ("alert add account clicks &gt; 100", ["over how long", "`per 15m`"]),
        ("alert add account clicks &gt; 100 per 2h", ["`per 15m`, `per 1h` or `per 1d`"]),
        ("alert add account clicks &gt; 100 per minute", ["`per 15m`, `per 1h` or `per 1d`"]),
        ("alert add account clicks &gt; 1.5 per 1h", ["write it in full"]),
        ("alert add account clicks &gt; 10k per 1h", ["write it in full"]),
        ("alert add account clicks &gt;= 100 per 1h", ["how many clicks"]),
        ("alert add account clicks per 1h", ["how many clicks"]),
        ("alert add account spike!", ["as a condition"]),
        ("alert add account spike extra", ["`extra`"]),
        ("alert list please", ["`please`", "alert list"]),
        ("alert remove", ["needs the alert's id", "/clickmeter alert list"]),
        ("alert remove x", ["`x` isn't an id"]),
        ("alert remove 0", ["no alert `0`"]),
        ("alert remove 99999999999", ["no alert"]),
        ("alert remove 3 4", ["`4`"]),
        ("alert remove <#C1|x>", ["`#x` isn't an id"]),
        ("alert test", ["needs the alert's id"]),
        ("alert unmute", ["needs the alert's id"]),
        ("alert mute 12", ["how long", "`2 days`"]),
        ("alert mute 12 30", ["`30`", "as a time"]),
        ("alert mute 12 0m", ["no time at all"]),
        ("alert mute 12 2h!", ["as a time"]),
        ("alert mute 12 2h extra", ["`extra`"]),
        ("alert mute 2h", ["`2h` isn't an id"]),
        ("alert webhook add", ["needs the https URL"]),
        ("alert webhook add <http://10.0.0.1/h>", ["`10.0.0.1`", "private"]),
        ("alert webhook add https://2130706433/", ["unusual way", "`127.0.0.1`"]),
        ("alert webhook add https://user:pw@x.example/", ["password"]),
        ("alert webhook add ftp://x.example/", ["webhooks take `https://`"]),
        ("alert webhook add <mailto:a@x.example|a@x.example>", ["isn't a web address"]),
        ("alert webhook add https://printer.local/", ["private network"]),
        ("alert webhook add https://x.example/a https://x.example/b", ["https://x.example/b"]),
        ("alert webhook remove", ["needs the webhook's id", "alert webhook list"]),
    ],
)
def test_errors_say_what_was_wrong(text: str, in_message: list[str]) -> None:
    message = error_of(text).message
    for part in in_message:
        assert part in message, message


@pytest.mark.parametrize(
    "text",
    [
        "alert",
        "alert frobnicate",
        "alert add",
        "alert add account",
        "alert add account clicks &gt; 100",
        "alert add account spike to #general",
        "alert remove x",
        "alert mute 12",
        "alert mute 12 31d",
        "alert webhook",
        "alert webhook add http://10.0.0.1/",
        "alert webhook remove",
    ],
)
def test_every_error_shows_an_example_command(text: str) -> None:
    error = error_of(text)
    assert "`/clickmeter alert" in error.message
    assert error.message.rstrip().endswith((".", "?"))
    # User text and grammar placeholders are escaped: no raw Slack markup in the message.
    assert "<" not in error.message.replace("<#", "")


def test_errors_show_the_actions_own_usage() -> None:
    assert (
        "Usage: `/clickmeter alert mute &lt;id&gt; &lt;duration&gt;`"
        in error_of("alert mute x").message
    )
    assert (
        "Usage: `/clickmeter alert webhook add &lt;https-url&gt;`"
        in error_of("alert webhook add").message
    )


def test_plain_channel_name_explains_how_to_make_a_link() -> None:
    message = error_of("alert add account spike to #general").message
    assert "`#general`" in message
    assert "autocomplete" in message or "Slack's list" in message


# --- registry and help ----------------------------------------------------------------------


def test_alert_is_registered_after_the_reading_subcommands() -> None:
    assert list(SUBCOMMANDS)[-1] == "alert"
    assert parse("help alert") == Help("alert")


def test_every_action_example_parses() -> None:
    for action in [*ALERT_ACTIONS.values(), *WEBHOOK_ACTIONS.values()]:
        parse(action.example())
        assert action.usage.startswith(action.name)
    assert set(ALERT_ACTIONS) == {"add", "list", "remove", "mute", "unmute", "test", "webhook"}
    assert set(WEBHOOK_ACTIONS) == {"add", "list", "remove"}
