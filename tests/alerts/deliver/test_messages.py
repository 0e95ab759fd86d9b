"""Alert messages: every kind renders valid Block Kit within Slack's limits, with fallback text,
the count against normal, the right buttons, and times in the account's zone."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alerts.messages import channel_problem, render, thread_reply
from alerts.notice import NoticeKind
from devtools.localslack import validate_blocks
from tests.alerts.deliver.helpers import STARTED, notice


def texts(blocks: list[dict[str, Any]]) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


@pytest.mark.parametrize("kind", list(NoticeKind))
def test_every_kind_is_valid_block_kit_with_fallback_text(kind: NoticeKind) -> None:
    message = render(notice(kind, rule_id=12, resolved_at=STARTED + timedelta(minutes=40)))
    assert validate_blocks(message.block_dicts()) == []
    assert message.text.strip()
    reply = thread_reply(notice(kind, rule_id=12))
    assert validate_blocks(reply.block_dicts()) == []
    assert reply.text


@pytest.mark.parametrize(
    ("condition", "headline", "count"),
    [
        ("spike", "🚨 Click spike on spring-sale", "412 clicks in 15 min, normally ~40"),
        ("drop", "🚨 Traffic dropped on spring-sale", "3 clicks in 15 min, normally ~40"),
        (
            "threshold",
            "🚨 Threshold crossed on spring-sale",
            "412 clicks in 15 min, above your threshold of 100 (normally ~40)",
        ),
    ],
)
def test_firing_says_what_against_normal(condition: str, headline: str, count: str) -> None:
    observed = 3 if condition == "drop" else 412
    message = render(notice(condition=condition, observed=observed, threshold=100, rule_id=12))
    assert message.block_dicts()[0]["text"]["text"] == headline
    assert count in texts(message.block_dicts())
    assert message.text.startswith(headline)


def test_firing_shows_sparkline_start_time_in_the_account_zone_and_rule() -> None:
    message = render(notice(rule_id=12, timezone="Europe/Rome"))
    body = texts(message.block_dicts())
    assert "▂" in body
    assert "█" in body
    assert "peak 412" in body
    assert "14:00 CET" in body  # 13:00 UTC in Rome, in March
    assert "#12 · spike (medium)" in body


def test_firing_buttons_carry_rule_and_link() -> None:
    message = render(notice(rule_id=12, link_id=123))
    assert action_ids(message.block_dicts()) == [
        "alert_mute_1h",
        "alert_mute_1d",
        "alert_show_link",
    ]
    actions = next(b for b in message.block_dicts() if b["type"] == "actions")
    values = {json.dumps(json.loads(e["value"]), sort_keys=True) for e in actions["elements"]}
    assert values == {'{"link_id": 123, "rule_id": 12}'}
    assert action_ids(render(notice(rule_id=12, link_id=None)).block_dicts()) == [
        "alert_mute_1h",
        "alert_mute_1d",
    ]


def test_update_says_still_going_and_peak_so_far() -> None:
    message = render(notice(NoticeKind.UPDATE, rule_id=12, observed=530))
    assert message.block_dicts()[0]["text"]["text"].startswith("🚨 Still going: click spike")
    assert "peak so far" in texts(message.block_dicts())
    assert "(for 15 min)" in texts(message.block_dicts())


def test_resolved_keeps_only_show_link_stats_and_says_how_long() -> None:
    ended = notice(NoticeKind.RESOLVED, rule_id=12, resolved_at=STARTED + timedelta(hours=2))
    message = render(ended)
    assert message.block_dicts()[0]["text"]["text"] == "✅ Resolved: click spike on spring-sale"
    assert action_ids(message.block_dicts()) == ["alert_show_link"]
    assert "Back to normal (~40 in 15 min) after 2 h" in texts(message.block_dicts())
    assert "14:00 CET – 16:00 CET" in texts(message.block_dicts())
    reply = thread_reply(ended)
    assert reply.text.startswith("✅ Resolved after 2 h: clicks are back to normal")


def test_test_alerts_say_so_and_have_no_mute_buttons() -> None:
    message = render(notice(NoticeKind.TEST, rule_id=7))
    assert "This is a test" in texts(message.block_dicts())
    assert "test" in message.text.lower()
    assert action_ids(message.block_dicts()) == []


def test_outage_and_recovery_are_plain_notices() -> None:
    outage = render(notice(NoticeKind.OUTAGE, rule_id=None, condition=None))
    assert outage.block_dicts()[0]["text"]["text"] == "⚠️ Can't read ClickMeter"
    back = render(notice(NoticeKind.RECOVERED, message="Back after 3 cycles."))
    assert "Back after 3 cycles." in texts(back.block_dicts())
    assert action_ids(outage.block_dicts()) == action_ids(back.block_dicts()) == []


def test_names_cannot_ping_or_break_the_message() -> None:
    message = render(notice(subject_label="<!channel> & `x` " * 40, rule_id=1))
    assert "<!channel>" not in message.text
    assert "<!channel>" not in texts(message.block_dicts()[1:])
    assert validate_blocks(message.block_dicts()) == []


def test_an_unknown_time_zone_falls_back_to_utc() -> None:
    assert "13:00 UTC" in texts(render(notice(timezone="Mars/Olympus")).block_dicts())


@pytest.mark.parametrize(
    ("error", "says"),
    [
        ("not_in_channel", "invite @clickbot to <#C0RANDOM>"),
        ("is_archived", "unarchive <#C0RANDOM>"),
        ("channel_not_found", "I can't find <#C0RANDOM>"),
    ],
)
def test_channel_problem_says_what_to_do(error: str, says: str) -> None:
    dm = channel_problem(rule_id=4, subject_label="spring-sale", channel="C0RANDOM", error=error)
    assert says in dm.text
    assert "/clickmeter alert remove 4" in dm.text
    assert validate_blocks(dm.block_dicts()) == []


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(list(NoticeKind)),
    label=st.text(max_size=400),
    observed=st.floats(0, 1e9),
    expected=st.floats(0, 1e9),
    recent=st.lists(st.integers(0, 10**9), max_size=500),
    window=st.sampled_from([300, 900, 3600, 86400, 7 * 86400]),
    message=st.none() | st.text(max_size=5000),
)
def test_any_notice_renders_within_slacks_limits(
    kind: NoticeKind,
    label: str,
    observed: float,
    expected: float,
    recent: list[int],
    window: int,
    message: str | None,
) -> None:
    what = notice(
        kind,
        subject_label=label,
        observed=observed,
        expected=expected,
        recent=recent,
        window_seconds=window,
        message=message,
        rule_id=3,
    )
    for rendered in (render(what), thread_reply(what)):
        assert validate_blocks(rendered.block_dicts()) == []
        assert 0 < len(rendered.text) <= 3000
