"""Entity models: datapoints (tracking links and pixels), groups, tags, conversions, URIs."""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BeforeValidator, Field

from clickmeter._models import ClickMeterModel, CmDateTime, TagRef


class DatapointStatus(IntEnum):
    """`status` of a datapoint: the real service sends these integers."""

    ACTIVE = 0
    PAUSED = 1
    ABUSE = 2
    DELETED = 3


class DatapointType(IntEnum):
    """`type` of a datapoint."""

    TRACKING_LINK = 0
    TRACKING_PIXEL = 1


class RedirectType(IntEnum):
    """`redirectType` of a tracking link: the HTTP status of the redirect."""

    PERMANENT = 301
    TEMPORARY = 307


def _lenient(names: dict[str, int]) -> Callable[[Any], Any]:
    """Accept the spec's string names (any case) as well as the service's integers."""

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            if text in names:
                return names[text]
            if text.isascii() and text.lstrip("-").isdigit():
                return int(text)
        return value

    return convert


_STATUS_NAMES = {"active": 0, "paused": 1, "abuse": 2, "spam": 2, "deleted": 3}
_TYPE_NAMES = {"trackinglink": 0, "tl": 0, "trackingpixel": 1, "tp": 1}
_REDIRECT_NAMES = {"permanentredirect": 301, "temporaryredirect": 307}

StatusField = Annotated[DatapointStatus, BeforeValidator(_lenient(_STATUS_NAMES))]
TypeField = Annotated[DatapointType, BeforeValidator(_lenient(_TYPE_NAMES))]
RedirectField = Annotated[RedirectType, BeforeValidator(_lenient(_REDIRECT_NAMES))]


class TrackingLinkSettings(ClickMeterModel):
    """`typeTL`: how a tracking link redirects (many more fields are kept as extras)."""

    url: str | None = None
    domain_id: int = 0
    go_domain_id: int = 0
    redirect_type: RedirectField = RedirectType.PERMANENT
    destination_mode: str | None = None
    first_url: str | None = None
    append_query: bool = False
    encode_url: bool = False
    hide_url: bool = False
    is_ab_test: bool = Field(default=False, alias="isABTest")
    expiration_clicks: int = 0
    expiration_date: CmDateTime = None


class TrackingPixelSettings(ClickMeterModel):
    """`typeTP`: a tracking pixel's settings (kept as ClickMeter sends them)."""


class Datapoint(ClickMeterModel):
    """`GET /datapoints/{id}`: a tracking link or pixel. A deleted one has status DELETED."""

    id: int = 0
    name: str | None = None
    title: str | None = None
    notes: str | None = None
    type: TypeField = DatapointType.TRACKING_LINK
    status: StatusField = DatapointStatus.ACTIVE
    group_id: int = 0
    group_name: str | None = None
    tracking_code: str | None = None
    creation_date: CmDateTime = None
    tags: list[TagRef] = Field(default_factory=list)
    preferred: bool = False
    is_public: bool = False
    is_secured: bool = False
    encode_ip: bool = False
    light_tracking: bool = False
    redirect_only: bool = False
    write_permited: bool = False
    type_tl: TrackingLinkSettings | None = Field(default=None, alias="typeTL")
    type_tp: TrackingPixelSettings | None = Field(default=None, alias="typeTP")
    first_conversion_id: int = 0
    first_conversion_name: str | None = None
    second_conversion_id: int = 0
    second_conversion_name: str | None = None
    third_conversion_id: int = 0
    third_conversion_name: str | None = None
    fourth_conversion_id: int = 0
    fourth_conversion_name: str | None = None
    fifth_conversion_id: int = 0
    fifth_conversion_name: str | None = None


class Group(ClickMeterModel):
    """`GET /groups/{id}`: a group (campaign) of datapoints."""

    id: int = 0
    name: str | None = None
    notes: str | None = None
    creation_date: CmDateTime = None
    deleted: bool = False
    is_public: bool = False
    preferred: bool = False
    redirect_only: bool = False
    write_permited: bool = False
    tags: list[TagRef] = Field(default_factory=list)


class Tag(ClickMeterModel):
    """`GET /tags/{id}`: a tag and the ids it is attached to."""

    id: int = 0
    name: str | None = None
    datapoints: list[int] = Field(default_factory=list)
    groups: list[int] = Field(default_factory=list)


class Conversion(ClickMeterModel):
    """`GET /conversions/{id}`: a conversion (goal)."""

    id: int = 0
    name: str | None = None
    code: str | None = None
    description: str | None = None
    value: float = 0.0
    protocol: str | None = None
    deleted: bool = False
    creation_date: CmDateTime = None


class EntityUri(ClickMeterModel):
    """A reference in list answers: `{"id": 2027499, "uri": "/datapoints/2027499"}`."""

    id: int = 0
    uri: str | None = None


T = TypeVar("T", bound=ClickMeterModel)


class Entities(ClickMeterModel, Generic[T]):
    """A list answer: `{"entities": [...]}`."""

    entities: list[T] = Field(default_factory=list)


class EntityUriList(Entities[EntityUri]):
    """A list answer of references (without `_expand`)."""
