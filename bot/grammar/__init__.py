"""The `/clickmeter` slash-command grammar.

`parse(text)` turns the text Slack sends after `/clickmeter` into one of the frozen dataclasses of
`Command` (Help, Stats, Top, Links, Link, Group, Groups, Hits; the `digest ...` commands
DigestAdd, DigestList, DigestRemove, DigestPreview; the `alert ...` commands AlertAdd, AlertList,
AlertRemove, AlertMute, AlertUnmute, AlertTest, WebhookAdd, WebhookRemove, WebhookList), or raises
`CommandError`, whose `message` is ready to show the user. Pure: no I/O, no clock.

This is clickbot's own language, with no Slack or Bolt in it; Bolt's side of the slash command
(ack, respond, the Slack payload) lives in `bot.listeners.commands`, which calls `parse`.

Modules: `tokens` (Slack text -> tokens), `arguments` (the clause readers a subcommand's parser
asks), `commands` (what every command holds, and `Command`), `grammar` (the subcommand
registry, parse, CommandError), `actions` (subcommands made of actions, like `alert add`), the
parsers `reading` (the read-only subcommands), `digests` (`digest ...`) and `alerts`
(`alert ...`), `alert_clauses` (conditions, ids, durations), `webhook_urls` (is a webhook URL
safe), `timeframes`, `suggest`, `tracking_links` (`shorten` and `link pause|resume`).
Importing this package registers every subcommand, in the order help lists them.
"""

# The parsers register their subcommands as they are imported, in the order help lists them:
# the reading ones, then `digest`, then `alert`.
from bot.grammar import reading  # noqa: F401  (registers help, stats, top, links, link...)

# isort: split
from bot.grammar.digests import DIGEST_ACTIONS

# isort: split
from bot.grammar import admins  # noqa: F401  (registers admins)

# isort: split
from bot.grammar import tracking_links  # noqa: F401  (registers shorten)

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
from bot.grammar.arguments import REPORT_WORDS, Arguments, NameRef
from bot.grammar.commands import (
    DEFAULT_DIGEST_REPORTS,
    DEFAULT_HITS,
    HELP_TOPICS,
    MAX_HITS,
    AccountScope,
    Admins,
    AlertAdd,
    AlertCommand,
    AlertList,
    AlertMute,
    AlertRemove,
    AlertTest,
    AlertUnmute,
    Command,
    DigestAdd,
    DigestCommand,
    DigestGroup,
    DigestLinks,
    DigestList,
    DigestPreview,
    DigestRemove,
    DigestTag,
    Group,
    Groups,
    GroupScope,
    Help,
    Hits,
    Link,
    LinkCommand,
    Links,
    LinkScope,
    LinkStatus,
    ReadingCommand,
    Scope,
    Shorten,
    Stats,
    TagScope,
    Top,
    WebhookAdd,
    WebhookList,
    WebhookRemove,
)
from bot.grammar.grammar import (
    MAX_TEXT,
    SUBCOMMANDS,
    CommandError,
    Subcommand,
    parse,
    subcommand,
)
from bot.grammar.timeframes import (
    DEFAULT_TIMEFRAME,
    MAX_RANGE_DAYS,
    UserTimeframe,
    parse_timeframe,
)
from bot.grammar.tokens import ChannelRef, Token, UserRef, Word, tokenize
from bot.grammar.webhook_urls import MAX_URL, WebhookUrlError, check_webhook_url

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
    "Admins",
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
    "LinkCommand",
    "LinkScope",
    "LinkStatus",
    "Links",
    "NameRef",
    "ReadingCommand",
    "Scope",
    "Sensitivity",
    "Shorten",
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
