"""How a sandbox is set up: its key, its seeded account and its traffic, throttling and clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """One sandbox: the API key it accepts and the account it seeds (`seed` makes it the same
    every run)."""

    api_key: str
    seed: int = 1
    datapoints: int = 200
    timezone: str = "W. Europe Standard Time"
    #: Requests per second per client IP; 0 turns throttling off.
    rate_limit: float = 10.0
    history_days: int = 90
    #: Sandbox time at start-up (aware); None means the real time.
    start: datetime | None = None
