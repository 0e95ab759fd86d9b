"""The blocks of a tracking link's unfurl: its name, clicks today and over 7 days against the 7
before, a sparkline, the top 3 countries and referrers, destination and status, and a More
button opening the full `link` answer. Pure: the numbers come in a `LinkCard`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement

from bot.answers.base import Clock, footer
from bot.answers.link import describe, top_lines, trend
from bot.grammar.alert_clauses import MAX_ID
from clickmeter import AggregatedResult, Datapoint, DayRange, Top
from messages import delta, fields, number, safe_name, section

MORE_ACTION = "unfurl_more"
#: What the More button opens: the `link` answer over the days the unfurl shows.
MORE_TIMEFRAME = "7d"


@dataclass(frozen=True)
class LinkCard:
    """One link's numbers for its unfurl. `rows` are its days, oldest first: the 7 before
    `days`, then `days` (the 7 days ending today, in the account's zone)."""

    link: Datapoint
    rows: list[AggregatedResult]
    days: DayRange
    previous: DayRange
    countries: Top | None
    referrers: Top | None
    clock: Clock

    def _clicks(self, days: DayRange) -> int:
        return sum(
            r.total_clicks
            for r in self.rows
            if r.from_day is not None and days.first <= r.from_day <= days.last
        )

    @property
    def today(self) -> int:
        return self._clicks(DayRange(self.clock.today, self.clock.today))

    @property
    def last7(self) -> int:
        return self._clicks(self.days)

    @property
    def before7(self) -> int:
        return self._clicks(self.previous)

    @property
    def name(self) -> str:
        return self.link.name or self.link.title or f"#{self.link.id}"


def more_value(link_id: int) -> str:
    return json.dumps({"link_id": link_id})


def read_more_value(value: object) -> int | None:
    """The link id a More button carries, or None when it is not one we sent."""
    try:
        data = json.loads(str(value))
    except ValueError:
        return None
    link_id = data.get("link_id") if isinstance(data, dict) else None
    if isinstance(link_id, int) and not isinstance(link_id, bool) and 0 < link_id <= MAX_ID:
        return link_id
    return None


def card_blocks(card: LinkCard) -> list[dict[str, Any]]:
    """The unfurl's blocks, as `chat.unfurl` takes them (no header block: unfurls are
    attachments, which show a section's bold title the same)."""
    recent = [r for r in card.rows if r.from_day is not None and r.from_day >= card.days.first]
    week = (
        f"*{number(card.last7)}* · {delta(card.last7, card.before7)} (was {number(card.before7)})"
    )
    blocks: list[Block] = [
        section(f"*🔗 {safe_name(card.name, 150)}*\n{describe(card.link)}"),
        *fields([("Clicks today", f"*{number(card.today)}*"), ("Last 7 days", week)]),
        section(trend(recent, card.days, weekly=False)),
        *fields(
            [
                top_lines("Top countries", card.countries),
                top_lines("Top referrers", card.referrers),
            ]
        ),
        ActionsBlock(
            block_id="unfurl_actions",
            elements=[
                ButtonElement(text="More", action_id=MORE_ACTION, value=more_value(card.link.id))
            ],
        ),
        footer(card.days, card.clock, previous=card.previous),
    ]
    return [block.to_dict() for block in blocks]
