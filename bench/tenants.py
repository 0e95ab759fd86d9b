"""Many workspaces, each with its own ClickMeter account, polled by several worker processes.

    .venv/bin/python -m bench.tenants [--workspaces 200] [--links 500] [--workers 2]
                                      [--latency-ms 100] [--poll 60] [--cycles 2]

What runs:
- the ClickMeter sandbox in its own process, serving `--workspaces` accounts (one key each,
  `--links` datapoints each, one day of history), its real throttle (10 requests/s per key, as
  ClickMeter's) and `--latency-ms` added to every answer;
- a PostgreSQL database of its own (CLICKBOT_TEST_POSTGRES_URL, default 127.0.0.1:5432) where
  every workspace has connected its account (key encrypted) and has 3 rules (the account and
  two links; thresholds that never fire);
- `--workers` worker processes (`alerts.worker.Worker` as `clickbot worker` builds it in
  distribution mode: each workspace read with its own paced client, leases shared out between
  the workers), polling every `--poll` seconds for `--cycles` intervals after a warm-up one.

Per worker: CPU seconds, peak RSS, workspaces polled. Per workspace, over the measured
intervals: how many times it was polled (once per interval in total, by one worker), the calls
each poll made (the floor is one request per page of 100 tracking links, ⌈links/100⌉), 429
answers, and whether every cycle ended within its interval.

Prints one JSON object on stdout (progress goes to stderr).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import math
import multiprocessing
import resource
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from cryptography.fernet import Fernet
from pydantic import SecretStr

from alerts.accounts import WorkspaceClients
from alerts.engine import CycleReport, EngineConfig
from alerts.worker import Worker
from bench.poll import CountingTransport, _free_port
from clickmeter import ClickMeterClient
from storage import Database
from storage.accounts import KeyBox, NewAccount
from storage.models import ScopeKind
from tests.faults.harness import postgres_database

PAGE = 100
ZONE = "Europe/Berlin"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def key_of(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def team_of(n: int) -> str:
    return f"T{n:08d}"


def _serve(port: int, workspaces: int, links: int) -> None:
    import uvicorn

    from devtools.sandbox import SandboxConfig, create_app
    from devtools.sandbox.config import OtherAccount

    others = tuple(
        OtherAccount(key_of(n), seed=n + 1, datapoints=links, timezone="W. Europe Standard Time")
        for n in range(1, workspaces)
    )
    config = SandboxConfig(
        api_key=key_of(0), datapoints=links, rate_limit=10.0, history_days=1, others=others
    )
    uvicorn.run(create_app(config), host="127.0.0.1", port=port, log_level="warning")


def start_sandbox(
    workspaces: int, links: int, timeout: float = 600.0
) -> tuple[multiprocessing.process.BaseProcess, str, float]:
    port = _free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(port, workspaces, links), daemon=True
    )
    started = time.perf_counter()
    process.start()
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - started < timeout:
        try:
            httpx.post(f"{url}/_sandbox/clock", json={}, timeout=2).raise_for_status()
            return process, url, time.perf_counter() - started
        except httpx.HTTPError:
            if not process.is_alive():
                break
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the sandbox did not start")


async def _set_up(db_url: str, secret: str, workspaces: int, link_ids: list[int]) -> None:
    box = KeyBox(secret)
    async with Database(db_url) as db:
        await db.migrate()
        async with db.transaction() as tx:
            for n in range(workspaces):
                team = team_of(n)
                account = NewAccount(f"account {n}", ZONE, None)
                await tx.accounts.connect(team, box.seal(key_of(n)), account, "U0BENCH")
                scopes: list[tuple[ScopeKind, str]] = [("account", "account")]
                scopes += [("link", str(i)) for i in link_ids[:2]]
                for kind, ref in scopes:
                    await tx.rules.add(
                        team,
                        created_by="U0BENCH",
                        channel_id="C0BENCH",
                        scope_kind=kind,
                        scope_ref=ref,
                        scope_label=ref,
                        condition="threshold",
                        threshold=10**9,
                        window_seconds=900,
                    )


class RecordingWorker(Worker):
    """The worker, noting each cycle's start, end and per-workspace report."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record: list[dict[str, Any]] = []

    async def poll(self, only: set[str] | None = None) -> CycleReport | None:
        started = time.time()
        report = await super().poll(only)
        if report is not None:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            self.record.append(
                {
                    "cpu_s": usage.ru_utime + usage.ru_stime,
                    "start": started,
                    "end": time.time(),
                    "polled": {
                        w.team_id: w.calls for w in report.workspaces if w.ok and not w.skipped
                    },
                    "failed": [w.team_id for w in report.workspaces if not w.ok],
                }
            )
        return report


