"""Shared model machinery, plus the account models (`/me`, `/me/plan`).

ClickMeter omits every default value (zero, false, null), so every field has a default. Unknown
fields are kept (`model_extra`) so a new ClickMeter field never breaks parsing. Times come
without an offset in the account's zone: validate with `context={"zone": zone}` to get aware
datetimes (without a zone they stay naive, never silently UTC).
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, ValidationInfo
from pydantic.alias_generators import to_camel

from clickmeter._dates import parse_ymd, parse_ymdhis


class ClickMeterModel(BaseModel):
    """Base of every model: camelCase on the wire, snake_case in Python, extras kept."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
    )


def _zone_of(info: ValidationInfo) -> tzinfo | None:
    context = info.context
    if isinstance(context, dict):
        zone = context.get("zone")
        if isinstance(zone, tzinfo):
            return zone
    return None


def _to_datetime(value: Any, info: ValidationInfo) -> Any:
    if isinstance(value, str):
        return parse_ymdhis(value, _zone_of(info)) if value else None
    if isinstance(value, datetime) and value.tzinfo is None:
        zone = _zone_of(info)
        return value.replace(tzinfo=zone) if zone is not None else value
    return value


def _to_date(value: Any) -> Any:
    if isinstance(value, str):
        return parse_ymd(value) if value else None
    return value


#: A `YmdHis` wall-clock time in the account's zone; `"00010101000000"` (never) is None.
CmDateTime = Annotated[datetime | None, BeforeValidator(_to_datetime)]
#: A `YYYYMMDD` day of the account's calendar.
CmDate = Annotated[date | None, BeforeValidator(_to_date)]


def _to_str(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


#: A count (clicks, views, rows, events): a whole number, never negative; anything else makes
#: the answer a bad response.
Natural = Annotated[int, Field(ge=0)]
#: The same without pydantic's lax coercion ("12" or 12.0 is refused): for the poller's hot path.
StrictNatural = Annotated[StrictInt, Field(ge=0)]


#: An id ClickMeter sends as a string in some places (`entityId`) and a number in others.
IdString = Annotated[str | None, BeforeValidator(_to_str)]


class User(ClickMeterModel):
    """`GET /me`: the account behind the API key."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    company_name: str | None = None
    company_role: str | None = None
    phone: str | None = None
    bo_go_val: str | None = None
    bonus_clicks: Natural = 0
    redirect_only: bool = False
    registration_date: CmDateTime = None
    timeframe_min_date: CmDateTime = None
    #: ClickMeter's own numeric zone id; use `timezonename` (a Windows zone name) instead.
    timezone: int = 0
    timezonename: str | None = Field(default=None, alias="timezonename")


class Plan(ClickMeterModel):
    """`GET /me/plan`: the subscription and how much of it is used (usage is never negative;
    limits are kept as sent, since a plan may mark "unlimited" its own way)."""

    name: str | None = None
    profile_id: int = 0
    price: float = 0.0
    recurring: bool = False
    recurring_period: int = 0
    monthly_events: int = 0
    bonus_monthly_events: int = 0
    used_monthly_events: Natural = 0
    maximum_datapoints: int = 0
    used_datapoints: Natural = 0
    maximum_guests: int = 0
    allowed_personal_domains: int = 0
    allowed_personal_urls: int = 0
    billing_period_start: CmDateTime = None
    billing_period_end: CmDateTime = None


class Count(ClickMeterModel):
    """`GET .../count`: `{"count": n}`."""

    count: Natural = 0


class TagRef(ClickMeterModel):
    """A tag as embedded in other objects: `{"id", "name"}`."""

    id: int = 0
    name: str | None = None
