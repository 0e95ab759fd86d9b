"""Every sandbox endpoint's body validates against ClickMeter's own OpenAPI schemas.

The only changes made to the schemas are the service deviations recorded in
devtools/sandbox/spec/README.md, applied as explicit overlays below.
"""

from __future__ import annotations

import copy
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from tests.conftest import Sandbox

# The contract is kept in the repository, so a bare clone's tests read the same document.
SPEC = Path(
    os.environ.get(
        "CLICKMETER_OPENAPI",
        Path(__file__).resolve().parents[3] / "devtools" / "sandbox" / "spec" / "openapi.json",
    )
)
P = "Api.Core.Dto."


@cache
def components() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(SPEC.read_text())["components"]["schemas"]
    return schemas


def schema(name: str) -> dict[str, Any]:
    found: dict[str, Any] = copy.deepcopy(components()[name])
    if name == f"{P}Datapoints.Datapoint":
        # README: Datapoint bodies carry integer enums, not the spec's strings.
        props = found["properties"]
        props["status"] = {"type": "integer", "enum": [0, 1, 2, 3]}  # Active..Deleted
        props["type"] = {"type": "integer", "enum": [0, 1]}  # TrackingLink, TrackingPixel
        props["typeTL"]["properties"]["redirectType"] = {"type": "integer", "enum": [301, 307]}
    return found


def check(instance: Any, name: str) -> None:
    OAS30Validator(schema(name)).validate(instance)


def entity_uris(instance: Any) -> None:
    check(
        instance, "Api.Core.Responses.EntitiesResponse_Api.Core.Responses.EntityUri_System.Int64_"
    )
    assert instance["entities"], "expected a non-empty list"


def aggregated_rows(body: Any) -> None:
    assert set(body) == {"rows"}
    assert body["rows"]
    for row in body["rows"]:
        check(row, f"{P}Aggregated.AggregatedResult")


def summary(body: Any) -> None:
    check(body, f"{P}Aggregated.AggregatedSummaryResult")
    assert body["result"]
    for item in body["result"]:
        check(item, f"{P}Aggregated.AggregatedResult")


def hits_page(body: Any) -> None:
    check(body, f"{P}ClickStream.HitListPage")
    assert body["hits"]


def clickstream(body: Any) -> None:
    assert set(body) == {"rows"}
    assert body["rows"]
    for row in body["rows"]:
        check(row, f"{P}ClickStream.Hit")


def top(body: Any) -> None:
    check(body, f"{P}Tops.Top")
    assert body["data"]


def validator_for(name: str) -> Any:
    return lambda body: check(body, name)


REPORT_TYPES = (
    "browsers",
    "browsersfamilies",
    "platforms",
    "cities",
    "countries",
    "isps",
    "ips",
    "oss",
    "ossfamilies",
    "keywords",
    "referrers",
    "destinations",
    "languages",
    "params",
)