async def _work(db_url: str, sandbox_url: str, secret: str, poll: float, seconds: float) -> Any:
    transports: list[CountingTransport] = []

    def make_client(key: SecretStr, zone: ZoneInfo) -> ClickMeterClient:
        transport = CountingTransport()
        transports.append(transport)
        return ClickMeterClient(key, base_url=sandbox_url, zone=zone, transport=transport)

    db = Database(db_url, pool_size=20)
    clients = WorkspaceClients(db, KeyBox(secret), base_url=sandbox_url, make_client=make_client)
    unused = ClickMeterClient(key_of(10**9), base_url=sandbox_url)
    worker = RecordingWorker(
        db,
        unused,
        poll_seconds=poll,
        config=EngineConfig(poll_seconds=poll),
        clients=clients,
    )
    running = asyncio.create_task(worker.run(handle_signals=False))
    await asyncio.sleep(seconds)
    worker.stop()
    await running
    await clients.aclose()
    await unused.aclose()
    await db.dispose()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "cycles": worker.record,
        "http_calls": sum(t.calls for t in transports),
        "http_429": sum(t.throttled for t in transports),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def _worker_process(
    db_url: str, sandbox_url: str, secret: str, poll: float, seconds: float, out: str
) -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s worker %(process)d %(name)s: %(message)s"
    )
    logging.getLogger("clickbot.leases").setLevel(logging.INFO)
    result = asyncio.run(_work(db_url, sandbox_url, secret, poll, seconds))
    Path(out).write_text(json.dumps(result))


def summarize(
    results: list[dict[str, Any]], *, tracking: dict[str, int], poll: float
) -> dict[str, Any]:
    """The figures of the measured intervals: from one interval after the last worker's first
    cycle (the leases shared out) to the first worker's last cycle; `tracking` is each
    workspace's number of tracking links."""
    since = max(r["cycles"][0]["start"] for r in results) + poll
    until = min(r["cycles"][-1]["end"] for r in results)
    floors = {team: math.ceil(links / PAGE) for team, links in tracking.items()}
    polls: dict[str, list[float]] = defaultdict(list)
    calls: list[int] = []
    over_floor = 0
    late = 0
    durations: list[float] = []
    for result in results:
        for cycle in result["cycles"]:
            if not since <= cycle["start"] < until:
                continue
            durations.append(cycle["end"] - cycle["start"])
            late += durations[-1] > poll
            for team, made in cycle["polled"].items():
                polls[team].append(cycle["start"])
                calls.append(made)
                over_floor += made != floors[team]
    intervals = (until - since) / poll
    counts = [len(polls.get(team, [])) for team in tracking]
    gaps = [b - a for times in polls.values() for a, b in itertools.pairwise(sorted(times))]
    http_429 = sum(r["http_429"] for r in results)

    def measured(result: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in result["cycles"] if since <= c["start"] < until]

    def cpu_per_interval(result: dict[str, Any]) -> float | None:
        cycles = measured(result)
        if len(cycles) < 2:
            return None
        spent = float(cycles[-1]["cpu_s"] - cycles[0]["cpu_s"])
        span = float(cycles[-1]["start"] - cycles[0]["start"])
        return round(spent / (span / poll), 3)

    return {
        "intervals_measured": round(intervals, 2),
        "polls_per_workspace": {"min": min(counts), "max": max(counts)},
        "shortest_gap_s": round(min(gaps), 2) if gaps else None,
        "longest_gap_s": round(max(gaps), 2) if gaps else None,
        "calls_floor": {"min": min(floors.values()), "max": max(floors.values())},
        "calls_per_poll": {"min": min(calls, default=0), "max": max(calls, default=0)},
        "polls_off_their_floor": over_floor,
        "cycles_over_interval": late,
        "cycle_s": {
            "median": round(statistics.median(durations), 2) if durations else None,
            "max": round(max(durations), 2) if durations else None,
        },
        "http_429": http_429,
        "workers": [
            {
                "cpu_s_total": r["cpu_s"],
                "cpu_s_per_interval": cpu_per_interval(r),
                "peak_rss_mb": r["peak_rss_mb"],
                "http_calls": r["http_calls"],
                "workspaces_polled": len({t for c in measured(r) for t in c["polled"]}),
            }
            for r in results
        ],
        "targets_met": {
            "every_workspace_polled_each_interval": min(counts) >= math.floor(intervals),
            "never_polled_twice_in_an_interval": not gaps or min(gaps) >= poll / 2,
            "calls_at_floor": bool(calls) and over_floor == 0,
            "zero_429": http_429 == 0,
            "cycles_within_interval": late == 0,
        },
    }


