"""What each `/clickmeter` command holds: the frozen dataclasses `parse` returns, and `Command`,
their union.

The read-only commands (help, stats, top, links, link, group, groups, hits), `digest ...`,
`alert ...` with its `alert webhook ...`, and the tracking-link changes (`shorten`, `link
pause|resume`). They are plain values with no parsing in them: the
parsers are in `reading`, `digests` and `alerts`, the answers in `bot.answers`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, TypeAlias

from bot.grammar.alert_clauses import Condition
from bot.grammar.arguments import NameRef
from bot.grammar.timeframes import DEFAULT_TIMEFRAME, UserTimeframe
from bot.grammar.tokens import ChannelRef
from clickmeter import TopReport

# --- reading --------------------------------------------------------------------------------

DEFAULT_HITS = 10
MAX_HITS = 50
HELP_TOPICS = ("timeframes", "reports", "names")


@dataclass(frozen=True, slots=True)
class Help:
    topic: str | None = None  #: a key of HELP_TOPICS, or None for the overview


@dataclass(frozen=True, slots=True)
class Stats:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Top:
    """A TOP report for the account, or for one link or one group (never both)."""

    report: TopReport
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME
    link: NameRef | None = None
    group: NameRef | None = None


@dataclass(frozen=True, slots=True)
class Links:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME
    search: str = ""  #: free words joined by single spaces; "" for no filter
    tag: str | None = None


@dataclass(frozen=True, slots=True)
class Link:
    link: NameRef
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Group:
    group: NameRef
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Groups:
    timeframe: UserTimeframe = DEFAULT_TIMEFRAME


@dataclass(frozen=True, slots=True)
class Hits:
    link: NameRef
    count: int = DEFAULT_HITS  #: 1..MAX_HITS


ReadingCommand: TypeAlias = Help | Stats | Top | Links | Link | Group | Groups | Hits


# --- digest ---------------------------------------------------------------------------------

Cadence = Literal["daily", "weekdays", "weekly"]


@dataclass(frozen=True, slots=True)
class DigestTag:
    """Only the links carrying this tag."""

    tag: str


@dataclass(frozen=True, slots=True)
class DigestGroup:
    """Only the links of this group, as the user named it (the handler resolves it)."""

    group: NameRef


DigestLinks: TypeAlias = DigestTag | DigestGroup

DEFAULT_DIGEST_REPORTS = (TopReport.COUNTRIES, TopReport.REFERRERS)


@dataclass(frozen=True, slots=True)
class DigestAdd:
    at: str  #: 'HH:MM', local time in `timezone`
    cadence: Cadence = "daily"
    weekday: int | None = None  #: 0 (Monday) .. 6, for weekly only
    timezone: str | None = None  #: a canonical IANA name; None: the ClickMeter account's
    channel: ChannelRef | None = None  #: None: the channel the command was typed in
    reports: tuple[TopReport, ...] = DEFAULT_DIGEST_REPORTS
    links: DigestLinks | None = None  #: None: the whole account


@dataclass(frozen=True, slots=True)
class DigestList:
    pass


@dataclass(frozen=True, slots=True)
class DigestRemove:
    digest_id: int


@dataclass(frozen=True, slots=True)
class DigestPreview:
    digest_id: int


DigestCommand: TypeAlias = DigestAdd | DigestList | DigestRemove | DigestPreview


# --- alert ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AccountScope:
    """Every click of the account."""


@dataclass(frozen=True, slots=True)
class LinkScope:
    link: NameRef


@dataclass(frozen=True, slots=True)
class GroupScope:
    group: NameRef


@dataclass(frozen=True, slots=True)
class TagScope:
    tag: str


Scope: TypeAlias = AccountScope | LinkScope | GroupScope | TagScope


@dataclass(frozen=True, slots=True)
class AlertAdd:
    scope: Scope
    condition: Condition
    channel: ChannelRef | None = None  #: None: the channel the command was typed in


@dataclass(frozen=True, slots=True)
class AlertList:
    pass


@dataclass(frozen=True, slots=True)
class AlertRemove:
    alert_id: int


@dataclass(frozen=True, slots=True)
class AlertMute:
    alert_id: int
    duration: timedelta  #: more than 0, at most MAX_MUTE


@dataclass(frozen=True, slots=True)
class AlertUnmute:
    alert_id: int


@dataclass(frozen=True, slots=True)
class AlertTest:
    alert_id: int


@dataclass(frozen=True, slots=True)
class WebhookAdd:
    url: str  #: as check_webhook_url normalized it


@dataclass(frozen=True, slots=True)
class WebhookRemove:
    webhook_id: int


@dataclass(frozen=True, slots=True)
class WebhookList:
    pass


AlertCommand: TypeAlias = (
    AlertAdd
    | AlertList
    | AlertRemove
    | AlertMute
    | AlertUnmute
    | AlertTest
    | WebhookAdd
    | WebhookRemove
    | WebhookList
)


@dataclass(frozen=True, slots=True)
class Admins:
    """`admins` (show the admin group), `admins @group` (name it) or `admins none` (clear it).
    `group_id` is set when Slack sent the mention as `<!subteam^S…|@handle>`."""

    handle: str | None = None
    group_id: str | None = None
    clear: bool = False


# --- tracking links: made and paused from Slack ----------------------------------------------


@dataclass(frozen=True, slots=True)
class Shorten:
    """`shorten <url> [name <n>] [group <g>] [tag <t> ...]`: a new tracking link."""

    url: str  #: http or https, as `tracking_links.check_destination` passed it
    name: str | None = None  #: None: the bot picks one
    group: NameRef | None = None  #: None: the account's default group
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LinkStatus:
    """`link pause <link>` (pause=True) or `link resume <link>`."""

    link: NameRef
    pause: bool


LinkCommand: TypeAlias = Shorten | LinkStatus


Command: TypeAlias = ReadingCommand | AlertCommand | DigestCommand | Admins | LinkCommand
