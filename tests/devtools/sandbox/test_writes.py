"""The sandbox's writes as the real service answers them: new tracking links, status changes,
the recorded refusal bodies, the plan's quota, the domains, and a new link's traffic."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from devtools.sandbox import traffic
from devtools.sandbox.app import create_app
from devtools.sandbox.config import SandboxConfig
from devtools.sandbox.writes import create_datapoint
from tests.conftest import SANDBOX_START, Sandbox

MakeSandbox = Callable[..., Sandbox]
LINK = {"type": 0, "name": "made-here", "title": "Made here", "typeTL": {"url": "https://e.x/a"}}


def post(sandbox: Sandbox, path: str, body: Any) -> tuple[int, Any]:
    response = sandbox.api.post(path, json=body)
    return response.status_code, response.json()


def test_a_new_link_is_listed_counted_grouped_and_tagged(make_sandbox: MakeSandbox) -> None:
    own = make_sandbox(datapoints=10)
    group = own.state()["groups"][0]
    count = own.api.get("/datapoints/count").json()["count"]
    status, created = post(
        own,
        "/datapoints",
        {**LINK, "groupId": group["id"], "tags": [{"name": "brand-new"}], "preferred": True},
    )
    assert status == 200
    assert created == {"id": created["id"], "uri": f"/datapoints/{created['id']}"}
    served = own.api.get(created["uri"]).json()
    assert served["trackingCode"] == "https://s87.eu/made-here"
    assert served["preferred"] is True
    assert own.api.get("/datapoints/count").json()["count"] == count + 1
    in_group = own.api.get(f"/groups/{group['id']}/datapoints", params={"limit": 100}).json()
    assert created["id"] in [e["id"] for e in in_group["entities"]]
    (tag,) = [t for t in own.api.get("/tags", params={"name": "brand-new"}).json()["entities"]]
    assert own.api.get(f"/tags/{tag['id']}").json()["datapoints"] == [created["id"]]
    summary = own.api.get(
        "/aggregated/summary/datapoints", params={"timeframe": "today", "type": "tl", "limit": 100}
    ).json()
    assert created["id"] in [int(r["entityId"]) for r in summary["result"]]


@pytest.mark.parametrize(
    ("change", "prop", "code"),
    [
        ({"name": "spring sale"}, "Name", "0012"),
        ({"name": ""}, "Name", "0002"),
        ({"typeTL": {"url": "ftp://e.x/a"}}, "Url", "0014"),
        ({"typeTL": {"url": "https:///a"}}, "Url", "0014"),
        ({"typeTL": {"url": "https://e.x/" + "a" * 2000}}, "Url", "0014"),
        ({"typeTL": {"url": "https://e.x/a", "domainId": 77}}, "DomainId", "0015"),
        ({"groupId": 5}, "GroupId", "0016"),
        ({"groupId": "x"}, "GroupId", "0004"),
        ({"type": 1}, "Type", "0003"),
        ({"tags": "email"}, "Tags", "0001"),
    ],
)
def test_refusals_are_the_recorded_403_body(
    make_sandbox: MakeSandbox, change: dict[str, Any], prop: str, code: str
) -> None:
    own = make_sandbox(datapoints=10)
    status, body = post(own, "/datapoints", {**LINK, **change})
    assert status == 403
    assert [(e["property"], e["code"]) for e in body["errors"]] == [(prop, code)]


def test_a_used_name_is_code_0013_and_the_plan_quota_a_bare_403(make_sandbox: MakeSandbox) -> None:
    own = make_sandbox(datapoints=10, max_datapoints=10)
    taken = own.state()["datapoints"][0]["name"]
    status, body = post(own, "/datapoints", {**LINK, "name": taken})
    assert (status, body["errors"][0]["errorMessage"]) == (403, "Specified name is alread used.")
    assert post(own, "/datapoints", LINK)[0] == 200  # 9 live of 10: one left
    status, body = post(own, "/datapoints", {**LINK, "name": "one-too-many"})
    assert status == 403
    assert set(body) == {"errorCode", "httpErrorCode", "Message"}
    plan = own.api.get("/me/plan").json()
    assert plan["usedDatapoints"] == plan["maximumDatapoints"] == 10


def test_status_changes_and_what_cannot_change(make_sandbox: MakeSandbox) -> None:
    own = make_sandbox(datapoints=10)
    links = own.state()["datapoints"]
    live = next(d for d in links if d["status"] == 0)
    deleted = next(d for d in links if d["status"] == 3)
    body = own.api.get(f"/datapoints/{live['id']}").json()
    assert post(own, f"/datapoints/{live['id']}", {**body, "status": "Paused"})[0] == 200
    assert own.api.get(f"/datapoints/{live['id']}").json()["status"] == 1
    assert post(own, f"/datapoints/{live['id']}", {**body, "status": 0})[0] == 200
    assert "status" not in own.api.get(f"/datapoints/{live['id']}").json()
    status, refused = post(own, f"/datapoints/{live['id']}", {**body, "status": 3})
    assert (status, refused["errors"][0]["property"]) == (403, "Status")
    assert post(own, f"/datapoints/{deleted['id']}", {"status": 0})[0] == 403
    assert post(own, "/datapoints/1", {"status": 0})[0] == 404


@pytest.mark.parametrize("raw", [b"{", b"[1, 2]", b'"text"', b"null", b""])
def test_bodies_that_are_no_object_are_refused_not_a_500(
    make_sandbox: MakeSandbox, raw: bytes
) -> None:
    own = make_sandbox(datapoints=10)
    response = own.api.post(
        "/datapoints", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["property"] == "Body"


def test_the_shared_sandbox_refuses_writes(sandbox: Sandbox) -> None:
    status, body = post(sandbox, "/datapoints", LINK)
    assert status == 403
    assert body["httpErrorCode"] == 403


def test_domains(sandbox: Sandbox) -> None:
    assert sandbox.api.get("/domains").json() == {"entities": [{"id": 1, "uri": "/domains/1"}]}
    assert sandbox.api.get("/domains", params={"type": "dedicated"}).json() == {"entities": []}
    assert sandbox.api.get("/domains/count").json() == {"count": 1}
    assert sandbox.api.get("/domains/1").json() == {"id": 1, "name": "s87.eu"}
    assert sandbox.api.get("/domains/2").status_code == 404


def test_a_new_link_gets_traffic_without_taking_the_others(make_sandbox: MakeSandbox) -> None:
    app = create_app(SandboxConfig("k", datapoints=15, start=SANDBOX_START, rate_limit=0))
    acct = app.state.sandbox.account
    hours = np.array([acct.now_us() + k * traffic.HOUR_US for k in range(1, 25)])
    before = traffic.expected_per_hour(acct.catalog, hours)
    create_datapoint(acct, LINK)
    after = traffic.expected_per_hour(acct.catalog, hours)
    assert np.allclose(after[:, :-1], before)
    assert after[:, -1].sum() > 0

    own = make_sandbox(datapoints=10, frozen=True)
    _, created = post(own, "/datapoints", LINK)
    own.control("clock", {"advance_seconds": 6 * 3600})
    totals = own.api.get(f"{created['uri']}/aggregated", params={"timeframe": "today"}).json()
    assert totals.get("totalClicks", 0) > 0