def run(
    *,
    workspaces: int = 200,
    links: int = 500,
    workers: int = 2,
    latency_ms: float = 100.0,
    poll: float = 60.0,
    cycles: int = 2,
) -> dict[str, Any]:
    _log(f"starting the sandbox ({workspaces} accounts x {links} datapoints)...")
    sandbox, url, build_s = start_sandbox(workspaces, links)
    _log(f"sandbox ready in {build_s:.1f}s at {url}")
    secret = Fernet.generate_key().decode()
    try:
        httpx.post(f"{url}/_sandbox/faults", json={"latency_ms": latency_ms}).raise_for_status()
        tracking: dict[str, int] = {}
        link_ids: list[int] = []
        for n in range(workspaces):
            which = "" if n == 0 else f"?account={key_of(n)}"
            state = httpx.get(f"{url}/_sandbox/state{which}", timeout=120).json()
            ids = [int(d["id"]) for d in state["datapoints"] if d["type"] == 0]
            tracking[team_of(n)] = len(ids)
            link_ids = link_ids or ids
        with postgres_database() as db_url, TemporaryDirectory() as tmp:
            asyncio.run(_set_up(db_url, secret, workspaces, link_ids))
            # Spawning takes a few seconds, then a warm-up interval (leases shared out).
            seconds = (cycles + 2.5) * poll + 5
            context = multiprocessing.get_context("spawn")
            outs = [str(Path(tmp) / f"worker-{n}.json") for n in range(workers)]
            processes = [
                context.Process(
                    target=_worker_process, args=(db_url, url, secret, poll, seconds, out)
                )
                for out in outs
            ]
            for process in processes:
                process.start()
            _log(f"{workers} workers polling every {poll:g}s for {seconds:g}s...")
            for process in processes:
                process.join(seconds + 120)
            results = [json.loads(Path(out).read_text()) for out in outs]
    finally:
        sandbox.terminate()
        sandbox.join(10)
    figures = summarize(results, tracking=tracking, poll=poll)
    return {
        "bench": "tenants",
        "workspaces": workspaces,
        "tracking_links": {"min": min(tracking.values()), "max": max(tracking.values())},
        "latency_ms": latency_ms,
        "poll_s": poll,
        "sandbox_start_s": round(build_s, 2),
        **figures,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workspaces", type=int, default=200)
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--poll", type=float, default=60.0)
    parser.add_argument("--cycles", type=int, default=2)
    args = parser.parse_args(argv)
    result = run(
        workspaces=args.workspaces,
        links=args.links,
        workers=args.workers,
        latency_ms=args.latency_ms,
        poll=args.poll,
        cycles=args.cycles,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
