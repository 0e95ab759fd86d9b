"""Entity endpoints: datapoints, groups, tags and conversions (lists, counts, single objects).

Lists answer references (`EntityUri`) unless `expand=True`, which sends `_expand=true` (not in
the spec, but the real service and ClickMeter's own WordPress plugin use it) for full objects.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal, TypedDict, TypeVar, overload

from typing_extensions import Unpack

from clickmeter._client_base import ClientBase, query
from clickmeter._dates import format_ymdhis
from clickmeter._models import ClickMeterModel, Count
from clickmeter._models_entities import (
    Conversion,
    Datapoint,
    Entities,
    EntityUri,
    Group,
    Tag,
)

LIST_PAGE = 100
E = TypeVar("E", bound=ClickMeterModel)


class DatapointFilters(TypedDict, total=False):
    """Filters of `/datapoints`, `/groups/{id}/datapoints` and their counts."""

    kind: Literal["tl", "tp"]
    status: Literal["active", "paused", "deleted", "spam"]
    tags: str
    text: str
    only_favorites: bool
    sort_by: str
    sort_direction: Literal["asc", "desc"]
    created_after: datetime | str
    created_before: datetime | str


class GroupFilters(TypedDict, total=False):
    """Filters of `/groups` and `/groups/count`."""

    status: Literal["active", "deleted"]
    tags: str
    text: str
    created_after: datetime | str
    created_before: datetime | str
    write: bool


_WIRE_NAMES = {
    "kind": "type",
    "text": "textSearch",
    "only_favorites": "onlyFavorites",
    "sort_by": "sortBy",
    "sort_direction": "sortDirection",
    "created_after": "createdAfter",
    "created_before": "createdBefore",
}


class EntitiesMixin(ClientBase):
    """Lists page with offset/limit; the `iter_*` forms walk every page."""

    async def _params(self, filters: Any) -> dict[str, str | int | float | bool]:
        params: dict[str, str | int | float | bool] = {}
        items: dict[str, Any] = dict(filters)
        for name, value in items.items():
            if value is None:
                continue
            if isinstance(value, datetime):
                value = format_ymdhis(value, await self.account_zone())
            params[_WIRE_NAMES.get(name, name)] = value
        return params

    async def _list(
        self, model: type[E], path: str, offset: int, limit: int, expand: bool, filters: Any
    ) -> list[E]:
        params = await self._params(filters) | query(
            offset=offset or None, limit=limit, _expand="true" if expand else None
        )
        return (await self._fetch(Entities[model], path, params)).entities  # type: ignore[valid-type]

    async def _iter(
        self, model: type[E], path: str, expand: bool, filters: Any
    ) -> AsyncIterator[E]:
        offset = 0
        while True:
            page = await self._list(model, path, offset, LIST_PAGE, expand, filters)
            for item in page:
                yield item
            if len(page) < LIST_PAGE:
                return
            offset += LIST_PAGE

    async def _count(self, path: str, filters: Any) -> int:
        return (await self._fetch(Count, path, await self._params(filters))).count

    # Datapoints ---------------------------------------------------------------------------

    @overload
    async def datapoints(
        self,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[False] = ...,
        **filters: Unpack[DatapointFilters],
    ) -> list[EntityUri]: ...
    @overload
    async def datapoints(
        self,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[True],
        **filters: Unpack[DatapointFilters],
    ) -> list[Datapoint]: ...
    async def datapoints(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        expand: bool = False,
        **filters: Unpack[DatapointFilters],
    ) -> list[EntityUri] | list[Datapoint]:
        """One page of `GET /datapoints` (references, or full objects with `expand=True`)."""
        if expand:
            return await self._list(Datapoint, "/datapoints", offset, limit, True, filters)
        return await self._list(EntityUri, "/datapoints", offset, limit, False, filters)

    @overload
    def iter_datapoints(
        self, *, expand: Literal[False] = ..., **filters: Unpack[DatapointFilters]
    ) -> AsyncIterator[EntityUri]: ...
    @overload
    def iter_datapoints(
        self, *, expand: Literal[True], **filters: Unpack[DatapointFilters]
    ) -> AsyncIterator[Datapoint]: ...
    def iter_datapoints(
        self, *, expand: bool = False, **filters: Unpack[DatapointFilters]
    ) -> AsyncIterator[EntityUri] | AsyncIterator[Datapoint]:
        """Every datapoint matching `filters`, 100 per request."""
        if expand:
            return self._iter(Datapoint, "/datapoints", True, filters)
        return self._iter(EntityUri, "/datapoints", False, filters)

    async def datapoint(self, datapoint_id: int) -> Datapoint:
        """`GET /datapoints/{id}`; a deleted datapoint still answers, with status DELETED."""
        return await self._fetch(Datapoint, f"/datapoints/{datapoint_id}")

    async def datapoints_count(self, **filters: Unpack[DatapointFilters]) -> int:
        """`GET /datapoints/count`."""
        return await self._count("/datapoints/count", filters)

    # Groups -------------------------------------------------------------------------------

    @overload
    async def groups(
        self,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[False] = ...,
        **filters: Unpack[GroupFilters],
    ) -> list[EntityUri]: ...
    @overload
    async def groups(
        self,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[True],
        **filters: Unpack[GroupFilters],
    ) -> list[Group]: ...
    async def groups(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        expand: bool = False,
        **filters: Unpack[GroupFilters],
    ) -> list[EntityUri] | list[Group]:
        """One page of `GET /groups` (references, or full objects with `expand=True`)."""
        if expand:
            return await self._list(Group, "/groups", offset, limit, True, filters)
        return await self._list(EntityUri, "/groups", offset, limit, False, filters)

    @overload
    def iter_groups(
        self, *, expand: Literal[False] = ..., **filters: Unpack[GroupFilters]
    ) -> AsyncIterator[EntityUri]: ...
    @overload
    def iter_groups(
        self, *, expand: Literal[True], **filters: Unpack[GroupFilters]
    ) -> AsyncIterator[Group]: ...
    def iter_groups(
        self, *, expand: bool = False, **filters: Unpack[GroupFilters]
    ) -> AsyncIterator[EntityUri] | AsyncIterator[Group]:
        """Every group matching `filters`, 100 per request."""
        if expand:
            return self._iter(Group, "/groups", True, filters)
        return self._iter(EntityUri, "/groups", False, filters)

    async def group(self, group_id: int) -> Group:
        """`GET /groups/{id}`."""
        return await self._fetch(Group, f"/groups/{group_id}")

    async def groups_count(self, **filters: Unpack[GroupFilters]) -> int:
        """`GET /groups/count`."""
        return await self._count("/groups/count", filters)

    @overload
    async def group_datapoints(
        self,
        group_id: int,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[False] = ...,
        **filters: Unpack[DatapointFilters],
    ) -> list[EntityUri]: ...
    @overload
    async def group_datapoints(
        self,
        group_id: int,
        *,
        offset: int = ...,
        limit: int = ...,
        expand: Literal[True],
        **filters: Unpack[DatapointFilters],
    ) -> list[Datapoint]: ...
    async def group_datapoints(
        self,
        group_id: int,
        *,
        offset: int = 0,
        limit: int = 20,
        expand: bool = False,
        **filters: Unpack[DatapointFilters],
    ) -> list[EntityUri] | list[Datapoint]:
        """One page of `GET /groups/{id}/datapoints`."""
        path = f"/groups/{group_id}/datapoints"
        if expand:
            return await self._list(Datapoint, path, offset, limit, True, filters)
        return await self._list(EntityUri, path, offset, limit, False, filters)

    @overload
    def iter_group_datapoints(
        self,
        group_id: int,
        *,
        expand: Literal[False] = ...,
        **filters: Unpack[DatapointFilters],
    ) -> AsyncIterator[EntityUri]: ...
    @overload
    def iter_group_datapoints(
        self, group_id: int, *, expand: Literal[True], **filters: Unpack[DatapointFilters]
    ) -> AsyncIterator[Datapoint]: ...
    def iter_group_datapoints(
        self, group_id: int, *, expand: bool = False, **filters: Unpack[DatapointFilters]
    ) -> AsyncIterator[EntityUri] | AsyncIterator[Datapoint]:
        """Every datapoint of the group matching `filters`, 100 per request."""
        path = f"/groups/{group_id}/datapoints"
        if expand:
            return self._iter(Datapoint, path, True, filters)
        return self._iter(EntityUri, path, False, filters)

    async def group_datapoints_count(
        self, group_id: int, **filters: Unpack[DatapointFilters]
    ) -> int:
        """`GET /groups/{id}/datapoints/count`."""
        return await self._count(f"/groups/{group_id}/datapoints/count", filters)

    # Tags and conversions -----------------------------------------------------------------

    async def tags(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        name: str | None = None,
        kind: Literal["tp", "tl", "dp", "gr"] | None = None,
    ) -> list[EntityUri]:
        """One page of `GET /tags` (references; fetch one with `tag(id)`)."""
        filters = {"name": name, "kind": kind}
        return await self._list(EntityUri, "/tags", offset, limit, False, filters)

    async def tag(self, tag_id: int) -> Tag:
        """`GET /tags/{id}`: the tag and the ids of its datapoints and groups."""
        return await self._fetch(Tag, f"/tags/{tag_id}")

    async def conversions(
        self,
        *,
        offset: int = 0,
        limit: int = 20,
        status: Literal["active", "deleted"] | None = None,
        text: str | None = None,
    ) -> list[EntityUri]:
        """One page of `GET /conversions` (references; fetch one with `conversion(id)`)."""
        filters = {"status": status, "text": text}
        return await self._list(EntityUri, "/conversions", offset, limit, False, filters)

    async def conversion(self, conversion_id: int) -> Conversion:
        """`GET /conversions/{id}`."""
        return await self._fetch(Conversion, f"/conversions/{conversion_id}")
