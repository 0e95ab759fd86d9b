"""What the client sends to make and change tracking links, and the tracking domains.

Requests are written the way the real service takes them (and the way its own clients send
them): camelCase names, integer enums (`type` 0, `redirectType` 301), unset fields left out.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

from clickmeter._models import ClickMeterModel
from clickmeter._models_entities import DatapointStatus, DatapointType, RedirectType

#: Longest destination URL the client sends (ClickMeter's own form stops well before).
MAX_DESTINATION_URL = 2000
#: Longest link name (the path of the tracking URL) and title.
MAX_LINK_NAME = 100
MAX_LINK_TITLE = 200


class ClickMeterRequest(BaseModel):
    """Base of every request body: camelCase on the wire, nothing but the declared fields."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )

    def body(self) -> dict[str, Any]:
        """The JSON body: wire names, enums as their integers, unset (None) fields left out."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class NewTag(ClickMeterRequest):
    """A tag of a new link, by name: ClickMeter reuses the account's tag of that name or makes
    one."""

    name: str = Field(min_length=1, max_length=100)


class NewTrackingLinkTarget(ClickMeterRequest):
    """`typeTL` of a new link: where it redirects, from which tracking domain, and how."""

    url: str = Field(min_length=1, max_length=MAX_DESTINATION_URL)
    domain_id: int
    redirect_type: RedirectType = RedirectType.PERMANENT


class NewTrackingLink(ClickMeterRequest):
    """`POST /datapoints` for a tracking link; ClickMeter answers `{"id", "uri"}`."""

    type: DatapointType = DatapointType.TRACKING_LINK
    name: str = Field(min_length=1, max_length=MAX_LINK_NAME)
    title: str = Field(min_length=1, max_length=MAX_LINK_TITLE)
    #: None: the account's default group.
    group_id: int | None = None
    tags: list[NewTag] | None = None
    preferred: bool | None = None
    type_tl: NewTrackingLinkTarget = Field(alias="typeTL")


class DatapointUpdate(ClickMeterRequest):
    """`POST /datapoints/{id}`: the datapoint as ClickMeter served it (every field kept as it
    came, unknown ones too), with the fields to change set; ClickMeter answers `{"id", "uri"}`.
    """

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True
    )

    status: DatapointStatus


def _domain_type(value: Any) -> Any:
    names = {0: "system", 1: "go", 2: "dedicated", 3: "personal"}
    if isinstance(value, int) and not isinstance(value, bool):
        return names.get(value, str(value))
    return value.lower() if isinstance(value, str) else value


class Domain(ClickMeterModel):
    """`GET /domains/{id}`: a tracking domain (`s87.eu`); a link's URL is `<domain>/<name>`.
    `type` is "system" (ClickMeter's own, the default and so omitted), "go", "dedicated" or
    "personal"."""

    id: int = 0
    name: str | None = None
    type: Annotated[str, BeforeValidator(_domain_type)] = "system"
    custom404: str | None = Field(default=None, alias="custom404")
    custom_homepage: str | None = None
