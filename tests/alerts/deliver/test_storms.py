"""Slack storms on a fake clock: 60 s of 429 (Retry-After: 1), then 60 s of HTTP 500, then
health. Every due alert is in Slack within 30 s of the recovery, once, in id order per channel;
a rate limit never grows the backoff.

The passes run against the local Slack over real HTTP; only time is simulated: each pass runs
at the fake instant the next item falls due, and the poster's pacing waits on the same clock."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from alerts.deliver import Backoff, Receiver, SlackPoster, deliver_once
from devtools.localslack import MockSlackServer
from storage import Database, utcnow
from tests.alerts.deliver.helpers import fire, item, slack_receivers, tags

RATE_LIMITED_UNTIL = 60.0
FAILING_UNTIL = 120.0


class FakeClock:
    """Seconds since the storm began; the poster's pacing sleeps by moving it on."""

    def __init__(self) -> None:
        self.t = 0.0

    def monotonic(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += max(seconds, 0.0)


def storm_phase(server: MockSlackServer, t: float, failing_until: float = FAILING_UNTIL) -> None:
    """What Slack answers every call with at `t`: 429, then 500, then the real answer."""
    with server.slack.lock:
        server.slack.faults.clear()
    if t < RATE_LIMITED_UNTIL:
        server.slack.rate_limit(retry_after=1, times=10_000)
    elif t < failing_until:
        server.slack.inject("http_error", status=500, times=10_000)


async def next_due(db: Database, ids: list[int], start: datetime) -> float | None:
    """Seconds from `start` to when the first of `ids` waiting for a retry is due (None: none
    is waiting)."""
    due = [
        found.next_attempt_at
        for found in [await item(db, item_id) for item_id in ids]
        if found.status in ("pending", "failed")
    ]
    return None if not due else (min(due) - start).total_seconds()


class Slowest(random.Random):
    """Jitter always at its top: every backoff waits its longest."""

    def uniform(self, a: float, b: float) -> float:
        return b


#: Failed attempts after which the default backoff is at its cap (5, 10, 20 → capped).
CAPPED_AFTER = 4


@pytest.mark.parametrize(
    ("rng", "worst_moment"),
    [(None, False), (Slowest(), False), (Slowest(), True)],
    ids=["random", "slowest", "slowest-recovering-just-after-a-capped-retry"],
)
async def test_after_429_then_500_every_alert_arrives_within_30s_of_recovery_in_order_once(
    db: Database, mock_slack: MockSlackServer, rng: random.Random | None, worst_moment: bool
) -> None:
    """With the default backoff, even at its slowest and with Slack back the instant after
    a retry that then waits the whole cap: the head of a lane waits at most the cap, and the
    items behind it follow at Slack's pace (1 s per channel), all within 30 s."""
    posts = [(await fire(db, "C0GENERAL")).post_id for _ in range(4)]
    posts.append((await fire(db, "C0MARKETING")).post_id)
    clock = FakeClock()
    poster = SlackPoster(
        mock_slack.token,
        base_url=mock_slack.api_url,
        per_channel_interval=1.0,
        clock=clock.monotonic,
        sleep=clock.sleep,
    )
    receivers: list[Receiver] = slack_receivers(poster)
    start = utcnow()
    sent_at: dict[int, float] = {}
    failing_until = 900.0 if worst_moment else FAILING_UNTIL
    while len(sent_at) < len(posts) and clock.t < 900:
        storm_phase(mock_slack, clock.t, failing_until)
        report = await deliver_once(db, receivers, now=start + timedelta(seconds=clock.t), rng=rng)
        sent_at.update({item_id: clock.t for item_id in report.sent})
        capped = worst_moment and (await item(db, posts[0])).attempts > CAPPED_AFTER
        if capped and failing_until == 900.0:
            failing_until = clock.t + 0.5
        due = await next_due(db, posts, start)
        if due is None:
            break
        clock.t = max(due, clock.t + 0.001)

    assert sorted(sent_at) == posts, f"not delivered: {set(posts) - set(sent_at)}"
    late = {i: at - failing_until for i, at in sent_at.items() if at - failing_until > 30}
    assert not late, f"delivered more than 30 s after Slack recovered: {late}"
    assert tags(mock_slack, "C0GENERAL") == posts[:4]  # in order, once
    assert tags(mock_slack, "C0MARKETING") == posts[4:]
    rate_limited = [c for c in mock_slack.slack.calls if c.status == 429]
    assert rate_limited, "the storm never reached the sender"


async def test_a_rate_limit_does_not_count_as_a_failed_attempt(
    db: Database, mock_slack: MockSlackServer
) -> None:
    post = (await fire(db, "C0GENERAL")).post_id
    clock = FakeClock()
    poster = SlackPoster(
        mock_slack.token, base_url=mock_slack.api_url, clock=clock.monotonic, sleep=clock.sleep
    )
    receivers: list[Receiver] = slack_receivers(poster)
    backoff = Backoff(base=5, factor=2, cap=30)
    now = utcnow()
    for _ in range(20):
        mock_slack.slack.rate_limit(retry_after=1)
        report = await deliver_once(db, receivers, now=now, backoff=backoff)
        assert report.throttled == report.retried == [post]
        now = (await item(db, post)).next_attempt_at
    rate_limited = await item(db, post)
    assert rate_limited.status == "failed"
    assert rate_limited.attempts == 0  # twenty claims, none of them a failed attempt

    mock_slack.slack.inject("http_error", status=500)
    await deliver_once(db, receivers, now=now, backoff=backoff)
    failed = await item(db, post)
    # The first real failure waits the first step of the backoff (2.5-5 s), not the cap.
    assert timedelta(seconds=2.5) <= failed.next_attempt_at - now <= timedelta(seconds=5)
    assert failed.attempts == 1


def test_the_backoff_is_capped_at_tens_of_seconds_by_default() -> None:
    backoff = Backoff()
    assert backoff.cap == 20.0
    assert all(10 <= backoff.delay(attempts) <= 20 for attempts in (6, 20, 10_000))
