"""A local, faithful stand-in for ClickMeter's API v2 with a seeded account and live traffic.

`create_app(config)` builds the Starlette app, `run_sandbox` serves it (blocking), and
`SandboxServer` serves it from a background thread for tests and demos:

    with SandboxServer(SandboxConfig(api_key=KEY)) as server:
        httpx.get(f"{server.url}/me", headers={"X-Clickmeter-Authkey": KEY})

Control endpoints (no key, never throttled or faulted; JSON in and out, 400 on a bad body):
    POST /_sandbox/spike   {"datapoint_id", "clicks_per_minute", "minutes"}: extra traffic
                           from now, spread over the coming minutes (advance the clock to see it)
    POST /_sandbox/pause   {"datapoint_id", "minutes"}: no traffic on that datapoint from now
                           for that long (what a broken or paused link looks like)
    POST /_sandbox/faults  {"latency_ms", "error_rate", "throttle_rate", "retry_after_s",
                           "revoked"}: partial updates; zeros / false restore normal service
    POST /_sandbox/clock   {"advance_seconds"} and/or {"frozen": true|false}
    GET  /_sandbox/state   ids, names, groups, tags, conversions, clock, today's totals, faults
    GET  /_sandbox/throttle  the rate limit (--rate-limit) and how many API requests it let
                           through and refused (429) since start
    Add `?account=<key>` to steer (spike, pause, clock) or look inside another account
    (`SandboxConfig.others`); faults are shared by every account.
The throttle (`rate_limit`) is per client IP and key, as ClickMeter's is per key.

Sandbox choices where the service's behaviour is not recorded: timeframes are defined in
`periods.py`; spider hits are counted only in `spiderHitsCount` / `spider*`, never in clicks or
views; `/hits` and `/clickstream` list newest first; `hourlyBreakDown` is keyed by local hour
"00".."23"; lists and counts include deleted datapoints unless `status` says otherwise.
"""

from __future__ import annotations

import uvicorn

from devtools.sandbox.app import create_app
from devtools.sandbox.config import SandboxConfig
from devtools.sandbox.serving import ThreadedServer

__all__ = ["SandboxConfig", "SandboxServer", "create_app", "run_sandbox"]


def run_sandbox(config: SandboxConfig, host: str = "127.0.0.1", port: int = 8765) -> None:
    uvicorn.run(create_app(config), host=host, port=port, log_level="info")


class SandboxServer(ThreadedServer):
    """The sandbox on 127.0.0.1 and a free port, served from a daemon thread."""

    def __init__(self, config: SandboxConfig, log_level: str = "warning") -> None:
        self.config = config
        super().__init__(create_app(config), log_level=log_level)
