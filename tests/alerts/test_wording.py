"""What alerts say, for every kind: on synthetic notices, and on real NAB series replayed through
the real spike and drop detectors, their first episode turned into a notice the way the engine
does (`alerts.engine.episodes.notice_for` with `decision_figures`), rendered for Slack and for
a webhook. The words must carry the detector's own numbers."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from alerts.detect import Decision, make_detector, read_series, replay
from alerts.engine.episodes import decision_figures, level_shift, notice_for, stored_shift
from alerts.engine.telling import Context
from alerts.messages import render, thread_reply
from alerts.notice import AlertNotice, NoticeKind
from alerts.wording import describe, lasted_words, webhook_event
from devtools.localslack import validate_blocks
from messages.humane import approx, count, rate, share_of_normal, times
from storage import AlertEpisode, AlertRule
from tests.alerts.deliver.helpers import STARTED, notice

NAB = Path(__file__).resolve().parents[2] / "data" / "nab" / "data"
ROME = "Europe/Rome"


def said(message_blocks: list[dict[str, Any]]) -> str:
    return json.dumps(message_blocks, ensure_ascii=False)


# --- synthetic: each kind, firing and resolved -----------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "what", "sentence"),
    [
        ({}, "spike", "412 clicks in 15 min, normally ~40"),
        ({"observed": 412, "expected": 38.4}, "spike", "412 clicks in 15 min, normally ~38"),
        (
            {"condition": "drop", "observed": 3, "expected": 120, "window_seconds": 3600},
            "drop",
            "3 clicks in the last hour, normally ~120",
        ),
        (
            {"condition": "drop", "observed": 0, "expected": 80, "window_seconds": 7200},
            "no_clicks",
            "no clicks for 2 hours, normally ~40 an hour",
        ),
        (
            {"condition": "threshold", "threshold": 1000, "observed": 1234},
            "above_threshold",
            "1,234 clicks in 15 min, above your threshold of 1,000 (normally ~40)",
        ),
        (
            {"observed": 1_234_567, "expected": 45_678, "window_seconds": 86400},
            "spike",
            "1.2M clicks in the last day, normally ~46,000",
        ),
        (
            {"observed": 1, "expected": 0.2, "window_seconds": 86400, "interval_seconds": 86400},
            "spike",
            "1 click in the last day, normally ~0.2",
        ),
        (
            {
                "observed": 130,
                "expected": 40,
                "window_seconds": 3600,
                "shift_ratio": 3.04,
                "shift_since": STARTED - timedelta(minutes=20),
            },
            "stepped_up",
            "clicks stepped up to ~3x normal since 13:40 CET and stayed (normally ~40 an hour)",
        ),
        (
            {
                "condition": "drop",
                "observed": 13,
                "expected": 40,
                "window_seconds": 3600,
                "shift_ratio": 0.34,
                "shift_since": STARTED - timedelta(minutes=20),
            },
            "stepped_down",
            "clicks dropped to about a third of normal since 13:40 CET (normally ~40 an hour)",
        ),
    ],
)
def test_each_kind_says_what_it_saw(overrides: dict[str, Any], what: str, sentence: str) -> None:
    firing = notice(rule_id=12, **{"interval_seconds": 300, **overrides})
    facts = describe(firing)
    assert (facts.what, facts.summary) == (what, sentence)
    message = render(firing)
    assert validate_blocks(message.block_dicts()) == []
    assert sentence[:1].upper() + sentence[1:] in said(message.block_dicts())
    assert sentence[:1].upper() + sentence[1:] in message.text
    # The webhook gets the same facts as fields, not only as text.
    body = webhook_event(firing, delivery_id=7)
    assert body["facts"]["summary"] == sentence
    assert body["facts"]["what"] == what
    assert body["facts"]["observed"] == firing.observed
    assert body["facts"]["expected"] == firing.expected


def test_a_level_shift_is_headlined_as_one_and_resolves_from_where_it_began() -> None:
    began = STARTED - timedelta(minutes=20)  # 13:40 CET
    shift: dict[str, Any] = {
        "observed": 130,
        "expected": 40,
        "window_seconds": 3600,
        "interval_seconds": 300,
        "shift_ratio": 3.04,
        "shift_since": began,
    }
    firing = render(notice(rule_id=12, **shift))
    assert firing.block_dicts()[0]["text"]["text"] == "🚨 Clicks stepped up on spring-sale"
    ended = notice(
        NoticeKind.RESOLVED, rule_id=12, resolved_at=began + timedelta(hours=3, minutes=20), **shift
    )
    facts = describe(ended)
    assert facts.summary == "back to normal (~40 an hour) after 3 h 20 min"
    assert facts.lasted_seconds == 12000
    assert facts.since == began
    assert "Back to normal (~40 an hour) after 3 h 20 min" in said(render(ended).block_dicts())
    reply = thread_reply(ended).text
    assert (
        reply
        == "✅ Resolved after 3 h 20 min: clicks are back to normal (~40 an hour) on spring-sale."
    )
    assert webhook_event(ended, 3)["facts"]["since"] == began.isoformat().replace("+00:00", "Z")


def test_a_resolved_threshold_says_it_is_back_under() -> None:
    ended = notice(
        NoticeKind.RESOLVED,
        condition="threshold",
        threshold=100,
        observed=12,
        resolved_at=STARTED + timedelta(minutes=40),
    )
    facts = describe(ended)
    assert facts.what == "below_threshold"
    assert facts.summary == "back under your threshold (100 in 15 min) after 40 min"


def test_outage_notices_carry_no_facts() -> None:
    assert "facts" not in webhook_event(notice(NoticeKind.OUTAGE, condition=None), 1)


@pytest.mark.parametrize(
    ("interval", "window", "expected", "normal"),
    [
        (300, 300, 12, "normally ~12"),
        (300, 900, 12, "normally ~12"),
        (300, 7200, 80, "normally ~40 an hour"),
        (3600, 3600, 40, "normally ~40"),
        (3600, 3 * 3600, 120, "normally ~40 an hour"),
        (86400, 86400, 1234, "normally ~1,200"),
        (86400, 3 * 86400, 3600, "normally ~1,200 a day"),
    ],
)
def test_a_drop_to_zero_reads_per_interval_from_5_min_to_1_day(
    interval: int, window: int, expected: float, normal: str
) -> None:
    zero = notice(
        condition="drop",
        observed=0,
        expected=expected,
        window_seconds=window,
        interval_seconds=interval,
    )
    assert describe(zero).summary.endswith(normal)
    assert describe(zero).summary.startswith("no clicks for ")


# --- real series: NAB files through the real detectors ---------------------------------------


def first_episode(path: Path, kind: str, points: int) -> tuple[Decision, Decision | None, float]:
    """The decision that fired the first episode of `kind` (medium, at the file's own interval)
    on the first `points` of `path`, the one that resolved it (None if still open there), and
    the file's interval in seconds."""
    observations, nominal = read_series(path)
    detector = make_detector(kind, "medium", interval_seconds=nominal)
    result = replay(detector, observations[:points])
    episode = result.episodes[0]
    fired = result.decisions[episode.fired_index]
    resolved = result.decisions[episode.resolved_index] if episode.resolved_index else None
    return fired, resolved, nominal


def engine_notice(
    kind: NoticeKind,
    condition: str,
    decision: Decision,
    *,
    started_at: datetime | None = None,
    details: dict[str, Any] | None = None,
    interval: float = 300.0,
) -> AlertNotice:
    """The notice the engine makes for `decision` (its own `notice_for` and figures) about an
    episode that started at `started_at` (default: the decision) with stored `details`."""
    rule = AlertRule(
        id=5,
        team_id="T0CLICKBOT",
        created_by="U0ALICE",
        channel_id="C0GENERAL",
        scope_kind="link",
        scope_ref="123",
        scope_label="spring-sale",
        condition=condition,
        sensitivity="medium",
    )
    resolved = kind is NoticeKind.RESOLVED
    row = AlertEpisode(
        id=9,
        subject="datapoint:123",
        started_at=started_at or decision.at,
        resolved_at=decision.at if resolved else None,
        details=details or {},
    )
    ctx = Context(now=decision.at + timedelta(minutes=5), timezone=ROME, webhooks=())
    figures = {**stored_shift(details or {}), **decision_figures(decision, interval)}
    return notice_for(kind, rule, row, recent=[], ctx=ctx, **figures)


def window_words(seconds: float) -> str:
    return {
        300: "in 5 min",
        1200: "in 20 min",
        3600: "in the last hour",
        4800: "in the last 1 h 20 min",
        7200: "in the last 2 hours",
    }[round(seconds)]


@pytest.mark.parametrize(
    ("file", "kind", "points"),
    [
        ("realTweets/Twitter_volume_FB.csv", "spike", 1000),
        ("realTweets/Twitter_volume_FB.csv", "drop", 500),
        ("realAWSCloudwatch/ec2_network_in_257a54.csv", "spike", 500),
        ("realKnownCause/nyc_taxi.csv", "drop", 200),
    ],
)
def test_a_real_first_episode_is_told_with_the_detectors_numbers(
    file: str, kind: str, points: int
) -> None:
    fired, _, interval = first_episode(NAB / file, kind, points)
    assert "sustained_ratio" not in fired.details  # these are plain spikes and drops
    firing = engine_notice(NoticeKind.FIRING, kind, fired, interval=interval)
    facts = describe(firing)
    words = f"{count(fired.observed)} clicks {window_words(fired.seconds)}"
    expected = round(fired.expected, 2)
    # Up to an hour, normal is over the same span; past it, a rate per hour.
    normal = approx(expected) if fired.seconds <= 3600 else rate(expected, fired.seconds, interval)
    assert facts.summary == f"{words}, normally {normal}"
    assert (facts.observed, facts.expected) == (round(fired.observed, 2), round(fired.expected, 2))
    assert facts.window_seconds == round(fired.seconds)
    message = render(firing)
    assert validate_blocks(message.block_dicts()) == []
    assert facts.summary[:1].upper() + facts.summary[1:] in message.text
    assert webhook_event(firing, 1)["facts"] == facts.model_dump(mode="json")


def test_a_real_drop_to_zero_says_no_clicks() -> None:
    # Twitter's feed went silent for two hours on 2015-03-11 (NAB labels it on AMZN): the
    # drop that fires there, not an earlier one on a quiet night.
    observations, _ = read_series(NAB / "realTweets/Twitter_volume_AMZN.csv")
    result = replay(make_detector("drop", "medium"), observations[:3700])
    fired = result.decisions[result.episodes[-1].fired_index]
    assert fired.at.date().isoformat() == "2015-03-11"
    assert fired.observed == 0
    facts = describe(engine_notice(NoticeKind.FIRING, "drop", fired))
    assert facts.what == "no_clicks"
    assert facts.summary == f"no clicks for 5 min, normally {approx(round(fired.expected, 2))}"


def test_a_real_level_shift_down_says_since_when_and_by_how_much() -> None:
    path = NAB / "realAWSCloudwatch/iio_us-east-1_i-a2eb1cd9_NetworkIn.csv"
    fired, _, _ = first_episode(path, "drop", 600)
    ratio, intervals = fired.details["sustained_ratio"], fired.details["sustained_intervals"]
    since = fired.at - timedelta(seconds=300 * (intervals - 1))
    assert level_shift(fired, 300.0) == {"shift_ratio": ratio, "shift_since": since}
    firing = engine_notice(NoticeKind.FIRING, "drop", fired)
    facts = describe(firing)
    clock = since.astimezone(ZoneInfo(ROME))
    assert facts.what == "stepped_down"
    assert facts.summary.startswith(
        f"clicks dropped to {share_of_normal(ratio)} of normal since {clock:%H:%M} {clock.tzname()}"
    )
    assert (facts.ratio, facts.since) == (ratio, since)
    assert (
        render(firing).block_dicts()[0]["text"]["text"] == "🚨 Clicks stepped down on spring-sale"
    )


def test_a_level_shift_up_on_nabs_jumpsup_series() -> None:
    fired, _, _ = first_episode(NAB / "artificialWithAnomaly/art_daily_jumpsup.csv", "spike", 3300)
    ratio = fired.details["sustained_ratio"]
    facts = describe(engine_notice(NoticeKind.FIRING, "spike", fired))
    assert facts.what == "stepped_up"
    assert facts.summary.startswith(f"clicks stepped up to {times(ratio)} normal since ")
    assert (
        facts.summary.split(" normal since ")[1].split(" and stayed")[0].endswith(("CET", "CEST"))
    )


def test_a_real_level_shift_resolves_back_to_normal_after_its_length() -> None:
    """The engine keeps the shift in the episode's details; the RESOLVED notice reads it there
    (the resolving decision has no shift of its own) and counts the time from the shift's start."""
    fired, resolved, _ = first_episode(
        NAB / "artificialWithAnomaly/art_daily_jumpsup.csv", "spike", 4032
    )
    assert resolved is not None
    shift = level_shift(fired, 300.0)
    details = {"shift_ratio": shift["shift_ratio"], "shift_since": shift["shift_since"].isoformat()}
    ended = engine_notice(
        NoticeKind.RESOLVED, "spike", resolved, started_at=fired.at, details=details
    )
    facts = describe(ended)
    lasted = resolved.at - shift["shift_since"]
    assert facts.lasted_seconds == round(lasted.total_seconds())
    assert facts.summary == (
        f"back to normal ({rate(resolved.expected, resolved.seconds, 300)}) "
        f"after {lasted_words(lasted)}"
    )
