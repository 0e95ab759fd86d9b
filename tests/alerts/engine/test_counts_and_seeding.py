"""Reading counts in one batched pass, seeding rules from history, and TEST notices."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

import pytest

from alerts.detect.state import load
from alerts.engine import read_counts, seed_rule, test_notice
from alerts.notice import NoticeKind
from clickmeter import ClickMeterClient
from storage import AlertRule
from storage.subjects import ACCOUNT, Subject
from tests.alerts.engine.conftest import make_client
from tests.conftest import Sandbox


@pytest.fixture
async def client(sandbox: Sandbox) -> AsyncIterator[ClickMeterClient]:
    client = make_client(sandbox)
    yield client
    await client.aclose()


def _rule(**fields: Any) -> AlertRule:
    values: dict[str, Any] = {
        "id": 7,
        "team_id": "T1",
        "channel_id": "C1",
        "scope_kind": "account",
        "scope_ref": "account",
        "scope_label": "the account",
        "condition": "spike",
        "sensitivity": "medium",
        "threshold": None,
        "window_seconds": None,
        "detector_state": {},
    }
    values.update(fields)
    return AlertRule(**values)


def _now(sandbox: Sandbox) -> datetime:
    return datetime.fromisoformat(sandbox.state()["clock"]["now"])


async def test_one_pass_gives_every_subject_consistently(
    sandbox: Sandbox, client: ClickMeterClient
) -> None:
    state = sandbox.state()
    links = [d for d in state["datapoints"] if d["type"] == 0]
    link = max(links, key=lambda d: d["today_clicks"])
    tag = link["tags"][0]
    group = state["groups"][0]
    linked = Subject("datapoint", str(link["id"]))
    tagged_with = Subject("tag", tag)
    grouped = Subject("group", str(group["id"]))
    subjects = {ACCOUNT, linked, tagged_with, grouped}
    reading = await read_counts(client, subjects, clock=lambda: _now(sandbox))
    assert reading.calls == 2  # one page of links (60 < 100) and one of groups
    assert reading.totals[ACCOUNT] == sum(d["today_clicks"] for d in links)
    assert reading.totals[ACCOUNT] == state["today"]["totalClicks"]  # same as /aggregated
    assert reading.totals[linked] == link["today_clicks"]
    tagged = sum(d["today_clicks"] for d in links if tag in d["tags"])
    assert reading.totals[tagged_with] == tagged
    in_group = set(group["datapoints"])
    assert reading.totals[grouped] == sum(
        d["today_clicks"] for d in state["datapoints"] if d["id"] in in_group
    )
    assert str(reading.local_day) == state["clock"]["today"]


async def test_without_group_rules_the_groups_are_not_read(
    sandbox: Sandbox, client: ClickMeterClient
) -> None:
    subjects = {ACCOUNT, Subject("tag", "email")}
    reading = await read_counts(client, subjects, clock=lambda: _now(sandbox))
    assert reading.calls == 1


@pytest.mark.parametrize(
    ("scope_kind", "scope_ref"),
    [("account", "account"), ("link", None), ("group", None), ("tag", "email")],
)
async def test_seeding_makes_a_rule_ready_from_its_first_cycle(
    sandbox: Sandbox, client: ClickMeterClient, scope_kind: str, scope_ref: str | None
) -> None:
    state = sandbox.state()
    if scope_kind == "link":
        scope_ref = str(max(state["datapoints"], key=lambda d: d["today_clicks"])["id"])
    elif scope_kind == "group":
        scope_ref = str(state["groups"][0]["id"])
    rule = _rule(scope_kind=scope_kind, scope_ref=scope_ref)
    seeded = await seed_rule(client, rule, now=_now(sandbox))
    entry = seeded[rule.subject.key]
    live = load(entry["detector"])
    assert live is not None
    assert live.model.learnt >= 86400  # past the one-day warm-up: it judges at once
    assert live.model.level is not None
    assert live.model.level > 0
    assert entry["recent"] == []


async def test_threshold_rules_are_seeded_without_a_request(client: ClickMeterClient) -> None:
    rule = _rule(condition="threshold", threshold=100, window_seconds=900, sensitivity=None)
    broken = SimpleNamespace(account_zone=client.account_zone)  # any other call would fail
    seeded = await seed_rule(broken, rule)  # type: ignore[arg-type]
    assert seeded["account"]["detector"]["kind"] == "threshold"


async def test_test_notice_shows_the_rule_as_an_alert_would(client: ClickMeterClient) -> None:
    rule = _rule(scope_kind="link", scope_ref="42", scope_label="spring-sale")
    notice = await test_notice(rule, client=client)
    assert notice.kind is NoticeKind.TEST
    assert (notice.rule_id, notice.subject, notice.link_id) == (7, "datapoint:42", 42)
    assert notice.observed > notice.expected
    assert notice.timezone == "Europe/Berlin"
    assert notice.message
    drop = await test_notice(_rule(condition="drop"))
    assert drop.observed < drop.expected
    assert drop.timezone == "UTC"
