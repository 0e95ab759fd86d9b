"""`alert ...`: alerts on clicks, posted to Slack (and webhooks) by the alert poller.

    alert add <scope> <condition> [to #channel]
    alert list | remove <id> | mute <id> <duration> | unmute <id> | test <id>
    alert webhook add <https-url> | webhook list | webhook remove <id>

A scope is `account`, `link <id|name>`, `group <id|name>` or `tag <name>`; a condition is
`clicks > N per 15m|1h|1d` (also `clicks>N/1h`, `above N per hour`...), `spike [low|medium|high]`
or `drop [low|medium|high]`. Clauses of `alert add` may come in any order. Without `to`, the
alert goes to the channel the command was typed in: the handler decides (`channel` is None).
The commands these parsers return are defined in `commands`.
"""

from __future__ import annotations

from bot.grammar.actions import Actions
from bot.grammar.alert_clauses import (
    CONDITIONS,
    SENSITIVITIES,
    condition_start,
    read_condition,
    read_duration,
    read_id,
)
from bot.grammar.arguments import Arguments, NameRef
from bot.grammar.commands import (
    AccountScope,
    AlertAdd,
    AlertCommand,
    AlertList,
    AlertMute,
    AlertRemove,
    AlertTest,
    AlertUnmute,
    GroupScope,
    LinkScope,
    Scope,
    TagScope,
    WebhookAdd,
    WebhookList,
    WebhookRemove,
)
from bot.grammar.grammar import subcommand
from bot.grammar.suggest import closest, escape
from bot.grammar.tokens import Word, slack_text
from bot.grammar.webhook_urls import WebhookUrlError, check_webhook_url

# --- actions --------------------------------------------------------------------------------

_ACTION_SYNONYMS = {"silence": "mute", "snooze": "mute", "hook": "webhook", "webhooks": "webhook"}
_SCOPE_WORDS = ("account", "link", "group", "tag")


def _means_add(word: str) -> bool:
    # `alert spike link x`: `add` left out
    return word in _SCOPE_WORDS or condition_start(word)


_ALERT = Actions("alert", _ACTION_SYNONYMS, _means_add)
_WEBHOOK = Actions("alert webhook", _ACTION_SYNONYMS)
#: `alert <action>` -> its usage, summary and example (errors show the action's own usage).
ALERT_ACTIONS = _ALERT.table
#: `alert webhook <action>` -> the same.
WEBHOOK_ACTIONS = _WEBHOOK.table


@subcommand(
    "alert",
    usage=(
        "alert add <scope> <condition> [to #channel] | list | mute <id> <duration> | "
        "unmute|test|remove <id> | webhook add <https-url>|list|remove <id>"
    ),
    summary=(
        "alerts in Slack when clicks pass N per 15m/1h/1d, spike or drop, for the account, "
        "a link, a group or a tag"
    ),
    example="alert add link spring-sale clicks > 100 per 1h",
)
def _alert(args: Arguments) -> AlertCommand:
    command = _ALERT.dispatch(args, 1)
    assert isinstance(command, AlertCommand)  # the actions are ours
    return command


# --- alert add ------------------------------------------------------------------------------

# (Slack mrkdwn: escaped)
_SCOPES = escape("`account`, `link <id|name>`, `group <id|name>` or `tag <name>`")
_ADD_WORDS = ("account", "link", "group", "tag", "to", "clicks", "per", "spike", "drop")