def endpoints(state: dict[str, Any]) -> list[tuple[str, Any]]:
    """(path with query, validator) for every GET the sandbox serves."""
    dp = max(state["datapoints"], key=lambda d: d["today_clicks"])["id"]
    group = next(g["id"] for g in state["groups"] if dp in g["datapoints"])
    out: list[tuple[str, Any]] = [
        ("/me", validator_for(f"{P}Accounting.User")),
        ("/account/plan", validator_for(f"{P}Accounting.Plan")),
        ("/me/plan", validator_for(f"{P}Accounting.Plan")),
        ("/aggregated?timeframe=last7", validator_for(f"{P}Aggregated.AggregatedResult")),
        (
            "/aggregated?timeframe=today&hourly=true",
            validator_for(f"{P}Aggregated.AggregatedResult"),
        ),
        ("/aggregated/list?timeframe=last30", aggregated_rows),
        ("/aggregated/list?timeframe=last90&groupBy=week", aggregated_rows),
        ("/aggregated/list?timeframe=last90&groupBy=month", aggregated_rows),
        ("/aggregated/summary/datapoints?timeframe=last7&type=tl", summary),
        ("/aggregated/summary/groups?timeframe=last7", summary),
        (
            f"/datapoints/{dp}/aggregated?timeframe=last7",
            validator_for(f"{P}Aggregated.AggregatedResult"),
        ),
        (f"/datapoints/{dp}/aggregated/list?timeframe=last7", aggregated_rows),
        (
            f"/groups/{group}/aggregated?timeframe=last7&hourly=true",
            validator_for(f"{P}Aggregated.AggregatedResult"),
        ),
        (f"/groups/{group}/aggregated/list?timeframe=last7", aggregated_rows),
        (f"/groups/{group}/aggregated/summary?timeframe=last7", summary),
        ("/hits?timeframe=last7&limit=5", hits_page),
        (f"/datapoints/{dp}/hits?timeframe=last7", hits_page),
        (f"/groups/{group}/hits?timeframe=yesterday", hits_page),
        ("/hits?timeframe=last30&filter=conversions", hits_page),
        ("/clickstream", clickstream),
        (f"/clickstream?datapoint={dp}&pageSize=100", clickstream),
        (f"/clickstream?group={group}&filter=spiders", clickstream),
        ("/datapoints", entity_uris),
        ("/datapoints?_expand=true&limit=100", None),  # checked item by item below
        ("/datapoints/count", validator_for("Api.Core.Responses.CountResponce")),
        (f"/datapoints/{dp}", validator_for(f"{P}Datapoints.Datapoint")),
        ("/groups", entity_uris),
        ("/groups/count", validator_for("Api.Core.Responses.CountResponce")),
        (f"/groups/{group}", validator_for(f"{P}Groups.Group")),
        (f"/groups/{group}/datapoints", entity_uris),
        (f"/groups/{group}/datapoints/count", validator_for("Api.Core.Responses.CountResponce")),
        ("/tags", entity_uris),
        (f"/tags?datapoints={dp}", entity_uris),
        ("/conversions", entity_uris),
        ("/conversions/count", validator_for("Api.Core.Responses.CountResponce")),
        (
            f"/conversions/{state['conversions'][0]['id']}",
            validator_for(f"{P}Conversions.Conversion"),
        ),
        (f"/tags/{state['tags'][0]['id']}", validator_for(f"{P}Tags.Tag")),
        ("/tags/count", validator_for("Api.Core.Responses.CountResponce")),
        ("/aggregated/summary/conversions?timeframe=last30", summary),
    ]
    for kind in REPORT_TYPES:
        out.append((f"/reports?type={kind}&timeframe=last30", top))
    out.append((f"/datapoints/{dp}/reports?type=countries&timeframe=last7", top))
    out.append((f"/groups/{group}/reports?type=browsers&timeframe=last7", top))
    out.append(("/reports?type=platforms&timeframe=last30&hittype=views", top))
    return out


def test_every_endpoint_matches_its_schema(sandbox: Sandbox) -> None:
    state = sandbox.state()
    checked = 0
    client = sandbox.api
    for path, validate in endpoints(state):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text)
        body = response.json()
        if validate is not None:
            validate(body)
            checked += 1
    expanded = client.get("/datapoints?_expand=true&limit=100").json()["entities"]
    for item in expanded:
        check(item, f"{P}Datapoints.Datapoint")
    groups = client.get("/groups?_expand=true&limit=100").json()["entities"]
    for item in groups:
        check(item, f"{P}Groups.Group")
    for item in client.get("/tags?_expand=true&limit=100").json()["entities"]:
        check(item, f"{P}Tags.Tag")
    for item in client.get("/conversions?_expand=true").json()["entities"]:
        check(item, f"{P}Conversions.Conversion")
    assert checked > 40
    # The deviations the overlay encodes really are there: integer enums on the wire.
    statuses = {item.get("status", 0) for item in expanded}
    assert {1, 3} <= statuses
    assert all(isinstance(item.get("type", 0), int) for item in expanded)


@pytest.mark.parametrize("name", [f"{P}Datapoints.Datapoint"])
def test_overlay_rejects_the_spec_string_enums(name: str) -> None:
    """The overlay is strict: the spec's own string enums would now fail validation."""
    with pytest.raises(Exception, match="is not of type 'integer'"):
        check({"status": "Active"}, name)
