"""What every answer shares: its inputs (`AnswerContext`), the account's zone and clock, and the
footer line saying which days and which moment the numbers are for. The moment of an answer is
`storage.as_utc(ctx.now)`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import ContextBlock

from alerts.deliver.addresses import AddressPolicy
from bot.permissions import Directory, Gate
from clickmeter import ClickMeterClient, ClickMeterError, DayRange, Period, Timeframe
from messages import as_of, context, days_label
from storage import as_utc

if TYPE_CHECKING:
    from storage import Database

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnswerContext:
    """What answering needs: the ClickMeter client, and the time (None: the real time).

    Alert commands also need who asked, where, and the database: the Slack workspace
    (`team_id`, which scopes every rule), the user (`user_id`, a rule's creator), the channel
    the command was typed in (`channel_id`, where an alert goes by default) and `db` (None when
    this clickbot has no database). `poll_seconds` is the poller's interval, which a new
    rule's detector is seeded for.
    """

    client: ClickMeterClient
    now: datetime | None = None
    team_id: str | None = None
    user_id: str | None = None
    channel_id: str | None = None
    db: Database | None = None
    poll_seconds: float = 300.0
    #: Where webhooks may go (WEBHOOK_ALLOW_LOOPBACK), checked when one is added.
    webhook_policy: AddressPolicy = field(default_factory=AddressPolicy)
    #: Who may change what (`bot.permissions`); None: nobody can be checked, so every change
    #: and every IP-level report is refused.
    gate: Gate | None = None


def gate(ctx: AnswerContext) -> Gate:
    """The asker's gate; without one, a gate that refuses every change (fail closed)."""
    if ctx.gate is not None:
        return ctx.gate
    return Gate(Directory(), None, ctx.team_id, ctx.user_id, ctx.db)


async def account_zone(client: ClickMeterClient | None) -> tzinfo:
    """The account's zone for showing times; UTC when ClickMeter cannot say right now (a mute
    or a list must not fail because of it), or when the workspace has no account (None)."""
    if client is None:
        return UTC
    try:
        return await client.account_zone()
    except ClickMeterError as exc:
        log.info("showing times in UTC: the account's zone is unavailable (%s)", exc)
        return UTC


@dataclass(frozen=True, slots=True)
class Clock:
    """The moment of the answer in the account's zone, and the account's calendar day."""

    now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.date()


async def account_clock(ctx: AnswerContext) -> Clock:
    zone = await ctx.client.account_zone()
    return Clock(as_utc(ctx.now).astimezone(zone), zone)


async def period_days(ctx: AnswerContext, clock: Clock, period: Period) -> DayRange:
    """The account-local days `period` covers now, as ClickMeter counts them."""
    created = clock.today
    if period.timeframe is Timeframe.BEGINNING:
        # Only "all time" depends on the creation day, so only it costs a `/me` request.
        registered = (await ctx.client.me()).registration_date
        if registered is not None:
            created = registered.astimezone(clock.zone).date()
    return period.days(clock.today, created)


def footer(
    days: DayRange, clock: Clock, *extra: str, previous: DayRange | None = None
) -> ContextBlock:
    """`Nov 20 - Nov 26, 2026 · data as of 14:05 CET` (en dash), after any `extra` parts;
    with `previous`, the days compared against follow the days shown."""
    shown = days_label(days.first, days.last)
    if previous is not None:
        shown += f" vs {days_label(previous.first, previous.last)}"
    return context(" · ".join([*extra, shown, as_of(clock.now, clock.zone)]))
