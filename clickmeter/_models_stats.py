"""Statistics models: aggregates, summaries, TOP reports and hits (clickstream)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationError,
)
from pydantic.alias_generators import to_camel

from clickmeter._exceptions import BadResponseError
from clickmeter._models import (
    ClickMeterModel,
    CmDate,
    CmDateTime,
    IdString,
    Natural,
    StrictNatural,
    TagRef,
)
from clickmeter._models_entities import DatapointStatus, StatusField


class DatapointSummaryData(ClickMeterModel):
    """`entityData` of a datapoint in aggregated results (`datapointType` is a string here)."""

    datapoint_id: int = 0
    datapoint_name: str | None = None
    datapoint_title: str | None = None
    #: "TrackingLink" or "TrackingPixel".
    datapoint_type: str | None = None
    group_id: int = 0
    group_name: str | None = None
    creation_date: CmDateTime = None
    destination_url: str | None = None
    tags: list[TagRef] = Field(default_factory=list)
    tracking_code: str | None = None
    datapoint_favourite: bool = False
    #: Sent as a name here ("Paused"); integers are accepted too.
    status: StatusField = DatapointStatus.ACTIVE


class GroupSummaryData(ClickMeterModel):
    """`entityData` of a group (campaign) in aggregated results."""

    group_id: int = 0
    group_name: str | None = None
    links_count: Natural = 0
    creation_date: CmDateTime = None
    tags: list[TagRef] = Field(default_factory=list)
    deleted: bool = False


class ConversionSummaryData(ClickMeterModel):
    """`entityData` of a conversion in aggregated results."""

    id: int = 0
    name: str | None = None
    value: float = 0.0
    date: CmDateTime = None


def _entity_kind(value: Any) -> str:
    # Which summary an `entityData` is can only be told from its keys.
    if isinstance(value, dict):
        if "datapointId" in value or "datapoint_id" in value:
            return "datapoint"
        if "groupId" in value or "group_id" in value:
            return "group"
        return "conversion" if "id" in value else "other"
    kinds: dict[type, str] = {
        DatapointSummaryData: "datapoint",
        GroupSummaryData: "group",
        ConversionSummaryData: "conversion",
    }
    return kinds.get(type(value), "other")


EntityData = Annotated[
    Annotated[DatapointSummaryData, Tag("datapoint")]
    | Annotated[GroupSummaryData, Tag("group")]
    | Annotated[ConversionSummaryData, Tag("conversion")]
    | Annotated[dict[str, Any], Tag("other")],
    Discriminator(_entity_kind),
]


class AggregatedResult(ClickMeterModel):
    """Counters for an account, datapoint, group or conversion over a period.

    ClickMeter omits zero counters, so `{}` is a valid (quiet) result: every metric is 0.
    """

    entity_id: IdString = None
    entity_data: EntityData | None = None
    activity_day: CmDateTime = None
    last_hit_date: CmDateTime = None
    from_day: CmDate = None
    to_day: CmDate = None
    total_clicks: Natural = 0
    unique_clicks: Natural = 0
    total_views: Natural = 0
    unique_views: Natural = 0
    spider_hits_count: Natural = 0
    converted_clicks: Natural = 0
    unique_conversions: Natural = 0
    conversions_value: float = 0.0
    conversions_cost: float = 0.0
    commissions_cost: float = 0.0
    #: Per-hour breakdown when asked with `hourly=True`; its keys are as ClickMeter sends them.
    hourly_break_down: dict[str, Any] = Field(default_factory=dict)

    def hours(self) -> dict[int, AggregatedResult]:
        """`hourly_break_down` as hour of day (0-23) -> counters, in the account's zone.

        Entries whose key is not an hour or whose value is not an object are skipped, since
        the spec leaves this field's shape open; an hour whose counters are not counts (text,
        fractions, negatives) raises BadResponseError.
        """
        hours: dict[int, AggregatedResult] = {}
        for key, value in self.hourly_break_down.items():
            text = str(key)
            if not (text.isascii() and text.isdecimal() and int(text) < 24):
                continue
            if isinstance(value, dict):
                try:
                    hours[int(text)] = AggregatedResult.model_validate(value)
                except ValidationError as exc:
                    raise BadResponseError(
                        f"ClickMeter's hourly breakdown has a bad hour {text}: "
                        f"{exc.error_count()} problem(s)"
                    ) from None
        return hours

    @property
    def numeric_entity_id(self) -> int | None:
        """`entity_id` as the integer every other endpoint uses (None if absent or not numeric)."""
        text = self.entity_id
        # isdecimal() alone would let "٣" through; int() then raises on "²" (isdigit() is True).
        return int(text) if text and text.isascii() and text.isdecimal() else None

    @property
    def datapoint(self) -> DatapointSummaryData | None:
        """`entity_data` when this is a datapoint's result."""
        return self.entity_data if isinstance(self.entity_data, DatapointSummaryData) else None

    @property
    def group(self) -> GroupSummaryData | None:
        """`entity_data` when this is a group's result."""
        return self.entity_data if isinstance(self.entity_data, GroupSummaryData) else None

    @property
    def conversion(self) -> ConversionSummaryData | None:
        """`entity_data` when this is a conversion's result."""
        return self.entity_data if isinstance(self.entity_data, ConversionSummaryData) else None


class AggregatedSummaryResult(ClickMeterModel):
    """One page of `/aggregated/summary/...`: `count` is the total over all pages."""

    count: Natural = 0
    limit: Natural = 0
    offset: Natural = 0
    result: list[AggregatedResult] = Field(default_factory=list)