@_ALERT.action(
    "add",
    "alert add <scope> <condition> [to #channel]",
    "a new alert",
    "alert add link spring-sale clicks > 100 per 1h",
)
def _add(args: Arguments) -> AlertAdd:
    channel = args.channel("to")
    scopes: list[Scope] = []
    if (link := args.keyword("link", "a link id or name")) is not None:
        scopes.append(LinkScope(NameRef(link.text, link.quoted)))
    if (group := args.keyword("group", "a group id or name")) is not None:
        scopes.append(GroupScope(NameRef(group.text, group.quoted)))
    if (tag := args.keyword("tag", "a tag name")) is not None:
        scopes.append(TagScope(tag.text))
    if args.flag("account"):
        scopes.append(AccountScope())
    if len(scopes) > 1:
        raise args.error(
            "An alert watches one thing: the account, a link, a group or a tag. "
            "Add one alert for each."
        )
    condition = read_condition(args)
    if any(isinstance(t, Word) and t.key and condition_start(t.key) for _, t in args.left()):
        raise args.error("An alert has one condition; add one alert for each.")
    words = [(i, t) for i, t in args.left() if isinstance(t, Word)]
    if channel is None:
        args.no_stray_channel("the alert")
    if not scopes and condition is None:
        raise args.error(f"`alert add` needs what to watch ({_SCOPES}) and when to alert.")
    if not scopes:
        fix = None
        if words:  # `acount` -> account; `spring-sale` -> link spring-sale
            index, word = words[0]
            near = closest(word.text, _SCOPE_WORDS) if word.key else None
            fix = (index, 1, near or "link " + slack_text([word]))
        raise args.error(f"`alert add` needs what to watch: {_SCOPES}.", fix)
    if condition is None:
        fix = None
        for index, word in words:
            guess = closest(word.text, ("clicks", "spike", "drop")) if word.key else None
            if guess is not None:
                fix = (index, 1, guess)
                break
        raise args.error(f"`alert add` needs when to alert: {CONDITIONS}.", fix)
    args.expect((*_ADD_WORDS, *SENSITIVITIES))
    args.finish()
    return AlertAdd(scopes[0], condition, channel)


# --- the other actions ----------------------------------------------------------------------

_LIST = "alert list"
_WEBHOOK_LIST = "alert webhook list"


@_ALERT.action("list", "alert list", "this workspace's alerts", "alert list")
def _list(args: Arguments) -> AlertList:
    args.finish()
    return AlertList()


@_ALERT.action("remove", "alert remove <id>", "delete an alert", "alert remove 12")
def _remove(args: Arguments) -> AlertRemove:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertRemove(alert_id)


@_ALERT.action(
    "mute",
    "alert mute <id> <duration>",
    "pause an alert for up to 30 days",
    "alert mute 12 2h",
)
def _mute(args: Arguments) -> AlertMute:
    alert_id = read_id(args, "alert", _LIST)
    duration = read_duration(args)
    args.finish()
    return AlertMute(alert_id, duration)


@_ALERT.action("unmute", "alert unmute <id>", "resume a muted alert", "alert unmute 12")
def _unmute(args: Arguments) -> AlertUnmute:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertUnmute(alert_id)


@_ALERT.action("test", "alert test <id>", "send a test notification", "alert test 12")
def _test(args: Arguments) -> AlertTest:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertTest(alert_id)


@_ALERT.action(
    "webhook",
    "alert webhook add <https-url> | list | remove <id>",
    "also send alerts to your own HTTPS endpoint",
    "alert webhook add https://hooks.example.com/clickbot",
)
def _webhook(args: Arguments) -> AlertCommand:
    command = _WEBHOOK.dispatch(args, 2)  # `webhook` is token 1
    assert isinstance(command, AlertCommand)  # the actions are ours
    return command


@_WEBHOOK.action(
    "add",
    "alert webhook add <https-url>",
    "send alerts to an HTTPS endpoint too",
    "alert webhook add https://hooks.example.com/clickbot",
)
def _webhook_add(args: Arguments) -> WebhookAdd:
    index, token = args.left()[0] if args.left() else (0, None)
    if not isinstance(token, Word) or not token.text:
        raise args.error("`alert webhook add` needs the https URL to send alerts to.")
    # Slack sends a typed URL as a link: its target is the URL (with `http://` added when none
    # was typed, which the https rule then turns into a suggestion).
    try:
        url = check_webhook_url(token.target or token.text)
    except WebhookUrlError as error:
        fix = (index, 1, error.replacement) if error.replacement else None
        raise args.error(error.problem, fix) from None
    args.take({index})
    args.finish()
    return WebhookAdd(url)


@_WEBHOOK.action(
    "list",
    "alert webhook list",
    "the webhooks alerts go to",
    "alert webhook list",
)
def _webhook_list(args: Arguments) -> WebhookList:
    args.finish()
    return WebhookList()


@_WEBHOOK.action(
    "remove",
    "alert webhook remove <id>",
    "stop sending alerts to a webhook",
    "alert webhook remove 3",
)
def _webhook_remove(args: Arguments) -> WebhookRemove:
    webhook_id = read_id(args, "webhook", _WEBHOOK_LIST)
    args.finish()
    return WebhookRemove(webhook_id)
