"""Whatever ClickMeter answers with a 200, the client returns models or raises ClickMeterError.

Bodies are generated two ways: shaped like ClickMeter's (its field names, with values of any
JSON type, nested as its answers nest) and garbage (any bytes). They are served through an
in-process transport, so every example is a real parse of a real httpx response, offline.
Never a ValueError, KeyError, TypeError or pydantic error: those would escape the poller's
`except ClickMeterError` and the bot's error answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clickmeter import ClickMeterClient, ClickMeterError

#: Field names ClickMeter's answers use, so generated objects reach the models' validators.
FIELDS = (
    "count",
    "limit",
    "offset",
    "result",
    "rows",
    "entities",
    "entityId",
    "entityData",
    "datapointId",
    "groupId",
    "id",
    "uri",
    "name",
    "tags",
    "status",
    "type",
    "totalClicks",
    "uniqueClicks",
    "totalViews",
    "conversionsValue",
    "hourlyBreakDown",
    "activityDay",
    "fromDay",
    "creationDate",
    "lastHitDate",
    "timezonename",
    "hits",
    "lastKey",
    "accessTime",
    "isUnique",
    "data",
    "typeTL",
    "redirectType",
    "0",
    "23",
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(["00010101000000", "20260318143000", "20260318", "Paused", "7", "-1", "²"])
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=6), inner, max_size=6)
    ),
    max_leaves=25,
)
SHAPED = st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=8).map(
    lambda body: json.dumps(body).encode()
)
#: `/aggregated?hourly=true`: hours (and not-hours) to counters of any type.
HOURLY = st.fixed_dictionaries(
    {
        "entityId": SCALARS,
        "hourlyBreakDown": st.dictionaries(
            st.sampled_from(["0", "7", "23", "24", "²", "٣", "x"]),
            st.dictionaries(st.sampled_from(FIELDS), SCALARS, max_size=4) | SCALARS,
            max_size=4,
        ),
    }
).map(lambda body: json.dumps(body).encode())
BODIES = (
    SHAPED | HOURLY | JSON.map(lambda body: json.dumps(body).encode()) | st.binary(max_size=200)
)

Call = Callable[[ClickMeterClient], Awaitable[object]]


async def _drain(pages: Any) -> list[object]:
    return [item async for item in pages]


CALLS: dict[str, Call] = {
    "me": lambda c: c.me(),
    "plan": lambda c: c.plan(),
    "datapoint_clicks": lambda c: _drain(c.datapoint_clicks("today")),
    "group_clicks": lambda c: _drain(c.group_clicks("today")),
    "summary": lambda c: _drain(c.iter_datapoints_summary("last7")),
    "aggregated": lambda c: c.aggregated("today", hourly=True),
    "hours": lambda c: _hours(c),
    "aggregated_list": lambda c: c.aggregated_list("last7"),
    "datapoints": lambda c: c.datapoints(expand=True),
    "datapoint": lambda c: c.datapoint(7),
    "group": lambda c: c.group(7),
    "tag": lambda c: c.tag(7),
    "count": lambda c: c.datapoints_count(),
    "top": lambda c: c.top("countries", "last7"),
    "hits": lambda c: _drain(c.iter_hits("last7")),
    "clickstream": lambda c: c.clickstream(),
}


async def _hours(client: ClickMeterClient) -> object:
    result = await client.aggregated("today", hourly=True)
    return [(hour, row.numeric_entity_id) for hour, row in result.hours().items()]


async def _answer(body: bytes, call: Call, requests: int = 20) -> None:
    asked = 0

    def serve(request: httpx.Request) -> httpx.Response:
        nonlocal asked
        asked += 1
        # Bounded by the client's page checks; a runaway read would trip this.
        assert asked <= requests, f"{asked} requests for one call"
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    client = ClickMeterClient(
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        base_url="https://apiv2.clickmeter.invalid",
        zone=ZoneInfo("Europe/Rome"),
        requests_per_second=None,
        max_attempts=1,
        transport=httpx.MockTransport(serve),
    )
    try:
        await call(client)
    except ClickMeterError:
        pass
    finally:
        await client.aclose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=BODIES)
def test_any_body_gives_models_or_a_clickmeter_error(body: bytes) -> None:
    async def every_call() -> None:
        for call in CALLS.values():
            await _answer(body, call)

    asyncio.run(every_call())


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(min_value=0, max_value=10**7),
    rows=st.lists(
        st.fixed_dictionaries(
            {"entityId": st.integers(0, 300).map(str), "totalClicks": st.integers(0, 10**6)}
        ),
        max_size=120,
    ),
)
def test_any_page_repeated_for_every_offset_is_read_within_a_round(
    count: int, rows: list[dict[str, object]]
) -> None:
    # A service that ignores `offset`: whatever `count` says, a read stops within one round.
    body = json.dumps({"count": count, "result": rows}).encode()
    asyncio.run(_answer(body, CALLS["datapoint_clicks"], requests=1 + 4 + 4))
