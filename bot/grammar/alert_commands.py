"""What the `alert ...` commands hold: the frozen dataclasses `alerts.py` reads them into.

A scope says what an alert watches (the account, a link, a group or a tag); `AlertCommand` is
every `alert ...` and `alert webhook ...` command the parser may return.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TypeAlias

from bot.grammar.alert_clauses import Condition
from bot.grammar.arguments import NameRef
from bot.grammar.tokens import ChannelRef


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
