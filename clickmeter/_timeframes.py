"""Timeframes as ClickMeter names them, and a custom range of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from clickmeter._dates import format_ymd


class Timeframe(StrEnum):
    """The `timeframe` / `timeFrame` values of API v2 (the service matches them case-blind)."""

    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST7 = "last7"
    LAST30 = "last30"
    LAST_MONTH = "lastmonth"
    CURRENT_MONTH = "currentmonth"
    PREVIOUS_MONTH = "previousmonth"
    LAST90 = "last90"
    LAST120 = "last120"
    LAST180 = "last180"
    LAST12MONTHS = "last12months"
    LAST_YEAR = "lastyear"
    CURRENT_YEAR = "currentyear"
    BEGINNING = "beginning"
    CUSTOM = "custom"


#: `/reports` (all three forms) refuses these.
NOT_FOR_REPORTS = frozenset(
    {Timeframe.TODAY, Timeframe.LAST12MONTHS, Timeframe.LAST_YEAR, Timeframe.CURRENT_YEAR}
)
#: `/hits` (all three forms) refuses these (only `beginning`, per the service notes).
NOT_FOR_HITS = frozenset({Timeframe.BEGINNING})


@dataclass(frozen=True, slots=True)
class Period:
    """What a request covers: a named timeframe, or `custom` with inclusive days."""

    timeframe: Timeframe
    from_day: date | None = None
    to_day: date | None = None

    def __post_init__(self) -> None:
        if self.timeframe is Timeframe.CUSTOM:
            if self.from_day is None or self.to_day is None:
                raise ValueError("a custom period needs both from_day and to_day")
            if self.from_day > self.to_day:
                raise ValueError("a custom period's from_day must not be after its to_day")
        elif self.from_day is not None or self.to_day is not None:
            raise ValueError("only a custom period takes from_day / to_day")

    @classmethod
    def custom(cls, from_day: date, to_day: date) -> Period:
        return cls(Timeframe.CUSTOM, from_day, to_day)

    @classmethod
    def of(cls, value: Period | Timeframe | str) -> Period:
        if isinstance(value, Period):
            return value
        return cls(Timeframe(str(value).lower()))

    def query(self, name: str = "timeframe") -> dict[str, str]:
        """Query parameters for this period; `name` is the spelling the endpoint documents."""
        params = {name: self.timeframe.value}
        if self.from_day is not None and self.to_day is not None:
            params["fromDay"] = format_ymd(self.from_day)
            params["toDay"] = format_ymd(self.to_day)
        return params
