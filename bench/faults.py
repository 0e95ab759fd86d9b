"""Alert delivery through real faults: how long after recovery alerts arrive, and whether any
is lost, doubled or out of order.

    .venv/bin/python -m bench.faults [--storm-429 60] [--storm-5xx 60] [--alerts 10]
                                     [--tarpit 60] [--lapse-lease] [--only NAME ...]

Every scenario runs the fault suite's stack (`tests/faults/harness.py`): a real `clickbot
worker` process with the deployment's default settings, on a fresh PostgreSQL database
(CLICKBOT_TEST_POSTGRES_URL, default 127.0.0.1:5432), against the sandbox and the local Slack.

- `429_storm`, `5xx_storm`, `429_then_5xx`: the local Slack answers every call 429
  (Retry-After: 1) for `--storm-429` s, or HTTP 500 for `--storm-5xx` s, or the one then the
  other. `--alerts` alerts (over two channels) fall due: half as the storm begins, half
  halfway through it. Measured from the end of the storm to the last alert's post.
- `sigkill_mid_send`: Slack takes 2 s per post; the worker is SIGKILLed while a post is in
  flight (that post lands, the worker never hears), and restarted at once. Measured from the
  restart; it includes waiting out the killed worker's leases (20 s, `DEFAULT_LEASE`: the
  sender renews them while it works, so they can be short) unless `--lapse-lease` makes them
  lapse at once (for a quick run).
- `clickmeter_garbage`: a healthy poll, then ClickMeter answers garbage, cut-off JSON and an
  inflated `count` (one poll each: an OUTAGE notice with the third), then well again (a
  RECOVERED notice, and no spike from the clicks of the gap). Each poll is a worker start, the
  poll interval being 30 s at least; measured from ClickMeter's recovery to RECOVERED's post,
  a process start included.
- `tarpit_webhook`: a webhook receiver that sends a header byte every 3 s and never finishes
  holds webhook deliveries (to their 30 s deadline, again and again) while an alert for Slack
  falls due every 2 s for `--tarpit` s: the most any of them waited.

`--only` runs the scenarios named (e.g. `--only sigkill_mid_send`), and judges the targets on
those. Prints one JSON object on stdout (progress goes to stderr). The issue's bar
(`targets_met`):
every alert in Slack within 30 s of the storm's end, 0 lost and 0 doubled in every scenario,
in order, and no Slack delivery held more than 15 s by the tarpit.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tests.deploy.test_procfile import add_rule
from tests.faults.harness import Stack, postgres_database, wait_until

CHANNELS = ("C0GENERAL", "C0MARKETING")
#: How long after the last storm ends the bench waits for deliveries before calling them lost.
GRACE_S = 120.0
SLACK_LATENCY_S = 2.0
ALERT_EVERY_S = 2.0
RECOVERY_BAR_S = 30.0
TARPIT_BAR_S = 15.0
#: The sandbox's body faults, one poll each (OUTAGE after the third failed read in a row).
BAD_ANSWERS: tuple[dict[str, Any], ...] = (
    {"garbage_body": True},
    {"truncated_json": True},
    {"inflated_count": 100_000},
)
HEALTHY = {"garbage_body": False, "truncated_json": False, "inflated_count": 0}


def progress(message: str) -> None:
    print(f"[faults] {message}", file=sys.stderr, flush=True)


def measure(scenario: Callable[[Stack], dict[str, Any]]) -> dict[str, Any]:
    """`scenario` on a stack of its own; its result, with how many log lines held a secret,
    a body, a response URL, SQL parameters or a traceback (`log_leaks`, the suite's grep)."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-faults-") as home,
        postgres_database() as url,
        Stack.open(Path(home), url) as stack,
    ):
        result = scenario(stack)
        for process in stack.processes:
            process.stop()
        leaks = stack.leaks()
        for line in leaks[:5]:
            progress(f"log leak: {line}")
        return {**result, "log_leaks": len(leaks)}


def tally(stack: Stack, due: dict[str, list[int]]) -> dict[str, Any]:
    """Lost, doubled and order of what was `due` per channel; when the last one was posted."""
    lost = doubled = 0
    in_order = True
    last = 0.0
    for channel, ids in due.items():
        posted = [i for i in stack.posted_ids(channel) if i in ids]
        lost += len(set(ids) - set(posted))
        doubled += len(posted) - len(set(posted))
        in_order &= list(dict.fromkeys(posted)) == [i for i in ids if i in posted]
        times = [float(post.ts) for post in stack.posts(channel)]
        last = max([last, *times])
    return {"lost": lost, "doubled": doubled, "in_order": in_order, "last_post_at": last}


