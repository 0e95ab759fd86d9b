"""`bot.home.home_view`, the pure builder: valid for Slack (the local Slack's own validator)
whatever the workspace holds, firing alerts first, and every state worded as the lists do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.home import (
    HOME_MUTE_1H_ACTION,
    HOME_UNMUTE_ACTION,
    VIEW_BLOCK_LIMIT,
    button_id,
    home_view,
    no_database_view,
    unavailable_view,
)
from devtools.localslack import validate_view
from storage import AlertEpisode, AlertRule
from storage.models import Digest

NOW = datetime(2026, 3, 18, 13, 30, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def rule(rule_id: int, *, label: str = "spring-sale", muted: datetime | None = None) -> AlertRule:
    return AlertRule(
        id=rule_id,
        team_id="T1",
        created_by="U1",
        channel_id="C0MARKETING",
        scope_kind="link",
        scope_ref="1",
        scope_label=label,
        condition="threshold",
        threshold=1000,
        window_seconds=3600,
        muted_until=muted,
        created_at=NOW,
    )


def episode(rule_id: int, subject: str, started: datetime) -> AlertEpisode:
    return AlertEpisode(
        id=rule_id * 100 + len(subject),
        team_id="T1",
        rule_id=rule_id,
        subject=subject,
        kind="threshold",
        state="firing",
        started_at=started,
        last_update_at=started,
        observed=1200,
        expected=1000,
    )


def digest(digest_id: int, *, weekday: int | None = None) -> Digest:
    return Digest(
        id=digest_id,
        team_id="T1",
        created_by="U1",
        channel_id="C0MARKETING",
        cadence="weekly" if weekday is not None else "daily",
        weekday=weekday,
        at_time="09:00",
        timezone="Europe/Rome",
        reports=["countries", "referrers"],
        links_filter=None,
        created_at=NOW - timedelta(days=30),
        next_run_at=None,
    )


def built(view: Any) -> dict[str, Any]:
    data: dict[str, Any] = view.to_dict()
    assert validate_view(data) == []
    return data


def texts(view: dict[str, Any]) -> str:
    found = []
    for block in view["blocks"]:
        if isinstance(block.get("text"), dict):
            found.append(block["text"]["text"])
        found += [
            e.get("text", "") for e in block.get("elements") or [] if e.get("type") != "button"
        ]
    return "\n".join(found)


@pytest.mark.parametrize("rules", [0, 1, 44, 45, 46, 100, 300])
@pytest.mark.parametrize("digests", [0, 3, 20, 60])
@pytest.mark.parametrize("notice", [None, "done"])
def test_always_a_valid_view_within_the_block_limit(
    rules: int, digests: int, notice: str | None
) -> None:
    long_label = "campaign " + "&<>`" * 200
    view = built(
        home_view(
            [
                rule(i + 1, label=long_label, muted=NOW + timedelta(hours=i % 3))
                for i in range(rules)
            ],
            [episode(i + 1, f"datapoint:{i}", NOW) for i in range(0, rules, 2)],
            [digest(i + 1, weekday=i % 7 if i % 2 else None) for i in range(digests)],
            NOW,
            BERLIN,
            notice=notice,
        )
    )
    assert len(view["blocks"]) <= VIEW_BLOCK_LIMIT
    shown_rules = sum(
        1
        for b in view["blocks"]
        if b.get("block_id", "").endswith("_actions") and b["block_id"].startswith("alert_")
    )
    shown_digests = sum(
        1
        for b in view["blocks"]
        if b.get("block_id", "").endswith("_actions") and b["block_id"].startswith("digest_")
    )
    assert (shown_rules == rules) == ("alert list" not in texts(view))
    assert (shown_digests == digests) == ("digest list" not in texts(view))
    if rules and shown_rules < rules:
        assert f"… and {rules - shown_rules:,} more, see `/clickmeter alert list`" in texts(view)
    if digests:
        assert shown_digests >= min(digests, 11)  # digests keep a share of the tab


def test_firing_alerts_come_first_and_say_since_when() -> None:
    rules = [rule(1), rule(2, muted=NOW + timedelta(days=1)), rule(3)]
    episodes = [
        episode(3, "datapoint:1", NOW - timedelta(hours=2)),
        episode(3, "datapoint:22", NOW - timedelta(minutes=5)),
        episode(2, "account", NOW - timedelta(minutes=10)),
    ]
    view = built(home_view(rules, episodes, [], NOW, BERLIN))
    sections = [b for b in view["blocks"] if b.get("block_id") in ("alert_1", "alert_2", "alert_3")]
    assert [b["block_id"] for b in sections] == ["alert_2", "alert_3", "alert_1"]
    assert sections[0]["text"]["text"].endswith(
        "🔴 firing since 14:20 CET · 🔕 muted until Mar 19 14:30 CET"
    )
    assert sections[1]["text"]["text"].endswith("🔴 firing since 12:30 CET (2 subjects)")
    assert "clicks > 1,000 per 1h on *spring-sale* → <#C0MARKETING>" in sections[2]["text"]["text"]
    actions = {b["block_id"]: b for b in view["blocks"] if b["type"] == "actions"}
    assert actions["alert_2_actions"]["elements"][0]["action_id"] == HOME_UNMUTE_ACTION
    assert actions["alert_3_actions"]["elements"][0]["action_id"] == HOME_MUTE_1H_ACTION
    assert "*🔔 Alerts* · 3 alerts · 2 firing · 1 muted" in texts(view)


def test_a_weekly_digest_and_its_next_send_in_the_account_zone() -> None:
    view = built(home_view([], [], [digest(4, weekday=4)], NOW, ZoneInfo("America/New_York")))
    text = next(b for b in view["blocks"] if b.get("block_id") == "digest_4")["text"]["text"]
    # Friday Mar 20, 09:00 in Rome (CET) is 04:00 in New York (EDT).
    assert text == (
        "*#4* · every Friday at 09:00 Europe/Rome to <#C0MARKETING> · countries, referrers · "
        "the whole account\nNext: Mar 20 04:00 EDT"
    )


def test_the_other_views_are_valid() -> None:
    assert "DATABASE_URL" in texts(built(no_database_view(NOW, BERLIN)))
    assert "couldn't reach the alert database" in texts(built(unavailable_view(NOW, BERLIN)))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (" 7 ", 7),
        ("0", None),
        ("-3", None),
        ("x", None),
        ("", None),
        (None, None),
        ("١٢", None),
        ("9" * 30, None),
        (str(2**31 - 1), 2**31 - 1),
        (str(2**31), None),  # past the database's integer
        ("9" * 18, None),
    ],
)
def test_button_ids(value: object, expected: int | None) -> None:
    assert button_id(value) == expected
