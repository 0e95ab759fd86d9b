"""Ack latency of `/clickmeter` under load, and whether every answer reaches its response_url.

    .venv/bin/python -m bench.ack [--users 50] [--warm-seconds 25]

What runs, all on 127.0.0.1:
- the ClickMeter sandbox with its real throttle (10 requests/s) and 1 s of added latency on
  every API answer, behind a counter of the requests that reach it;
- the local Slack Web API (`auth.test` for the app's start-up) and a response_url sink that
  takes any number of posts and counts them per user;
- the app as it is deployed, `clickbot web`, in its own process so that the load generator and
  the sinks do not share its CPU;
- wrk, not a Python client, as the load (on 2 cores a Python client adds over 100 ms by itself
  at 50 concurrent): one connection per user, each user's slash command pre-signed, one
  command a second per connection (`delay()` of 1000 ms after each answer).

Two runs: cold, the first burst (one command per connection, all at once) sent as soon as
`/healthz` answers; then warm, `--warm-seconds` of steady load, the users' first commands
spread over the first second (with a fixed pause after each answer, connections that start
together stay together: the steady load would be a cold-like burst every second). After each
run the bench waits (bounded) for the answers of every acknowledged command to arrive; every
answer is checked for the Share button that only results carry (errors have none).

wrk has no per-connection hook, so each wrk thread hands its users' requests out round-robin:
every user still sends one command a second on average, from whichever connection is free.
Each run sends an exact number of commands (a connection parks once its thread has sent its
share), so "acknowledged" and "answered" can be compared one for one.

Besides latencies, the JSON has the app's CPU time per command and how busy the whole machine
was: on a shared machine a slow run with the machine at 100% is other people's load.

Prints one JSON object on stdout (progress goes to stderr); latencies are in milliseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from devtools.localslack import MockSlackServer
from devtools.localslack.signed import signed_headers, slash_command_body
from devtools.sandbox import SandboxConfig, create_app
from devtools.sandbox.serving import ThreadedServer, free_port

API_KEY = "0b4f7c1e-3d2a-4e5f-9a8b-7c6d5e4f3a2b"
SIGNING_SECRET = "5e0c2b7a9d4f41e8b3c6a1d0f7e2b9c4"
#: What the users type, in turn: mostly numbers, now and then help.
COMMAND_MIX = (
    "stats",
    "top countries",
    "links",
    "stats last30",
    "top countries last30",
    "help",
    "stats today",
    "links last30",
    "stats",
    "top countries",
)
#: How long a connection that has sent its share idles: past the end of any run.
PARKED_MS = 3_600_000
WRK_MARK = "BENCH_JSON "


def log(message: str) -> None:
    print(f"[bench.ack {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the response_url sink ---------------------------------------------------------------------


@dataclass
class AnswerSink:
    """Counts answers per user, and those that are not results (no Share button)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    by_user: Counter[str] = field(default_factory=Counter)
    failed: int = 0
    failed_sample: str | None = None

    @property
    def delivered(self) -> int:
        with self.lock:
            return sum(self.by_user.values())

    async def post(self, request: Request) -> Response:
        user = request.path_params["user"]
        raw = await request.body()
        try:
            body = json.loads(raw)
            blocks = body.get("blocks") or []
            is_result = any(
                element.get("action_id") == "share_answer"
                for block in blocks
                if block.get("type") == "actions"
                for element in block.get("elements", [])
            )
            text = str(body.get("text", ""))
        except (ValueError, AttributeError):
            is_result, text = False, raw[:200].decode(errors="replace")
        with self.lock:
            self.by_user[user] += 1
            if not is_result:
                self.failed += 1
                self.failed_sample = self.failed_sample or text[:200]
        return PlainTextResponse("ok")

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/r/{user}", self.post, methods=["POST"])])


