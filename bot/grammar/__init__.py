"""The `/clickmeter` slash-command grammar.

`parse(text)` turns the text Slack sends after `/clickmeter` into one of the frozen dataclasses of
`Command` (Help, Stats, Top, Links, Link, Group, Groups, Hits, and the `alert ...` commands
AlertAdd, AlertList, AlertRemove, AlertMute, AlertUnmute, AlertTest, WebhookAdd, WebhookRemove,
WebhookList), or raises `CommandError`, whose `message` is ready to show the user. Pure: no I/O,
no clock.

This is clickbot's own language, with no Slack or Bolt in it; Bolt's side of the slash command
(ack, respond, the Slack payload) lives in `bot.listeners.commands`, which calls `parse`.

Modules: `tokens` (Slack text -> tokens), `arguments` (the clause readers a subcommand's parser
asks), `grammar` (the subcommand registry, parse, CommandError), `actions` (subcommands made of
actions, like `alert add`), `reading` (the read-only subcommands), `digests` (`digest ...`),
`alerts` (the `alert ...` parsers), `alert_commands` (what they return), `alert_clauses`
(conditions, ids, durations), `webhook_urls` (is a webhook URL safe), `timeframes`, `suggest`.
Importing this package registers every subcommand, in the order help lists them.
"""

from typing import TypeAlias

from bot.grammar.arguments import REPORT_WORDS, Arguments, NameRef
from bot.grammar.grammar import (
    MAX_TEXT,
    SUBCOMMANDS,
    CommandError,
    Subcommand,
    parse,
    subcommand,
)
from bot.grammar.reading import (  # registers help, stats, top, links, link, group(s), hits
    DEFAULT_HITS,
    HELP_TOPICS,
    MAX_HITS,
    Group,
    Groups,
    Help,
    Hits,
    Link,
    Links,
    ReadingCommand,
    Stats,
    Top,
)

# isort: split
# (registers `digest`, then `alert`, after the reading ones: help lists them in this order)
from bot.grammar.digests import (
    DEFAULT_DIGEST_REPORTS,
    DIGEST_ACTIONS,
    DigestAdd,
    DigestCommand,
    DigestGroup,
    DigestLinks,
    DigestList,
    DigestPreview,
    DigestRemove,
    DigestTag,
)

# isort: split
from bot.grammar.alerts import ALERT_ACTIONS, WEBHOOK_ACTIONS

# isort: split
from bot.grammar.alert_clauses import (
    MAX_MUTE,
    MAX_THRESHOLD,
    SENSITIVITIES,
    WINDOWS,
    Condition,
    Drop,
    Sensitivity,
    Spike,
    Threshold,
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
from bot.grammar.timeframes import (
    DEFAULT_TIMEFRAME,
    MAX_RANGE_DAYS,
    UserTimeframe,
    parse_timeframe,
)
from bot.grammar.tokens import ChannelRef, Token, UserRef, Word, tokenize
from bot.grammar.webhook_urls import MAX_URL, WebhookUrlError, check_webhook_url

Command: TypeAlias = ReadingCommand | AlertCommand | DigestCommand

__all__ = [
    "ALERT_ACTIONS",
    "DEFAULT_DIGEST_REPORTS",
    "DEFAULT_HITS",
    "DEFAULT_TIMEFRAME",
    "DIGEST_ACTIONS",
    "HELP_TOPICS",
    "MAX_HITS",
    "MAX_MUTE",
    "MAX_RANGE_DAYS",
    "MAX_TEXT",
    "MAX_THRESHOLD",
    "MAX_URL",
    "REPORT_WORDS",
    "SENSITIVITIES",
    "SUBCOMMANDS",
    "WEBHOOK_ACTIONS",
    "WINDOWS",
    "AccountScope",
    "AlertAdd",
    "AlertCommand",
    "AlertList",
    "AlertMute",
    "AlertRemove",
    "AlertTest",
    "AlertUnmute",
    "Arguments",
    "ChannelRef",
    "Command",
    "CommandError",
    "Condition",
    "DigestAdd",
    "DigestCommand",
    "DigestGroup",
    "DigestLinks",
    "DigestList",
    "DigestPreview",
    "DigestRemove",
    "DigestTag",
    "Drop",
    "Group",
    "GroupScope",
    "Groups",
    "Help",
    "Hits",
    "Link",
    "LinkScope",
    "Links",
    "NameRef",
    "ReadingCommand",
    "Scope",
    "Sensitivity",
    "Spike",
    "Stats",
    "Subcommand",
    "TagScope",
    "Threshold",
    "Token",
    "Top",
    "UserRef",
    "UserTimeframe",
    "WebhookAdd",
    "WebhookList",
    "WebhookRemove",
    "WebhookUrlError",
    "Word",
    "check_webhook_url",
    "parse",
    "parse_timeframe",
    "subcommand",
    "tokenize",
]
