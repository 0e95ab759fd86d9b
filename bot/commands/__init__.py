"""The `/clickmeter` slash-command grammar.

`parse(text)` turns the text Slack sends after `/clickmeter` into one of the frozen dataclasses of
`Command` (Help, Stats, Top, Links, Link, Group, Groups, Hits), or raises `CommandError`, whose
`message` is ready to show the user. Pure: no I/O, no clock.
"""

from bot.commands.grammar import (
    DEFAULT_HITS,
    HELP_TOPICS,
    MAX_HITS,
    MAX_TEXT,
    REPORT_WORDS,
    SUBCOMMANDS,
    Arguments,
    ChannelRef,
    Command,
    CommandError,
    Group,
    Groups,
    Help,
    Hits,
    Link,
    Links,
    NameRef,
    Stats,
    Subcommand,
    Token,
    Top,
    UserRef,
    Word,
    parse,
    subcommand,
    tokenize,
)
from bot.commands.timeframes import (
    DEFAULT_TIMEFRAME,
    MAX_RANGE_DAYS,
    UserTimeframe,
    parse_timeframe,
)

__all__ = [
    "DEFAULT_HITS",
    "DEFAULT_TIMEFRAME",
    "HELP_TOPICS",
    "MAX_HITS",
    "MAX_RANGE_DAYS",
    "MAX_TEXT",
    "REPORT_WORDS",
    "SUBCOMMANDS",
    "Arguments",
    "ChannelRef",
    "Command",
    "CommandError",
    "Group",
    "Groups",
    "Help",
    "Hits",
    "Link",
    "Links",
    "NameRef",
    "Stats",
    "Subcommand",
    "Token",
    "Top",
    "UserRef",
    "UserTimeframe",
    "Word",
    "parse",
    "parse_timeframe",
    "subcommand",
    "tokenize",
]