class CountRequests:
    """ASGI middleware: how many requests reached the app, by status (the sandbox's load)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.statuses: Counter[int] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_sandbox/"):
            await self.app(scope, receive, send)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                with self.lock:
                    self.statuses[int(message["status"])] += 1
            await send(message)

        await self.app(scope, receive, counting_send)

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {
                "requests": sum(self.statuses.values()),
                "throttled_429": self.statuses.get(429, 0),
            }


# --- the app under test ------------------------------------------------------------------------


def app_command() -> list[str]:
    """`clickbot web`, from the same environment as this Python."""
    script = Path(sys.executable).with_name("clickbot")
    if script.exists():
        return [str(script), "web"]
    return [sys.executable, "-c", "from cli import main; main()", "web"]


@contextlib.contextmanager
def running_app(
    port: int, sandbox_url: str, slack: MockSlackServer, log_path: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """`clickbot web` in its own process, configured by environment like a deployment."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CLICKMETER_", "PORT"))
    }
    env.update(
        CLICKMETER_API_KEY=API_KEY,
        CLICKMETER_API_URL=sandbox_url,
        SLACK_BOT_TOKEN=slack.token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.api_url,
        PORT=str(port),
        LOG_LEVEL=env.get("LOG_LEVEL", "INFO"),
    )
    with log_path.open("wb") as out:
        # cwd: a scratch directory, so no .env of the checkout changes the settings.
        process = subprocess.Popen(  # noqa: S603
            app_command(), env=env, cwd=log_path.parent, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"clickbot web exited ({process.returncode}):\n{tail(log_path)}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/healthz").status_code == 200:
                    return
            time.sleep(0.02)
    raise RuntimeError(f"clickbot web was not healthy within {timeout:.0f}s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


# --- the load ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class User:
    user_id: str
    text: str
    response_url: str


def make_users(count: int, sink_url: str) -> list[User]:
    users = []
    for i in range(count):
        user_id = f"U{i:04d}BENCH"
        text = COMMAND_MIX[i % len(COMMAND_MIX)]
        users.append(User(user_id, text, f"{sink_url}/r/{user_id}"))
    return users


def lua_string(value: str) -> str:
    if not value.isascii() or not value.isprintable():
        raise ValueError("only printable ASCII is embedded in the wrk script")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_script(
    users: list[User], threads: int, cap_per_thread: int, pace_ms: int, *, spread: bool
) -> str:
    """The Lua for one wrk run: the users' requests, signed now, and the pacing.

    `spread=False` sends every connection's first request at once (the cold burst); True
    spreads the first requests evenly over one pace, so the steady load is not one burst a
    second (with a fixed pause after each answer, a burst would keep repeating).
    """
    rows = []
    for user in users:
        body = slash_command_body(
            user.text,
            user_id=user.user_id,
            user_name=user.user_id.lower(),
            response_url=user.response_url,
        )
        headers = signed_headers(SIGNING_SECRET, body)
        rows.append(
            "  {"
            + ", ".join(
                lua_string(v)
                for v in (
                    headers["X-Slack-Request-Timestamp"],
                    headers["X-Slack-Signature"],
                    body,
                )
            )
            + "},"
        )
    per_thread = len(users) // threads
    return f"""-- generated by bench/ack.py
local users = {{
{chr(10).join(rows)}
}}
local per_thread = {per_thread}
local cap = {cap_per_thread}
local pace_ms = {pace_ms}
local spread = {"true" if spread else "false"}
local threads_n = {threads}
local threads = {{}}
local made = 0

function setup(thread)
  made = made + 1
  thread:set("id", made)
  table.insert(threads, thread)
end

function init(args)
  reqs = {{}}
  local first = (id - 1) * per_thread
  for i = first + 1, first + per_thread do
    local u = users[i]
    reqs[#reqs + 1] = wrk.format("POST", "/slack/events", {{
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["X-Slack-Request-Timestamp"] = u[1],
      ["X-Slack-Signature"] = u[2],
    }}, u[3])
  end
  turn = 0
  sent = 0
  acks = 0
  refused = 0
end

-- Called before every request of a connection, the first one included. The first request of
-- each connection goes at once (cold: the burst) or at its own point of the first pace
-- (warm: users spread evenly over the second, as independent users are); later ones a pace
-- after the previous answer; once the thread has sent its share the connection stays parked
-- until wrk stops. Requests are counted here: wrk also calls request() once on its own.
function delay()
  if sent >= cap then return {PARKED_MS} end
  sent = sent + 1
  if sent <= per_thread then
    if not spread then return 0 end
    local slot = (sent - 1) * threads_n + (id - 1)
    return math.floor(slot * pace_ms / (per_thread * threads_n))
  end
  return pace_ms
end

function request()
  turn = turn % per_thread + 1
  return reqs[turn]
end

function response(status, headers, body)
  if status == 200 then acks = acks + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local sent, acks, refused = 0, 0, 0
  for _, t in ipairs(threads) do
    sent = sent + t:get("sent")
    acks = acks + t:get("acks")
    refused = refused + t:get("refused")
  end
  local e = summary.errors
  io.write(string.format(
    '{WRK_MARK}{{"sent": %d, "completed": %d, "acks": %d, "refused": %d, ' ..
    '"duration_us": %d, "errors": {{"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}}, "latency_us": {{"min": %d, "mean": %.1f, "p50": %d, "p90": %d, ' ..
    '"p99": %d, "max": %d}}}}\\n',
    sent, summary.requests, acks, refused, summary.duration,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
"""


def run_wrk(
    wrk: str,
    url: str,
    script: str,
    *,
    connections: int,
    threads: int,
    seconds: float,
    workdir: Path,
) -> dict[str, Any]:
    path = workdir / "ack.lua"
    path.write_text(script)
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "30s",
        "-s",
        str(path),
        f"{url}/slack/events",
    ]
    result = subprocess.run(  # noqa: S603
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    for line in result.stdout.splitlines():
        if line.startswith(WRK_MARK):
            data: dict[str, Any] = json.loads(line[len(WRK_MARK) :])
            return data
    raise RuntimeError(
        f"wrk printed no result (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    )


def summarise(run: dict[str, Any]) -> dict[str, Any]:
    lat = run["latency_us"]
    complete = run["completed"] > 0
    return {
        "requests": run["sent"],
        "acks": run["acks"],
        "refused": run["refused"],
        "unanswered_at_stop": run["sent"] - run["completed"],
        "p50_ms": round(lat["p50"] / 1000, 2) if complete else None,
        "p90_ms": round(lat["p90"] / 1000, 2) if complete else None,
        "p99_ms": round(lat["p99"] / 1000, 2) if complete else None,
        "max_ms": round(lat["max"] / 1000, 2) if complete else None,
        "socket_errors": {k: v for k, v in run["errors"].items() if k != "status" and v},
    }


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time a process has used so far (Linux), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> tuple[float, float] | None:
    """(busy, total) CPU jiffies of the whole machine so far (Linux), or None."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return float(sum(values) - idle), float(sum(values))


@dataclass
class Usage:
    """CPU used by the app, and by the whole machine, between two moments."""

    pid: int
    app: float | None = None
    machine: tuple[float, float] | None = None

    def start(self) -> None:
        self.app, self.machine = cpu_seconds(self.pid), machine_busy()

    def report(self, seconds: float, commands: int) -> dict[str, float | None]:
        app, machine = cpu_seconds(self.pid), machine_busy()
        used = app - self.app if app is not None and self.app is not None else None
        busy = None
        if machine is not None and self.machine is not None and machine[1] > self.machine[1]:
            busy = (machine[0] - self.machine[0]) / (machine[1] - self.machine[1])
        return {
            "app_cpu_s": round(used, 2) if used is not None else None,
            "app_cpu_ms_per_command": round(used * 1000 / commands, 2)
            if used is not None and commands
            else None,
            "app_cpu_share": round(used / seconds, 2) if used is not None and seconds else None,
            "machine_cpu_busy": round(busy, 2) if busy is not None else None,
        }


def wait_for_answers(sink: AnswerSink, expected: int, timeout: float) -> float:
    """Wait until `expected` answers arrived (or `timeout`); returns the seconds waited."""
    started = time.monotonic()
    while sink.delivered < expected and time.monotonic() - started < timeout:
        time.sleep(0.05)
    time.sleep(0.3)  # a moment for any answer beyond the expected ones
    return round(time.monotonic() - started, 2)


def thread_count(users: int, wanted: int) -> int:
    """wrk gives each thread connections // threads: use a count that divides the users."""
    return max(t for t in range(1, max(1, min(wanted, users)) + 1) if users % t == 0)


# --- the bench ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    wrk = args.wrk or shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed (apt-get install wrk, or `make bench`)")
    threads = thread_count(args.users, args.threads)
    started = time.monotonic()
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-ack-")))
        config = SandboxConfig(api_key=API_KEY, rate_limit=args.rate_limit)
        counted = CountRequests(create_app(config))
        sandbox = stack.enter_context(ThreadedServer(counted))
        httpx.post(
            f"{sandbox.url}/_sandbox/faults", json={"latency_ms": args.latency_ms}, timeout=5
        ).raise_for_status()
        slack = stack.enter_context(MockSlackServer())
        sink = AnswerSink()
        sink_server = stack.enter_context(ThreadedServer(sink.app()))
        users = make_users(args.users, sink_server.url)

        port = free_port()
        app_url = f"http://127.0.0.1:{port}"
        log_path = workdir / "clickbot.log"
        log(
            f"sandbox {sandbox.url} ({args.latency_ms} ms latency), starting clickbot web on {port}"
        )
        process = stack.enter_context(running_app(port, sandbox.url, slack, log_path))
        wait_healthy(app_url, process, log_path, timeout=30)
        log(f"healthy after {time.monotonic() - started:.1f}s; cold burst of {args.users}")

        # Cold: one command per connection, all at once, right after start-up.
        usage = Usage(process.pid)
        usage.start()
        phase_started = time.monotonic()
        cold_raw = run_wrk(
            wrk,
            app_url,
            wrk_script(users, threads, args.users // threads, args.pace_ms, spread=False),
            connections=args.users,
            threads=threads,
            seconds=args.cold_seconds,
            workdir=workdir,
        )
        cold = summarise(cold_raw)
        cold["answer_wait_s"] = wait_for_answers(sink, cold["acks"], args.drain_timeout)
        cold["answers_delivered"] = sink.delivered
        cold |= usage.report(time.monotonic() - phase_started, cold["requests"])
        log(f"cold: {json.dumps(cold)}")

        # Warm: every user, one command a second, for warm_seconds.
        before = sink.delivered
        per_thread = args.users // threads * args.warm_seconds
        usage.start()
        phase_started = time.monotonic()
        warm_raw = run_wrk(
            wrk,
            app_url,
            wrk_script(users, threads, per_thread, args.pace_ms, spread=True),
            connections=args.users,
            threads=threads,
            seconds=args.warm_seconds + args.grace_seconds,
            workdir=workdir,
        )
        warm = summarise(warm_raw)
        warm["commands_per_s"] = round(warm["requests"] / args.warm_seconds, 1)
        expected = cold["acks"] + warm["acks"]
        warm["answer_wait_s"] = wait_for_answers(sink, expected, args.drain_timeout)
        warm["answers_delivered"] = sink.delivered - before
        warm |= usage.report(time.monotonic() - phase_started, warm["requests"])
        log(f"warm: {json.dumps(warm)}")

        with sink.lock:
            by_user = dict(sink.by_user)
            failed, failed_sample = sink.failed, sink.failed_sample
        delivered = sum(by_user.values())
        app_log = log_path.read_text(errors="replace").splitlines()
        alive = process.poll() is None
    return {
        "cold_p50_ms": cold["p50_ms"],
        "cold_p99_ms": cold["p99_ms"],
        "warm_p50_ms": warm["p50_ms"],
        "warm_p99_ms": warm["p99_ms"],
        "answers_expected": expected,
        "answers_delivered": delivered,
        "answers_missing": max(0, expected - delivered),
        "answers_not_results": failed,
        "answers_not_results_sample": failed_sample,
        "users_answered": len(by_user),
        "cold": cold,
        "warm": warm,
        "clickmeter": counted.counts(),
        "app": {
            "alive_at_end": alive,
            "log_warnings": sum(" WARNING " in line for line in app_log),
            "log_errors": sum(" ERROR " in line for line in app_log),
        },
        "config": {
            "users": args.users,
            "wrk_threads": threads,
            "pace_ms": args.pace_ms,
            "warm_seconds": args.warm_seconds,
            "clickmeter_latency_ms": args.latency_ms,
            "clickmeter_rate_limit": args.rate_limit,
            "commands": sorted({u.text for u in users}),
            "cpus": os.cpu_count(),
            "load_average_at_start": load_at_start,
        },
        "bench_seconds": round(time.monotonic() - started, 1),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.ack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help="users = wrk connections")
    parser.add_argument("--warm-seconds", type=int, default=25, help="length of the warm run")
    parser.add_argument("--cold-seconds", type=float, default=4.0, help="wait for the cold burst")
    parser.add_argument("--grace-seconds", type=float, default=4.0, help="wrk time past warm")
    parser.add_argument("--pace-ms", type=int, default=1000, help="pause after each answer")
    parser.add_argument("--latency-ms", type=int, default=1000, help="added to ClickMeter calls")
    parser.add_argument("--rate-limit", type=float, default=10.0, help="sandbox requests/s")
    parser.add_argument("--drain-timeout", type=float, default=30.0, help="max wait for answers")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--wrk", default=None, help="path of wrk (default: from PATH)")
    args = parser.parse_args(argv)
    if args.users < 1 or args.warm_seconds < 1:
        parser.error("--users and --warm-seconds must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    result = run(parse_args(argv))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
