"""`alert ...`: alerts on clicks, posted to Slack (and webhooks) by the alert poller.

    alert add <scope> <condition> [to #channel]
    alert list | remove <id> | mute <id> <duration> | unmute <id> | test <id>
    alert webhook add <https-url> | webhook list | webhook remove <id>

A scope is `account`, `link <id|name>`, `group <id|name>` or `tag <name>`; a condition is
`clicks > N per 15m|1h|1d` (also `clicks>N/1h`, `above N per hour`...), `spike [low|medium|high]`
or `drop [low|medium|high]`. Clauses of `alert add` may come in any order. Without `to`, the
alert goes to the channel the command was typed in: the handler decides (`channel` is None).
The commands these parsers return are defined in `alert_commands`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.grammar.alert_clauses import (
    CONDITIONS,
    SENSITIVITIES,
    condition_start,
    read_condition,
    read_duration,
    read_id,
)
from bot.grammar.alert_commands import (
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
from bot.grammar.arguments import Arguments, NameRef
from bot.grammar.grammar import Subcommand, subcommand
from bot.grammar.suggest import closest, code, escape
from bot.grammar.tokens import ChannelRef, Word, slack_text
from bot.grammar.webhook_urls import WebhookUrlError, check_webhook_url

# --- actions --------------------------------------------------------------------------------

ActionFn = Callable[[Arguments], AlertCommand]

#: `alert <action>` -> its usage, summary and example (errors show the action's own usage).
ALERT_ACTIONS: dict[str, Subcommand] = {}
#: `alert webhook <action>` -> the same.
WEBHOOK_ACTIONS: dict[str, Subcommand] = {}
_SYNONYMS = {
    "new": "add",
    "create": "add",
    "ls": "list",
    "show": "list",
    "delete": "remove",
    "del": "remove",
    "rm": "remove",
    "silence": "mute",
    "snooze": "mute",
    "hook": "webhook",
    "webhooks": "webhook",
}


def _action(
    table: dict[str, Subcommand], name: str, usage: str, summary: str, example: str
) -> Callable[[ActionFn], ActionFn]:
    def register(parse_fn: ActionFn) -> ActionFn:
        full = "alert webhook " + name if table is WEBHOOK_ACTIONS else "alert " + name
        table[name] = Subcommand(full, usage, summary, example, parse_fn)
        return parse_fn

    return register


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
    return _dispatch(args, ALERT_ACTIONS, "alert", 1)


def _dispatch(
    args: Arguments, table: Mapping[str, Subcommand], name: str, end: int
) -> AlertCommand:
    # The first word is the action; `end` is where a missing one would go.
    left = args.left()
    index, token = left[0] if left else (end, None)
    key = token.key if isinstance(token, Word) else None
    if key is not None and key in table:
        args.take({index})
        action = table[key]
        args.narrow(action)
        command = action.parse(args)
        assert isinstance(command, AlertCommand)  # the actions are ours
        return command
    actions = ", ".join(f"`{a}`" for a in table)
    fix = None
    if token is None:
        problem = f"`{name}` needs what to do: {actions}."
        fix = (end, 0, "list")
    else:
        problem = f"{code(token.display())} isn't something `{name}` does; it does {actions}."
        if key is not None:
            guess = closest(key, table, _SYNONYMS)
            if guess is not None:
                fix = (index, 1, guess)
            elif table is ALERT_ACTIONS and (key in _SCOPE_WORDS or condition_start(key)):
                fix = (index, 0, "add")  # `alert spike link x`: `add` left out
    raise args.error(problem, fix)


# --- alert add ------------------------------------------------------------------------------

_SCOPE_WORDS = ("account", "link", "group", "tag")
# (Slack mrkdwn: escaped)
_SCOPES = escape("`account`, `link <id|name>`, `group <id|name>` or `tag <name>`")
_ADD_WORDS = ("account", "link", "group", "tag", "to", "clicks", "per", "spike", "drop")


@_action(
    ALERT_ACTIONS,
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
    strays = [(i, t) for i, t in args.left() if isinstance(t, ChannelRef)]
    if strays and channel is None:
        index, stray = strays[0]
        raise args.error(
            f"Put `to` before {code(stray.display())} to send the alert there.",
            (index, 1, "to " + slack_text([stray])),
        )
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


@_action(ALERT_ACTIONS, "list", "alert list", "this workspace's alerts", "alert list")
def _list(args: Arguments) -> AlertList:
    args.finish()
    return AlertList()


@_action(ALERT_ACTIONS, "remove", "alert remove <id>", "delete an alert", "alert remove 12")
def _remove(args: Arguments) -> AlertRemove:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertRemove(alert_id)


@_action(
    ALERT_ACTIONS,
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


@_action(ALERT_ACTIONS, "unmute", "alert unmute <id>", "resume a muted alert", "alert unmute 12")
def _unmute(args: Arguments) -> AlertUnmute:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertUnmute(alert_id)


@_action(ALERT_ACTIONS, "test", "alert test <id>", "send a test notification", "alert test 12")
def _test(args: Arguments) -> AlertTest:
    alert_id = read_id(args, "alert", _LIST)
    args.finish()
    return AlertTest(alert_id)


@_action(
    ALERT_ACTIONS,
    "webhook",
    "alert webhook add <https-url> | list | remove <id>",
    "also send alerts to your own HTTPS endpoint",
    "alert webhook add https://hooks.example.com/clickbot",
)
def _webhook(args: Arguments) -> AlertCommand:
    return _dispatch(args, WEBHOOK_ACTIONS, "alert webhook", 2)  # `webhook` is token 1


@_action(
    WEBHOOK_ACTIONS,
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


@_action(
    WEBHOOK_ACTIONS,
    "list",
    "alert webhook list",
    "the webhooks alerts go to",
    "alert webhook list",
)
def _webhook_list(args: Arguments) -> WebhookList:
    args.finish()
    return WebhookList()


@_action(
    WEBHOOK_ACTIONS,
    "remove",
    "alert webhook remove <id>",
    "stop sending alerts to a webhook",
    "alert webhook remove 3",
)
def _webhook_remove(args: Arguments) -> WebhookRemove:
    webhook_id = read_id(args, "webhook", _WEBHOOK_LIST)
    args.finish()
    return WebhookRemove(webhook_id)
