"""Whatever the query string, the sandbox answers like the service: 200, 403 or 404, never 500."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Sandbox

PATHS = (
    "/aggregated",
    "/aggregated/list",
    "/aggregated/summary/datapoints",
    "/aggregated/summary/groups",
    "/aggregated/summary/conversions",
    "/reports",
    "/hits",
    "/clickstream",
    "/datapoints",
    "/datapoints/count",
    "/groups",
    "/tags",
    "/conversions",
    "/datapoints/{dp}/aggregated",
    "/datapoints/{dp}/hits",
    "/datapoints/{dp}/reports",
    "/groups/{group}/aggregated/summary",
    "/groups/{group}/aggregated/list",
    "/datapoints/{junk}",
    "/groups/{junk}/hits",
)
NAMES = (
    "timeframe",
    "TimeFrame",
    "fromDay",
    "toDay",
    "type",
    "status",
    "limit",
    "offset",
    "pageSize",
    "filter",
    "groupBy",
    "hourly",
    "hittype",
    "sortBy",
    "sortDirection",
    "tag",
    "tags",
    "textSearch",
    "groupId",
    "group",
    "datapoint",
    "conversion",
    "_expand",
    "createdAfter",
    "createdBefore",
    "favourite",
)
VALUES = st.one_of(
    st.sampled_from(
        [
            "today",
            "last7",
            "custom",
            "beginning",
            "lastyear",
            "tl",
            "TP",
            "countries",
            "week",
            "month",
            "true",
            "0",
            "-1",
            "100000",
            "20260301",
            "20260399",
            "00010101000000",
            "name",
            "asc",
            "spiders",
            "conversions",
            "views",
            "1-2",
            "",
            "null",
        ]
    ),
    st.text(max_size=12),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
)


@pytest.fixture(scope="module")
def ids(sandbox: Sandbox) -> tuple[int, int]:
    state = sandbox.state()
    return state["datapoints"][0]["id"], state["groups"][0]["id"]


@pytest.fixture(scope="module")
def kept_alive(sandbox: Sandbox) -> Iterator[httpx.Client]:
    """One client for all examples: hypothesis runs the test body many times."""
    with sandbox.client() as client:
        yield client


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    path=st.sampled_from(PATHS),
    params=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6),
    junk=st.text(min_size=1, max_size=8),
)
def test_no_query_string_makes_a_500(
    kept_alive: httpx.Client,
    ids: tuple[int, int],
    path: str,
    params: dict[str, str],
    junk: str,
) -> None:
    url = path.format(dp=ids[0], group=ids[1], junk=quote(junk, safe=""))
    response = kept_alive.get(url, params=params)
    assert response.status_code in (200, 403, 404), (url, params, response.text)
    response.json()
