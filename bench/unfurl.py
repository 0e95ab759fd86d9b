"""Unfurl latency with ClickMeter answering slowly, and whether a burst stays within limits.

    .venv/bin/python -m bench.unfurl [--links 50] [--seconds 60] [--latency-ms 300]

What runs, on 127.0.0.1, in this process: the ClickMeter sandbox with its real throttle
(10 requests/s per client) and `--latency-ms` added to every API answer; the local Slack; the
app as deployed (`clickbot web`'s Starlette app) with the ClickMeter client's default pacing.
`--links` different tracking links of the account are pasted one message each, evenly over
`--seconds` (50 in a minute: Slack's Tier 3 pace for chat.unfurl), each message's
`link_shared` event sent signed. The first event also reads the account's tracking domains
(then cached): its latency is reported apart (`cold_ms`) and kept in the percentiles.

Latency is from sending the event to the local Slack receiving its `chat.unfurl`. Limits:
the sandbox's refused requests (`GET /_sandbox/throttle`), the local Slack's 429s, and the
most chat.unfurl calls in any 60 s window (the local Slack does not enforce Tier 3 itself).

Prints one JSON object on stdout (progress on stderr); times in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from typing import Any

import httpx

from devtools.localslack import MockSlackServer
from devtools.localslack.driver import DriverError, running_bot
from devtools.sandbox import SandboxConfig, SandboxServer

API_KEY = "5d1e8a3c-7b2f-4c6d-9e0a-1f2b3c4d5e6f"
SLACK_TIER3_PER_MINUTE = 50


def log(message: str) -> None:
    print(f"[bench.unfurl {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    # Nearest rank: the smallest value with at least q% of them at or below it.
    index = min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))
    return round(ordered[index], 1)


def most_in_window(moments: list[float], window_s: float = 60.0) -> int:
    """The most `moments` (seconds) within any `window_s`."""
    ordered, best, start = sorted(moments), 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window_s:
            start += 1
        best = max(best, end - start + 1)
    return best


def tracking_urls(sandbox: httpx.Client, count: int) -> list[str]:
    state = sandbox.get("/_sandbox/state").json()
    names = [dp["name"] for dp in state["datapoints"] if dp["type"] == 0 and dp["status"] == 0]
    if len(names) < count:
        raise SystemExit(f"the sandbox has only {len(names)} active tracking links")
    return [f"https://s87.eu/{name}" for name in names[:count]]


def run(links: int, seconds: float, latency_ms: float, timeout_s: float) -> dict[str, Any]:
    config = SandboxConfig(api_key=API_KEY, seed=11, datapoints=max(80, links * 2))
    with (
        SandboxServer(config) as sandbox,
        httpx.Client(base_url=sandbox.url, timeout=30) as control,
        MockSlackServer() as slack,
        running_bot(sandbox.url, API_KEY, slack) as bot,
    ):
        urls = tracking_urls(control, links)
        control.post("/_sandbox/faults", json={"latency_ms": latency_ms}).raise_for_status()
        log(f"{links} links over {seconds:g}s, ClickMeter answering in {latency_ms:g} ms")
        sent: list[tuple[float, Any]] = []
        gap = seconds / links
        started = time.monotonic()
        for i, url in enumerate(urls):
            time.sleep(max(0.0, started + i * gap - time.monotonic()))
            at = time.time()
            ack, message = bot.share_links([url])
            if ack.status_code != 200:
                raise SystemExit(f"the bot refused an event: HTTP {ack.status_code}")
            sent.append((at, message))
        deadline = time.monotonic() + timeout_s
        latencies: list[float] = []
        missing = 0
        for at, message in sent:
            try:
                left = max(0.1, deadline - time.monotonic())
                bot.wait_unfurl(message, left)
            except DriverError:
                missing += 1
                continue
            calls = [
                c
                for c in bot.slack.slack.calls_to("chat.unfurl")
                if c.status == 200 and c.args.get("ts") == message.ts
            ]
            latencies.append((calls[0].at - at) * 1000)
        calls = bot.slack.slack.calls_to("chat.unfurl")
        throttle = control.get("/_sandbox/throttle").json()
    return {
        "links": links,
        "seconds": seconds,
        "clickmeter_latency_ms": latency_ms,
        "unfurled": len(latencies),
        "missing": missing,
        "cold_ms": round(latencies[0], 1) if latencies else None,
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "within_1s_at_p95": percentile(latencies, 95) <= 1000.0,
        "clickmeter": {
            "requests": throttle["admitted"] + throttle["refused"],
            "refused_429": throttle["refused"],
            "rate_limit_per_s": throttle["rate_limit"],
        },
        "slack": {
            "chat_unfurl_calls": len(calls),
            "refused_429": sum(1 for c in calls if c.status == 429),
            "most_calls_in_60s": most_in_window([c.at for c in calls]),
            "tier3_per_minute": SLACK_TIER3_PER_MINUTE,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--links", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--latency-ms", type=float, default=300.0)
    parser.add_argument("--timeout", type=float, default=30.0, help="wait for the last unfurls")
    args = parser.parse_args()
    if args.links < 1 or args.seconds <= 0:
        parser.error("--links must be at least 1 and --seconds positive")
    result = run(args.links, args.seconds, args.latency_ms, args.timeout)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
