"""Making and changing tracking links: `POST /datapoints`, `POST /datapoints/{id}`, and the
tracking domains a link's URL is made on (`/domains`).

ClickMeter has no endpoint for a status alone: a datapoint is updated by posting it back whole
(`POST /datapoints/{id}`, the spec's "Update a datapoint"), so a status change reads the link,
changes `status` and sends everything else as ClickMeter gave it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from clickmeter._client_base import ClientBase, query
from clickmeter._exceptions import (
    BadResponseError,
    ClickMeterError,
    ForbiddenError,
    InvalidUrlError,
    NameTakenError,
    QuotaExceededError,
    UnknownGroupError,
    ValidationError,
)
from clickmeter._models import Plan
from clickmeter._models_entities import (
    Datapoint,
    DatapointStatus,
    Entities,
    EntityUri,
    RedirectType,
)
from clickmeter._models_links import (
    DatapointUpdate,
    Domain,
    NewTag,
    NewTrackingLink,
    NewTrackingLinkTarget,
)

DomainType = Literal["system", "go", "personal", "dedicated"]
#: The code ClickMeter gives "Specified name is alread used." (sic) on `Name`.
NAME_TAKEN_CODE = "0013"


def _refusal(error: ValidationError) -> ValidationError:
    """`error` as the specific refusal its first field names (else as it is)."""
    for field in error.errors:
        prop = (field.property or "").replace("_", "").lower().rsplit(".", 1)[-1]
        message = (field.error_message or "").lower()
        kind: type[ValidationError] | None = None
        if prop == "name" and (field.code == NAME_TAKEN_CODE or "used" in message):
            kind = NameTakenError
        elif prop.endswith("url"):
            kind = InvalidUrlError
        elif prop in ("groupid", "group"):
            kind = UnknownGroupError
        if kind is not None:
            return kind(
                str(error),
                errors=error.errors,
                status_code=error.status_code,
                api_message=error.api_message,
                endpoint=error.endpoint,
            )
    return error


class LinksMixin(ClientBase):
    """Writes: each call is one change at ClickMeter, never repeated after a doubtful answer."""

    async def _post(self, path: str, body: dict[str, Any]) -> EntityUri:
        try:
            data = await self._http.post_json(path, body)
        except ValidationError as exc:
            raise _refusal(exc) from None
        if self._cache is not None:
            # Kept answers may now be wrong (a list without the new link, an old status);
            # writes are rare, so all of them go.
            self._cache.forget()
        created = self._validate(EntityUri, data, path, None)
        if not created.id:
            raise BadResponseError(f"ClickMeter POST {path} answered no id", endpoint=path)
        return created

    async def create_datapoint(
        self,
        url: str,
        *,
        name: str,
        domain_id: int,
        title: str | None = None,
        group_id: int | None = None,
        tags: Sequence[str] = (),
        redirect_type: RedirectType = RedirectType.PERMANENT,
        preferred: bool = False,
    ) -> Datapoint:
        """Creates a tracking link to `url` named `name` on the tracking domain `domain_id`
        (`default_domain()` gives the account's), in group `group_id` (None: the account's
        default group), with `tags` (by name); returns it as ClickMeter now has it.

        Raises NameTakenError, InvalidUrlError, UnknownGroupError, QuotaExceededError (the
        plan's datapoints are all used) or another ClickMeterError; values no request could
        carry (an empty name, a URL over MAX_DESTINATION_URL) are a ValueError (pydantic's)
        before any request."""
        request = NewTrackingLink(
            name=name,
            title=title or name,
            group_id=group_id,
            tags=[NewTag(name=tag) for tag in tags] or None,
            preferred=preferred or None,
            type_tl=NewTrackingLinkTarget(
                url=url, domain_id=domain_id, redirect_type=redirect_type
            ),
        )
        try:
            created = await self._post("/datapoints", request.body())
        except ForbiddenError as exc:
            raise await self._quota_or(exc) from None
        return await self._fetch_now(Datapoint, f"/datapoints/{created.id}", None)

    async def _quota_or(self, error: ForbiddenError) -> ForbiddenError:
        # ClickMeter's refusal of a datapoint over the plan is a bare 403; the plan says
        # whether that is why (a key without write rights gets the same status).
        try:
            plan = await self._fetch_now(Plan, "/me/plan", None)
        except ClickMeterError:
            return error  # the plan cannot be read: the refusal as ClickMeter gave it
        if plan.maximum_datapoints > 0 and plan.used_datapoints >= plan.maximum_datapoints:
            return QuotaExceededError(
                f"{error} (plan {plan.used_datapoints}/{plan.maximum_datapoints} datapoints)",
                used=plan.used_datapoints,
                maximum=plan.maximum_datapoints,
                status_code=error.status_code,
                error_code=error.error_code,
                http_error_code=error.http_error_code,
                api_message=error.api_message,
                endpoint=error.endpoint,
            )
        return error

    async def set_datapoint_status(
        self, datapoint_id: int, status: Literal["active", "paused"] | DatapointStatus
    ) -> Datapoint:
        """Pauses or resumes a datapoint (`POST /datapoints/{id}` with the whole datapoint,
        its `status` changed); returns it as ClickMeter now has it."""
        wanted = DatapointStatus[status.upper()] if isinstance(status, str) else status
        if wanted not in (DatapointStatus.ACTIVE, DatapointStatus.PAUSED):
            raise ValueError("a datapoint's status can only be set to active or paused")
        path = f"/datapoints/{datapoint_id}"
        current = await self._http.get_json(path)
        self._validate(Datapoint, current, path, None)  # the documented shape, or BadResponse
        if not isinstance(current, dict):
            raise BadResponseError(f"ClickMeter GET {path} answered no object", endpoint=path)
        update = DatapointUpdate.model_validate({**current, "status": wanted})
        await self._post(path, update.body())
        return await self._fetch_now(Datapoint, path, None)

    async def domains(
        self, *, kind: DomainType = "system", offset: int = 0, limit: int = 20
    ) -> list[EntityUri]:
        """One page of `GET /domains` of that type (ClickMeter's default: its system ones)."""
        params = query(type=kind, offset=offset or None, limit=limit)
        return (await self._fetch(Entities[EntityUri], "/domains", params)).entities

    async def domain(self, domain_id: int) -> Domain:
        """`GET /domains/{id}`."""
        return await self._fetch(Domain, f"/domains/{domain_id}")

    async def default_domain(self) -> Domain:
        """The tracking domain new links go on: the account's first dedicated (its own) domain
        if it has one, else ClickMeter's first system domain."""
        kinds: tuple[DomainType, ...] = ("dedicated", "system")
        for kind in kinds:
            listed = await self.domains(kind=kind, limit=1)
            if listed:
                return await self.domain(listed[0].id)
        raise BadResponseError("ClickMeter lists no tracking domain", endpoint="/domains")
