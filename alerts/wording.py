"""What an alert saw, in a marketer's words, and the same facts as fields (`describe`).

One `Facts` per notice: Slack shows `summary` (`alerts.messages`), webhooks get every field
(`alerts.notice.webhook_event`), so a post and a payload never disagree. The sentences:

- threshold: `412 clicks in 15 min, above your threshold of 100 (normally ~40)`;
- spike: `412 clicks in 15 min, normally ~38`; drop: `3 clicks in the last hour, normally ~120`;
  a drop to zero: `no clicks for 2 hours, normally ~40 an hour`;
- level shift (the detector's `sustained_ratio`, `AlertNotice.shift_ratio`): `clicks stepped up
  to ~3x normal since 10:40 CET and stayed` / `clicks dropped to about a third of normal since
  10:40 CET`;
- resolved: `back to normal (~40 an hour) after 3 h 20 min`; a threshold: `back under your
  threshold (100 in 15 min) after 40 min`.

Times are in the notice's time zone, as everywhere in alerts. `webhook_event` is a webhook's JSON
body. Pure: no database, no network.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict

from alerts.notice import AlertNotice, NoticeKind
from messages import clock_time, short_datetime
from messages.humane import (
    DAY,
    HOUR,
    approx,
    count,
    duration,
    in_span,
    rate,
    rate_unit,
    share_of_normal,
    span,
    times,
)

#: The notices about an episode (outage and recovery notices have no facts to describe).
EPISODE_KINDS = frozenset(
    {NoticeKind.FIRING, NoticeKind.UPDATE, NoticeKind.RESOLVED, NoticeKind.TEST}
)

What = Literal[
    "above_threshold", "below_threshold", "spike", "drop", "no_clicks", "stepped_up", "stepped_down"
]


class Facts(BaseModel):
    """What an alert says, as fields. Counts are over `window_seconds`; `normal_rate` is what is
    normal per `rate_seconds` (an hour, a day, or the window itself)."""

    model_config = ConfigDict(frozen=True)

    what: What
    summary: str
    observed: float
    expected: float
    window_seconds: int
    normal_rate: float
    rate_seconds: int
    #: observed / expected, or the level shift's ratio to normal; None when normal is 0.
    ratio: float | None = None
    #: Since when traffic has been off normal (a level shift's first interval).
    since: AwareDatetime | None = None
    threshold: int | None = None
    #: For a resolved episode: how long it lasted.
    lasted_seconds: int | None = None


def describe(notice: AlertNotice) -> Facts:
    """The facts of `notice` (an episode's FIRING, UPDATE, RESOLVED or TEST) and the sentence
    saying them."""
    window = max(1, notice.window_seconds)
    unit, _ = rate_unit(window, notice.interval_seconds)
    what = _what(notice)
    ratio = _ratio(notice, what)
    since = notice.shift_since if what in ("stepped_up", "stepped_down") else None
    lasted = None
    if notice.kind is NoticeKind.RESOLVED:
        began = since or started(notice)
        lasted = max(0, round(((notice.resolved_at or notice.at) - began).total_seconds()))
        summary = _resolved(notice, lasted)
    else:
        summary = _firing(notice, what, ratio)
    return Facts(
        what=what,
        summary=summary,
        observed=notice.observed,
        expected=notice.expected,
        window_seconds=window,
        normal_rate=round(notice.expected * unit / window, 3),
        rate_seconds=round(unit),
        ratio=None if ratio is None else round(ratio, 3),
        since=since,
        threshold=notice.threshold,
        lasted_seconds=lasted,
    )


def _what(notice: AlertNotice) -> What:
    if notice.condition == "threshold":
        over = notice.threshold is None or notice.observed > notice.threshold
        return "above_threshold" if over else "below_threshold"
    if notice.shift_ratio is not None and notice.shift_since is not None:
        return "stepped_up" if notice.shift_ratio > 1 else "stepped_down"
    if notice.condition == "drop":
        return "no_clicks" if round(notice.observed) == 0 else "drop"
    return "spike"


def _ratio(notice: AlertNotice, what: What) -> float | None:
    if what in ("stepped_up", "stepped_down"):
        return notice.shift_ratio
    return notice.observed / notice.expected if notice.expected > 0 else None


def _firing(notice: AlertNotice, what: What, ratio: float | None) -> str:
    window = max(1, notice.window_seconds)
    seen = f"{count(notice.observed)} {_clicks(notice.observed)} {in_span(window)}"
    normal = f"normally {_normal(notice)}"
    if what == "above_threshold":
        limit = count(notice.threshold or 0)
        return f"{seen}, above your threshold of {limit} ({normal})"
    if what == "below_threshold":
        return f"{seen}, under your threshold of {count(notice.threshold or 0)}"
    if what in ("stepped_up", "stepped_down") and ratio is not None and notice.shift_since:
        since = when(notice.shift_since, notice)
        # A shift is about hours of traffic: its normal reads as a rate (`~40 an hour`).
        normal = f"normally {rate(notice.expected, window, notice.interval_seconds)}"
        if what == "stepped_up":
            return f"clicks stepped up to {times(ratio)} normal since {since} and stayed ({normal})"
        return f"clicks dropped to {share_of_normal(ratio)} of normal since {since} ({normal})"
    if what == "no_clicks":
        return f"no clicks for {span(window)}, {normal}"
    return f"{seen}, {normal}"


def _resolved(notice: AlertNotice, lasted: int) -> str:
    return f"{back_words(notice)} after {lasted_words(timedelta(seconds=lasted))}"


def back_words(notice: AlertNotice) -> str:
    """How a resolved episode ended: `back to normal (~40 an hour)`, `back under your threshold
    (100 in 15 min)`."""
    if notice.condition == "threshold" and notice.threshold is not None:
        window = max(1, notice.window_seconds)
        return f"back under your threshold ({count(notice.threshold)} {in_span(window)})"
    window = max(1, notice.window_seconds)
    return f"back to normal ({rate(notice.expected, window, notice.interval_seconds)})"


def _normal(notice: AlertNotice) -> str:
    """What is normal: over the same window as the count (`~38`) when that window is a span a
    reader pictures (up to an hour, or a day), else as a rate (`~40 an hour`)."""
    window = max(1, notice.window_seconds)
    unit, _ = rate_unit(window, notice.interval_seconds)
    if window <= HOUR + 1 or abs(window - DAY) < 1 or abs(unit - window) < 1:
        return approx(notice.expected)
    return rate(notice.expected, window, notice.interval_seconds)


def _clicks(value: float) -> str:
    return "click" if round(value) == 1 else "clicks"


def webhook_event(notice: AlertNotice, delivery_id: int) -> dict[str, Any]:
    """The JSON body a webhook receives: `type` says what happened, the rest is the notice, and
    for an episode's notice `facts`: what Slack says, as fields (`Facts`)."""
    body = notice.model_dump(mode="json")
    event = {"type": f"alert.{notice.kind.value}", "delivery_id": delivery_id, **body}
    if notice.condition is not None and notice.kind in EPISODE_KINDS:
        event["facts"] = describe(notice).model_dump(mode="json")
    return event


# --- times, shared with alerts.messages -----------------------------------------------------


def zone(notice: AlertNotice) -> ZoneInfo:
    """The notice's time zone; UTC when its name is unknown (a bad name must not stop an alert)."""
    try:
        return ZoneInfo(notice.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def started(notice: AlertNotice) -> datetime:
    return notice.started_at or notice.at


def when(moment: datetime, notice: AlertNotice) -> str:
    """`14:05 CET` on the notice's own day, else `Mar 18 14:05 CET`."""
    local = zone(notice)
    if moment.astimezone(local).date() == notice.at.astimezone(local).date():
        return clock_time(moment, local)
    return f"{short_datetime(moment, local)} {moment.astimezone(local).tzname() or ''}".strip()


def lasted_words(length: timedelta) -> str:
    """`42 min`, `2 h 5 min`, `3 days 4 h`; under a minute is `less than a minute`."""
    return duration(length.total_seconds())
