"""`ClickMeterClient`: the one object the bot uses to read ClickMeter."""

from __future__ import annotations

from clickmeter._client_clicks import ClicksMixin
from clickmeter._client_entities import EntitiesMixin
from clickmeter._client_links import LinksMixin
from clickmeter._client_stats import StatsMixin


class ClickMeterClient(ClicksMixin, StatsMixin, EntitiesMixin, LinksMixin):
    """An async client of ClickMeter API v2 (reads, and making and pausing tracking links).

    `ClickMeterClient(api_key, *, base_url="https://apiv2.clickmeter.com", timeout=10.0,
    max_attempts=4, retry_deadline=30.0, requests_per_second=9.0, zone=None, transport=None,
    backoff_base=0.5, backoff_cap=8.0, cache_ttl=None, observer=None, retry_observer=None,
    pacer=None)`

    What callers may rely on:
    - Numbers are ClickMeter's own; counters ClickMeter omits are 0, never missing; a count
      that is not a whole non-negative number, or a summary whose pages contradict their
      `count`, is a `BadResponseError` (pages are checked as they come; see `_paging`).
    - One attempt, from connecting to the body's last byte, takes at most `timeout` seconds.
    - Dates and times are aware, in the account's zone (`zone`, else learnt once from `/me`).
    - Requests are paced under ClickMeter's 10/s per key across the whole process
      (`requests_per_second=None` turns pacing off); a `pacer` given (any `Pacer`, e.g. a
      `BucketPacer` on a bucket shared through Redis or PostgreSQL) is used instead.
    - 429, 500/502/503/504, timeouts and connection errors are retried with jittered
      exponential backoff (honouring Retry-After), at most `max_attempts` tries and within
      `retry_deadline` seconds (a Retry-After beyond the deadline fails at once, with
      `RateLimitedError.retry_after`); then, and for any other failure, a `ClickMeterError`
      subclass is raised whose `user_message` can be shown to a Slack user. `observer` is told
      of every attempt, `retry_observer` of every retry and its cause (429, 5xx, network).
    - With `cache_ttl` set, identical GETs (same path and query) share one request while it
      is in flight and its answer for `cache_ttl` seconds after; failures are never kept.
      Off by default: every call asks ClickMeter. `datapoint_clicks` and `group_clicks`
      (the alert poller's running totals) always ask.
    - Writes (`create_datapoint`, `set_datapoint_status`) are retried only when ClickMeter
      surely did nothing (a 429, no connection made), never after a 5xx or a timeout; their
      refusals are specific (`NameTakenError`, `InvalidUrlError`, `UnknownGroupError`,
      `QuotaExceededError`), and they answer the link as ClickMeter has it afterwards.
    - Timeframes an endpoint refuses raise `UnsupportedTimeframeError` before any request.
    - The key is sent only in the `X-Clickmeter-Authkey` header and never appears in logs,
      exception texts or reprs.

    Use as `async with ClickMeterClient(key) as client: ...` or call `aclose()`.
    """
