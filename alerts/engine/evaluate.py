"""Per rule and subject: build the rule's detector, step it with an interval, keep its state.

A rule's `detector_state` column holds one entry per watched subject (today a rule watches one):

    {"datapoint:42": {"detector": {...detector state...}, "recent": [12, 9, 14, ...]}}

`detector` is the `alerts.detect` state (its baseline, recent window and episode machine);
`recent` is the clicks of the last `RECENT_KEEP` judged intervals, oldest first, for the
sparkline in alert messages. `seed_rule` fills an entry from ClickMeter's history when a rule is
created (so a spike or drop rule judges from its first cycle instead of after an hour of
warm-up); `step_subject` advances one entry by one interval, purely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.detect import Decision, Detector, Observation, make_detector
from alerts.engine.intervals import Interval, day_start_and_length, local_day_of, local_time
from alerts.notice import AlertNotice, NoticeKind
from clickmeter import AggregatedResult, ClickMeterClient, Period, Timeframe
from storage import AlertRule, utcnow
from storage.subjects import ACCOUNT, Subject

#: Intervals kept for the sparkline (3 hours of 5-minute polls).
RECENT_KEEP = 36
#: Days of daily totals a new rule's baseline is seeded with.
SEED_DAYS = 28


def detector_for(rule: AlertRule, *, interval_seconds: float, tz: str) -> Detector:
    """The rule's configured detector. A threshold rule's window (15 min, 1 h, 1 d) becomes a
    number of poll intervals; spike and drop use their sensitivity's own windows."""
    window = None
    if rule.condition == "threshold":
        window = max(1, round((rule.window_seconds or interval_seconds) / interval_seconds))
    return make_detector(
        rule.condition,
        rule.sensitivity or "medium",
        threshold=rule.threshold,
        interval_seconds=interval_seconds,
        tz=tz,
        window=window,
    )


def subject_entry(rule: AlertRule, subject: Subject) -> tuple[dict[str, Any] | None, list[int]]:
    """(detector state or None, recent counts) stored for `subject` on the rule."""
    raw = (rule.detector_state or {}).get(subject.key)
    if not isinstance(raw, Mapping):
        return None, []
    detector = raw.get("detector")
    recent = [int(v) for v in raw.get("recent", [])]
    return (dict(detector) if isinstance(detector, Mapping) else None), recent


def with_entry(
    states: Mapping[str, Any] | None, subject: Subject, detector: dict[str, Any], recent: list[int]
) -> dict[str, Any]:
    """A new `detector_state` value with `subject`'s entry replaced (input left untouched)."""
    updated = dict(states or {})
    updated[subject.key] = {"detector": detector, "recent": recent[-RECENT_KEEP:]}
    return updated


@dataclass(frozen=True)
class Stepped:
    """One subject's step: the new rule state and the detector's decision."""

    subject: Subject
    states: dict[str, Any]
    decision: Decision
    recent: list[int]


def step_subject(
    rule: AlertRule, subject: Subject, interval: Interval, *, interval_seconds: float, tz: str
) -> Stepped:
    """Step the rule's detector for `subject` with a judged interval (pure: the rule object is
    not modified; store `Stepped.states` in the same transaction as what the decision causes)."""
    detector = detector_for(rule, interval_seconds=interval_seconds, tz=tz)
    state, recent = subject_entry(rule, subject)
    observation = Observation.ending(interval.end, interval.clicks, interval.seconds)
    new_state, decision = detector.step(state, observation)
    recent = [*recent, interval.clicks][-RECENT_KEEP:]
    return Stepped(
        subject, with_entry(rule.detector_state, subject, new_state, recent), decision, recent
    )


# -- seeding --------------------------------------------------------------------------------


def _daily(rows: list[AggregatedResult], zone: ZoneInfo) -> list[Observation]:
    observations = []
    for row in rows:
        day = row.from_day.date() if isinstance(row.from_day, datetime) else row.from_day
        if day is None:
            continue
        start, seconds = day_start_and_length(day, zone)
        observations.append(Observation(start, row.total_clicks, seconds))
    # Leading empty days are usually days before the link existed, not a quiet link.
    while observations and observations[0].count == 0:
        observations.pop(0)
    return observations


def _hourly(row: AggregatedResult, day: date, zone: ZoneInfo, now: datetime) -> list[Observation]:
    observations = []
    for hour, counters in sorted(row.hours().items()):
        start = local_time(day, hour, zone)
        if start + timedelta(hours=1) <= now:  # only finished hours: a partial one looks quiet
            observations.append(Observation(start, counters.total_clicks, 3600.0))
    return observations