def everything_posted(stack: Stack, due: dict[str, list[int]]) -> Callable[[], bool]:
    def check() -> bool:
        return all(set(ids) <= set(stack.posted_ids(c)) for c, ids in due.items())

    return check


def wait_quietly(check: Callable[[], bool], timeout: float) -> bool:
    try:
        wait_until(check, timeout, "deliveries")
    except AssertionError:
        return False
    return True


def enqueue_split(stack: Stack, alerts: int, key: str) -> dict[str, list[int]]:
    general = (alerts + 1) // 2
    return {
        CHANNELS[0]: stack.enqueue(CHANNELS[0], general, key=key),
        CHANNELS[1]: stack.enqueue(CHANNELS[1], alerts - general, key=key),
    }


def storm(stack: Stack, phases: list[tuple[str, float]], alerts: int) -> dict[str, Any]:
    """Slack fails through `phases` ((fault kind, seconds), one after the other)."""
    stack.start("worker").wait_for_output("worker started")
    starts = time.time()
    until = starts
    for kind, seconds in phases:
        until = stack.slack_control("storm", kind=kind, seconds=seconds, status=500, retry_after=1)[
            "until"
        ]
    first = enqueue_split(stack, alerts - alerts // 2, "first")
    time.sleep(max(0.0, starts + (until - starts) / 2 - time.time()))
    second = enqueue_split(stack, alerts // 2, "second")
    due = {c: first[c] + second[c] for c in CHANNELS}
    wait_quietly(everything_posted(stack, due), until - time.time() + GRACE_S)
    calls = stack.slack.slack.calls  # the posts, and the history look-ups before re-posts
    result = tally(stack, due)
    return {
        "storm_s": round(until - starts, 1),
        "alerts": alerts,
        "recovery_to_delivery_s": round(result.pop("last_post_at") - until, 2),
        **result,
        "calls_refused": sum(1 for call in calls if call.status in (429, 500)),
    }


def sigkill_mid_send(stack: Stack, alerts: int, lapse_lease: bool) -> dict[str, Any]:
    worker = stack.start("worker")
    worker.wait_for_output("worker started")
    slow = stack.slack.slack.inject(
        "delay", method="chat.postMessage", times=alerts, seconds=SLACK_LATENCY_S
    )
    due = {CHANNELS[0]: stack.enqueue(CHANNELS[0], alerts, key="kill")}
    wait_until(
        lambda: len(stack.posts(CHANNELS[0])) == 1 and slow.times <= alerts - 2,
        60,
        "the second post in flight",
    )
    worker.stop(signal.SIGKILL)
    wait_quietly(lambda: len(stack.posts(CHANNELS[0])) >= 2, 10)
    if lapse_lease:
        stack.lapse_leases()
    restarted = time.time()
    stack.start("worker")
    wait_quietly(everything_posted(stack, due), GRACE_S)
    result = tally(stack, due)
    return {
        "alerts": alerts,
        "lease_waited": not lapse_lease,
        "recovery_to_delivery_s": round(result.pop("last_post_at") - restarted, 2),
        **result,
    }


def clickmeter_garbage(stack: Stack) -> dict[str, Any]:
    add_rule(stack.database_url)  # a spike rule on the account, posting to #general
    stack.poll_once("True")
    for fault in BAD_ANSWERS:
        stack.sandbox.control("faults", {**HEALTHY, **fault})
        stack.poll_once("False")
    stack.sandbox.control("faults", HEALTHY)
    recovered = time.time()
    last = stack.poll_once("True")
    posts = stack.posts(CHANNELS[0])
    outages = [p for p in posts if "Can't read ClickMeter" in p.text]
    recoveries = [p for p in posts if "ClickMeter is back" in p.text]
    fired = int(last.split("fired=", 1)[1].split()[0])
    return {
        "bad_polls": len(BAD_ANSWERS),
        "recovery_to_delivery_s": (
            round(float(recoveries[0].ts) - recovered, 2) if recoveries else None
        ),
        "lost": int(not outages) + int(not recoveries),
        "doubled": max(len(outages) - 1, 0) + max(len(recoveries) - 1, 0),
        "in_order": bool(outages and recoveries) and outages[0].ts < recoveries[0].ts,
        "false_spikes": fired,
    }


def tarpit_webhook(stack: Stack, seconds: float) -> dict[str, Any]:
    stack.start("worker", WEBHOOK_ALLOW_LOOPBACK="true").wait_for_output("worker started")
    webhook = stack.add_webhook(stack.tarpit.url)
    for _ in range(3):
        stack.enqueue_webhook(webhook)
    wait_until(stack.tarpit.connections, 30, "the webhook sender in the tarpit")
    queued: dict[int, float] = {}
    ends = time.time() + seconds
    while time.time() < ends:
        queued[stack.enqueue(CHANNELS[0], 1, key="tarpit")[0]] = time.time()
        time.sleep(ALERT_EVERY_S)
    due = {CHANNELS[0]: list(queued)}
    wait_quietly(everything_posted(stack, due), GRACE_S)
    posted_at = {
        int(post.metadata["event_payload"]["outbox_id"]): float(post.ts)
        for post in stack.posts(CHANNELS[0])
        if post.metadata
    }
    delays = [posted_at[i] - at for i, at in queued.items() if i in posted_at]
    result = tally(stack, due)
    result.pop("last_post_at")
    held = stack.tarpit.connections()
    stack.tarpit.close()
    return {
        "seconds": seconds,
        "alerts": len(queued),
        "recovery_to_delivery_s": None,
        **result,
        "max_slack_delay_s": round(max(delays), 2) if delays else None,
        "webhook_attempts_held": len(held),
    }


def run(
    *,
    storm_429: float,
    storm_5xx: float,
    alerts: int,
    tarpit: float,
    lapse_lease: bool,
    only: Sequence[str] = (),
) -> dict[str, Any]:
    started = time.monotonic()
    scenarios: dict[str, dict[str, Any]] = {}
    both = [("ratelimited", storm_429), ("http_error", storm_5xx)]
    plan: list[tuple[str, Callable[[Stack], dict[str, Any]]]] = [
        ("429_storm", lambda stack: storm(stack, both[:1], alerts)),
        ("5xx_storm", lambda stack: storm(stack, both[1:], alerts)),
        ("429_then_5xx", lambda stack: storm(stack, both, alerts)),
        (
            "sigkill_mid_send",
            lambda stack: sigkill_mid_send(stack, max(alerts // 2, 3), lapse_lease),
        ),
        ("clickmeter_garbage", clickmeter_garbage),
        ("tarpit_webhook", lambda stack: tarpit_webhook(stack, tarpit)),
    ]
    for name, scenario in plan:
        if only and name not in only:
            continue
        progress(f"{name}...")
        scenarios[name] = measure(scenario)
        progress(f"{name}: {json.dumps(scenarios[name])}")
    storms = [scenarios[n] for n in ("429_storm", "5xx_storm", "429_then_5xx") if n in scenarios]
    every = scenarios.values()
    targets = {
        "zero_lost": all(s["lost"] == 0 for s in every),
        "zero_doubled": all(s["doubled"] == 0 for s in every),
        "no_log_leaks": all(s["log_leaks"] == 0 for s in every),
        "in_order": all(s["in_order"] for s in every),
    }
    # With --only, a target is judged only if a scenario it is about ran.
    if storms:
        targets["storms_delivered_within_30s_of_recovery"] = all(
            s["recovery_to_delivery_s"] <= RECOVERY_BAR_S for s in storms
        )
    if "clickmeter_garbage" in scenarios:
        targets["no_false_spike"] = scenarios["clickmeter_garbage"]["false_spikes"] == 0
    if "tarpit_webhook" in scenarios:
        delay = scenarios["tarpit_webhook"]["max_slack_delay_s"]
        targets["tarpit_delays_slack_under_15s"] = delay is not None and delay <= TARPIT_BAR_S
    return {
        "bench": "faults",
        "scenarios": scenarios,
        "wall_s": round(time.monotonic() - started, 1),
        "targets_met": targets,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--storm-429", type=float, default=60.0, help="seconds of 429")
    parser.add_argument("--storm-5xx", type=float, default=60.0, help="seconds of HTTP 500")
    parser.add_argument("--alerts", type=int, default=10, help="alerts due per storm")
    parser.add_argument("--tarpit", type=float, default=60.0, help="seconds of Slack alerts")
    parser.add_argument(
        "--lapse-lease",
        action="store_true",
        help="after SIGKILL, lapse the killed worker's leases at once instead of waiting 20 s",
    )
    parser.add_argument(
        "--only", nargs="+", default=(), metavar="NAME", help="run only these scenarios"
    )
    args = parser.parse_args(argv)
    result = run(
        storm_429=args.storm_429,
        storm_5xx=args.storm_5xx,
        alerts=args.alerts,
        tarpit=args.tarpit,
        lapse_lease=args.lapse_lease,
        only=args.only,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