class AggregatedRows(ClickMeterModel):
    """`.../aggregated/list`: `{"rows": [...]}` (the spec says `entities`; both accepted)."""

    rows: list[AggregatedResult] = Field(
        default=[], validation_alias=AliasChoices("rows", "entities")
    )


class TopItem(ClickMeterModel):
    """One line of a TOP report; `id` is the dimension's value (country code, browser...)."""

    id: str | None = None
    entity_data: dict[str, Any] = Field(default_factory=dict)
    last_hit_date: CmDateTime = None
    total_clicks: Natural = 0
    unique_clicks: Natural = 0
    total_views: Natural = 0
    unique_views: Natural = 0
    total_hits: Natural = 0
    unique_hits: Natural = 0
    spider_clicks: Natural = 0
    spider_views: Natural = 0
    spider_hits: Natural = 0
    total_conversions: Natural = 0
    total_conversions_value: float = 0.0
    total_conversions_cost: float = 0.0
    total_commissions_cost: float = 0.0


class Top(ClickMeterModel):
    """A TOP report (`/reports`): items sorted as ClickMeter sends them."""

    key: str | None = None
    created_at: CmDateTime = None
    data: list[TopItem] = Field(default_factory=list)


class HitBrowser(ClickMeterModel):
    """The visitor's browser."""

    id: int = 0
    name: str | None = None
    browser_type: str | None = None
    family_id: int = 0
    family_name: str | None = None


class HitOs(ClickMeterModel):
    """The visitor's operating system."""

    id: int = 0
    name: str | None = None
    family_id: int = 0
    family_name: str | None = None


class HitLocation(ClickMeterModel):
    """Where the visitor was, by IP geolocation."""

    country: str | None = None
    region: str | None = None
    region_name: str | None = None
    city: str | None = None
    postalcode: str | None = None
    areacode: str | None = None
    metrocode: str | None = None
    organization: str | None = None
    latitude: float = 0.0
    longitude: float = 0.0


class HitSource(ClickMeterModel):
    """The traffic source (`source` parameter) a hit came with."""

    id: int = 0
    name: str | None = None
    param: str | None = None


class HitEntity(ClickMeterModel):
    """The datapoint a hit landed on (`status` here is a name like "Active")."""

    datapoint_id: int = 0
    datapoint_name: str | None = None
    datapoint_title: str | None = None
    datapoint_type: str | None = None
    datapoint_favourite: bool = False
    group_id: int = 0
    group_name: str | None = None
    creation_date: CmDateTime = None
    destination_url: str | None = None
    tracking_code: str | None = None
    notes: str | None = None
    status: StatusField = DatapointStatus.ACTIVE
    is_ab_test: bool = Field(default=False, alias="isABTest")
    is_public: bool = False
    is_private_shared: bool = False
    tags: list[TagRef] = Field(default_factory=list)


class HitConversion(ClickMeterModel):
    """A conversion attributed to a hit."""

    id: int = 0
    name: str | None = None
    value: float = 0.0
    cost: float = 0.0
    comcost: float = 0.0
    parameter: str | None = None
    deleted: bool = False
    date: CmDateTime = None
    access_time: CmDateTime = None


class Hit(ClickMeterModel):
    """One click or view; `is_unique` / `is_spider` / `is_proxy` arrive as "1" / "0"."""

    #: Clickstream rows only: "012691042@20170426212421792704001".
    id: str | None = None
    type: str | None = None
    access_time: CmDateTime = None
    ip: str | None = None
    org: str | None = None
    referer: str | None = None
    client_language: str | None = None
    query_params: str | None = None
    real_destination_url: str | None = None
    is_unique: bool = False
    is_spider: bool = False
    is_proxy: bool = False
    browser: HitBrowser | None = None
    os: HitOs | None = None
    location: HitLocation | None = None
    source: HitSource | None = None
    entity: HitEntity | None = None
    conversions: list[HitConversion] = Field(default_factory=list)
    conversion1: HitConversion | None = None
    conversion2: HitConversion | None = None
    conversion3: HitConversion | None = None
    conversion4: HitConversion | None = None
    conversion5: HitConversion | None = None


class HitListPage(ClickMeterModel):
    """A page of `/hits`; pass `last_key` back as `offset` (absent on the last page)."""

    hits: list[Hit] = Field(default_factory=list)
    last_key: str | None = None


class ClickstreamPage(ClickMeterModel):
    """`/clickstream`: `{"rows": [...]}` (the spec says `entities`; both accepted)."""

    rows: list[Hit] = Field(default=[], validation_alias=AliasChoices("rows", "entities"))


class _Lean(BaseModel):
    # Only the named fields are read; the rest of a row (names, URLs, dates) is skipped by the
    # JSON parser without building Python objects, which is what keeps 10,000 rows cheap.
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


class _TagName(_Lean):
    name: str | None = None


class _TaggedEntity(_Lean):
    tags: list[_TagName] = Field(default_factory=list)


class ClickCount(_Lean):
    """One row of a summary read for its clicks only (`ClickMeterClient.datapoint_clicks`).

    `entity_id` is the datapoint's or group's id as an integer; `total_clicks` is 0 when
    ClickMeter omits it and must be a whole number (a string or fraction is a bad response).
    """

    entity_id: Natural | None = None
    total_clicks: StrictNatural = 0
    entity_data: _TaggedEntity | None = None

    @property
    def tags(self) -> frozenset[str]:
        """The row's tag names, stripped and lower-cased (a tag listed twice counts once)."""
        if self.entity_data is None:
            return frozenset()
        return frozenset((tag.name or "").strip().lower() for tag in self.entity_data.tags)


class ClickCountPage(_Lean):
    """One page of a summary read for clicks: `count` is the total over all pages."""

    count: StrictNatural = 0
    result: list[ClickCount] = Field(default_factory=list)
