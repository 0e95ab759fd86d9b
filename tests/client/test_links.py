"""Making and pausing tracking links: the request ClickMeter gets, what it answers, and each
refusal as its own exception, against the sandbox (its own API read back) and a scripted API
(what is sent, and what is never retried)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import pytest

from clickmeter import (
    ClickMeterClient,
    DatapointStatus,
    InvalidUrlError,
    NameTakenError,
    QuotaExceededError,
    RateLimitedError,
    ServerError,
    UnknownGroupError,
)
from tests.client.conftest import FakeApi, MakeClient, Reply
from tests.conftest import Sandbox

MakeSandbox = Callable[..., Sandbox]


@pytest.fixture
def own(make_sandbox: MakeSandbox) -> Sandbox:
    return make_sandbox(datapoints=20)


@pytest.fixture
async def client(own: Sandbox) -> AsyncIterator[ClickMeterClient]:
    async with ClickMeterClient(own.api_key, base_url=own.url, requests_per_second=None) as c:
        yield c


async def test_a_new_link_is_what_clickmeter_then_serves(
    own: Sandbox, client: ClickMeterClient
) -> None:
    group = own.state()["groups"][1]
    before = own.api.get("/datapoints/count").json()["count"]
    domain = await client.default_domain()
    made = await client.create_datapoint(
        "https://shop.example.com/spring?utm_source=slack",
        name="spring-slack",
        domain_id=domain.id,
        group_id=group["id"],
        tags=["email", "slack-made"],
    )
    served = own.api.get(f"/datapoints/{made.id}").json()
    assert served["name"] == made.name == "spring-slack"
    assert served["trackingCode"] == made.tracking_code == f"https://{domain.name}/spring-slack"
    assert served["typeTL"]["url"] == "https://shop.example.com/spring?utm_source=slack"
    assert served["groupId"] == made.group_id == group["id"]
    assert sorted(t["name"] for t in served["tags"]) == ["email", "slack-made"]
    assert own.api.get("/datapoints/count").json()["count"] == before + 1
    listed = own.api.get(f"/groups/{group['id']}/datapoints", params={"limit": 100}).json()
    assert made.id in [e["id"] for e in listed["entities"]]
    plan = own.api.get("/me/plan").json()
    assert plan["usedDatapoints"] == before + 1 - len(
        [d for d in own.state()["datapoints"] if d["status"] == 3]
    )


async def test_without_a_group_a_link_goes_in_the_default_group(
    own: Sandbox, client: ClickMeterClient
) -> None:
    made = await client.create_datapoint(
        "http://example.com/", name="plain", domain_id=(await client.default_domain()).id
    )
    assert made.group_name == "Default"
    assert own.api.get(f"/groups/{made.group_id}").json()["name"] == "Default"


async def test_each_refusal_is_its_own_error(own: Sandbox, client: ClickMeterClient) -> None:
    taken = own.state()["datapoints"][0]["name"]
    with pytest.raises(NameTakenError) as caught:
        await client.create_datapoint("https://example.com/", name=taken, domain_id=1)
    assert caught.value.errors[0].code == "0013"
    with pytest.raises(InvalidUrlError):
        await client.create_datapoint("ftp://example.com/file", name="new-one", domain_id=1)
    with pytest.raises(UnknownGroupError):
        await client.create_datapoint(
            "https://example.com/", name="new-one", domain_id=1, group_id=999
        )


async def test_a_full_plan_is_a_quota_error_with_its_numbers(make_sandbox: MakeSandbox) -> None:
    full = make_sandbox(datapoints=12, max_datapoints=11)  # 11 live ones (one is deleted)
    async with ClickMeterClient(full.api_key, base_url=full.url, requests_per_second=None) as c:
        plan = await c.plan()
        assert plan.used_datapoints == plan.maximum_datapoints == 11
        with pytest.raises(QuotaExceededError) as caught:
            await c.create_datapoint("https://example.com/", name="one-more", domain_id=1)
    assert (caught.value.used, caught.value.maximum) == (11, 11)
    assert full.api.get("/datapoints/count").json()["count"] == 12


async def test_pause_and_resume_change_the_status_clickmeter_serves(
    own: Sandbox, client: ClickMeterClient
) -> None:
    link = next(d for d in own.state()["datapoints"] if d["status"] == 0 and d["type"] == 0)
    paused = await client.set_datapoint_status(link["id"], "paused")
    assert paused.status is DatapointStatus.PAUSED
    assert own.api.get(f"/datapoints/{link['id']}").json()["status"] == 1
    listed = own.api.get("/datapoints", params={"status": "paused", "limit": 100}).json()
    assert link["id"] in [e["id"] for e in listed["entities"]]
    resumed = await client.set_datapoint_status(link["id"], DatapointStatus.ACTIVE)
    assert resumed.status is DatapointStatus.ACTIVE
    assert "status" not in own.api.get(f"/datapoints/{link['id']}").json()  # 0 is omitted
    with pytest.raises(ValueError, match="active or paused"):
        await client.set_datapoint_status(link["id"], DatapointStatus.DELETED)


async def test_the_request_is_the_real_services_shape(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.json("/datapoints", {"id": 42, "uri": "/datapoints/42"})
    fake_api.json("/datapoints/42", {"id": 42, "name": "n", "trackingCode": "http://9nl.es/n"})
    client = make_client()
    made = await client.create_datapoint(
        "https://example.com/a", name="n", domain_id=1501, group_id=7, tags=["x"]
    )
    assert made.tracking_code == "http://9nl.es/n"
    (post,) = [r for r in fake_api.seen("/datapoints") if r.method == "POST"]
    assert post.headers["content-type"] == "application/json"
    assert json.loads(post.body) == {
        "type": 0,
        "name": "n",
        "title": "n",
        "groupId": 7,
        "tags": [{"name": "x"}],
        "typeTL": {"url": "https://example.com/a", "domainId": 1501, "redirectType": 301},
    }


async def test_a_status_change_posts_the_datapoint_back_whole(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    served = {"id": 5, "name": "n", "groupId": 3, "typeTL": {"url": "https://e.x/", "domainId": 1}}
    fake_api.reply(
        "/datapoints/5",
        Reply(served),
        Reply({"id": 5, "uri": "/datapoints/5"}),
        Reply({**served, "status": 1}),
    )
    paused = await make_client().set_datapoint_status(5, "paused")
    assert paused.status is DatapointStatus.PAUSED
    post = next(r for r in fake_api.seen("/datapoints/5") if r.method == "POST")
    assert json.loads(post.body) == {**served, "status": 1}


async def test_a_write_is_never_repeated_after_a_server_error(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply("/datapoints", Reply({"Message": "An error has occurred."}, 500))
    with pytest.raises(ServerError):
        await make_client().create_datapoint("https://e.x/", name="n", domain_id=1)
    assert len(fake_api.seen("/datapoints")) == 1


async def test_a_write_refused_with_429_is_tried_again(
    fake_api: FakeApi, make_client: MakeClient
) -> None:
    fake_api.reply(
        "/datapoints",
        Reply({"Message": "slow down"}, 429),
        Reply({"id": 9, "uri": "/datapoints/9"}),
    )
    fake_api.json("/datapoints/9", {"id": 9, "name": "n"})
    made = await make_client().create_datapoint("https://e.x/", name="n", domain_id=1)
    assert made.id == 9
    assert [r.method for r in fake_api.seen("/datapoints")] == ["POST", "POST"]
    fake_api.reset()
    fake_api.reply("/datapoints", Reply({"Message": "slow down"}, 429))
    with pytest.raises(RateLimitedError):
        await make_client(max_attempts=2).create_datapoint("https://e.x/", name="n", domain_id=1)


async def test_a_write_drops_the_answers_kept_before_it(own: Sandbox) -> None:
    link = next(d for d in own.state()["datapoints"] if d["status"] == 0 and d["type"] == 0)
    async with ClickMeterClient(
        own.api_key, base_url=own.url, requests_per_second=None, cache_ttl=600
    ) as cached:
        assert (await cached.datapoint(link["id"])).status is DatapointStatus.ACTIVE
        count = await cached.datapoints_count()
        await cached.set_datapoint_status(link["id"], "paused")
        assert (await cached.datapoint(link["id"])).status is DatapointStatus.PAUSED
        await cached.create_datapoint("https://e.x/", name="cached-new", domain_id=1)
        assert await cached.datapoints_count() == count + 1