async def _history(
    client: ClickMeterClient, subject: Subject, zone: ZoneInfo, now: datetime, days: int
) -> list[Observation]:
    today = local_day_of(now, zone)
    yesterday = today - timedelta(days=1)
    daily = Period.custom(today - timedelta(days=days), yesterday)
    share = 1.0
    if subject.kind == "tag":
        # ClickMeter has no per-tag aggregate. The tag's share of the account's clicks over the
        # last 7 days (one pass over the per-link summary pages) scales the account's daily and
        # hourly history: the account's rhythm at the tag's volume, for 3 + pages requests.
        share = await _tag_share(client, subject.ref)
        subject = ACCOUNT
    if subject.kind == "datapoint":
        link = int(subject.ref)
        rows = await client.datapoint_aggregated_list(link, daily)
        hours = [
            await client.datapoint_aggregated(link, tf, hourly=True)
            for tf in ("yesterday", "today")
        ]
    elif subject.kind == "group":
        group = int(subject.ref)
        rows = await client.group_aggregated_list(group, daily)
        hours = [
            await client.group_aggregated(group, tf, hourly=True) for tf in ("yesterday", "today")
        ]
    else:
        rows = await client.aggregated_list(daily)
        hours = [await client.aggregated(tf, hourly=True) for tf in ("yesterday", "today")]
    observations = _daily(rows, zone)
    for day, row in zip((yesterday, today), hours, strict=True):
        observations += _hourly(row, day, zone, now)
    if share != 1.0:
        observations = [Observation(o.start, o.count * share, o.seconds) for o in observations]
    return observations


async def _tag_share(client: ClickMeterClient, tag: str) -> float:
    """The share of the account's clicks of the last 7 days that went to links tagged `tag`."""
    tagged = everything = 0
    async for row in client.iter_datapoints_summary(Timeframe.LAST7):
        everything += row.total_clicks
        data = row.datapoint
        if data is not None and tag in {(t.name or "").strip().lower() for t in data.tags}:
            tagged += row.total_clicks
    return tagged / everything if everything else 0.0


async def seed_rule(
    client: ClickMeterClient,
    rule: AlertRule,
    *,
    interval_seconds: float = 300.0,
    now: datetime | None = None,
    days: int = SEED_DAYS,
) -> dict[str, Any]:
    """The `detector_state` to store on a newly created rule: its detector seeded with the
    subject's daily totals of the last `days` days and yesterday's and today's finished hours
    (3 requests; a tag rule also reads the last 7 days' per-link summary pages, to scale the
    account's history by the tag's share). Threshold
    rules learn no baseline and make no request. Raises `ClickMeterError` as the client does;
    a caller that cannot seed may store `{}`: the detector then warms up live (about an hour)."""
    subject = rule.subject
    now = now or utcnow()
    zone = await client.account_zone()
    detector = detector_for(rule, interval_seconds=interval_seconds, tz=zone.key)
    if rule.condition == "threshold":
        return with_entry(rule.detector_state, subject, detector.new_state(), [])
    history = await _history(client, subject, zone, now, days)
    return with_entry(rule.detector_state, subject, detector.seed(history), [])


async def test_notice(
    rule: AlertRule,
    *,
    client: ClickMeterClient | None = None,  # noqa: PT028 - not a test, a TEST notice
    now: datetime | None = None,  # noqa: PT028
    timezone: str | None = None,  # noqa: PT028
) -> AlertNotice:
    """The TEST notice `/clickmeter alert test <id>` posts: the rule's real subject and
    condition with sample figures (the rule's recent counts when it has seen traffic). Makes no
    request unless `client` is given and `timezone` is not (then it asks the account's zone)."""
    now = now or utcnow()
    if timezone is None:
        timezone = (await client.account_zone()).key if client is not None else "UTC"
    subject = rule.subject
    _, recent = subject_entry(rule, subject)
    sample = recent[-12:] or [4, 5, 3, 6, 5, 4, 7, 5, 6, 4, 5, 5]
    normal = max(1.0, sum(sample) / len(sample))
    observed = {"spike": normal * 5, "drop": 0.0}.get(
        rule.condition, float(rule.threshold or 0) + 1
    )
    expected = float(rule.threshold or 0) if rule.condition == "threshold" else normal
    spiky = [*sample[:-1], round(observed)] if rule.condition != "drop" else [*sample[:-3], 0, 0, 0]
    return AlertNotice(
        kind=NoticeKind.TEST,
        team_id=rule.team_id,
        at=now,
        timezone=timezone,
        rule_id=rule.id,
        condition=rule.condition,
        subject=subject.key,
        subject_label=rule.scope_label,
        link_id=subject.link_id,
        observed=observed,
        expected=expected,
        window_seconds=rule.window_seconds or 300,
        threshold=rule.threshold,
        sensitivity=rule.sensitivity,
        started_at=now,
        recent=spiky,
        message="This is a test: it shows what an alert of this rule will look like.",
    )


test_notice.__test__ = False  # type: ignore[attr-defined]  # pytest: not a test function
