"""What a digest says: the numbers one digest shows, and which days they cover.

`DigestContent` and its parts are frozen pydantic models that serialise to JSON
(`model_dump(mode="json")`), so a digest can sit in an outbox payload and render the same after
a restart, with no ClickMeter call; `gather` fills them from ClickMeter.

Days are the account's calendar days (ClickMeter counts in the account's zone). A daily digest
sent on local day D covers D-1, compared with D-2 (the day before) and D-8 (the same weekday a
week earlier); a weekly one covers D-7..D-1, compared with D-14..D-8.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from clickmeter import AggregatedResult, TopReport

DigestKind = Literal["daily", "weekly"]

#: How many links, rows of each TOP report and risers / fallers a digest shows.
TOP_LINKS = 5
TOP_ROWS = 5
MOVERS = 3
#: Days of clicks the chart (and its sparkline fallback) shows, ending on the digest's last day.
SERIES_DAYS = 14


@dataclass(frozen=True, slots=True)
class TagFilter:
    """Only the links carrying this tag (by name)."""

    tag: str

    @property
    def subject(self) -> str:
        return f"tag:{self.tag}"


@dataclass(frozen=True, slots=True)
class GroupFilter:
    """Only the links of this group (campaign)."""

    group_id: int

    @property
    def subject(self) -> str:
        return f"group:{self.group_id}"


LinksFilter = TagFilter | GroupFilter


def links_filter_of(value: LinksFilter | str | int | None) -> LinksFilter | None:
    """A filter from what callers hold: a filter, a tag name (str), a group id (int), or a
    stored subject as alerts write them ("tag:email", "group:9", "account")."""
    if value is None or isinstance(value, TagFilter | GroupFilter):
        return value
    if isinstance(value, bool):
        raise TypeError("a links filter is a tag name or a group id, not a bool")
    if isinstance(value, int):
        return GroupFilter(value)
    if value == "account":
        return None
    kind, _, rest = value.partition(":")
    if kind == "group" and rest.isascii() and rest.isdigit():
        return GroupFilter(int(rest))
    return TagFilter(rest if kind == "tag" and rest else value)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Totals(_Frozen):
    clicks: int = 0
    unique_clicks: int = 0
    views: int = 0
    conversions: int = 0
    conversions_value: float = 0.0

    @classmethod
    def of(cls, result: AggregatedResult) -> Totals:
        return cls(
            clicks=result.total_clicks,
            unique_clicks=result.unique_clicks,
            views=result.total_views,
            conversions=result.converted_clicks,
            conversions_value=result.conversions_value,
        )

    @classmethod
    def summed(cls, results: Sequence[AggregatedResult]) -> Totals:
        return cls(
            clicks=sum(r.total_clicks for r in results),
            unique_clicks=sum(r.unique_clicks for r in results),
            views=sum(r.total_views for r in results),
            conversions=sum(r.converted_clicks for r in results),
            conversions_value=round(sum(r.conversions_value for r in results), 2),
        )


class Comparison(_Frozen):
    """The totals of the days compared with; `label` names them ("Mon", "last Tue")."""

    label: str
    first: date
    last: date
    totals: Totals


class LinkChange(_Frozen):
    """A link's clicks in the digest's days and in the period before."""

    id: int
    name: str
    clicks: int
    unique_clicks: int
    previous_clicks: int

    @property
    def change(self) -> int:
        return self.clicks - self.previous_clicks


class ReportRow(_Frozen):
    value: str
    clicks: int
    unique_clicks: int


class ReportTable(_Frozen):
    """A TOP report's first rows; `total_clicks` and `items` cover all of its rows."""

    report: TopReport
    total_clicks: int
    items: int
    rows: tuple[ReportRow, ...]


class DayClicks(_Frozen):
    day: date
    clicks: int


class DigestContent(_Frozen):
    kind: DigestKind
    #: Whose clicks: "the account", "links tagged email", "group Spring sale".
    scope: str
    first: date
    last: date
    #: The account's IANA zone, in which every day here is counted.
    zone: str
    #: When the numbers were read.
    data_time: AwareDatetime
    totals: Totals
    #: Period before first; for a daily digest, then the same weekday a week earlier.
    comparisons: tuple[Comparison, ...]
    #: Links with clicks in the digest's days (all of them, not only those shown).
    links_with_clicks: int
    link_clicks: int
    top_links: tuple[LinkChange, ...]
    reports: tuple[ReportTable, ...]
    risers: tuple[LinkChange, ...]
    fallers: tuple[LinkChange, ...]
    #: The least clicks (in either period) a link needed to count as a mover.
    mover_min_clicks: int
    series: tuple[DayClicks, ...]
    #: Things the reader should know (a TOP report that cannot be scoped, ...).
    notes: tuple[str, ...] = ()


def digest_days(kind: DigestKind, day: date) -> tuple[date, date]:
    """The (first, last) local days a digest sent on local day `day` covers."""
    last = day - timedelta(days=1)
    return (last - timedelta(days=6) if kind == "weekly" else last), last


def comparison_days(kind: DigestKind, first: date, last: date) -> list[tuple[str, date, date]]:
    """(label, first, last) of what a digest of `first`..`last` is compared with."""
    if kind == "weekly":
        return [("week before", first - timedelta(days=7), last - timedelta(days=7))]
    before, week_ago = last - timedelta(days=1), last - timedelta(days=7)
    return [(f"{before:%a}", before, before), (f"last {week_ago:%a}", week_ago, week_ago)]
