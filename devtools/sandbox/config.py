"""How a sandbox is set up: its key, its seeded account and its traffic, throttling and clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class OtherAccount:
    """Another account the same sandbox serves, for its own key: several workspaces, each
    connected to its own account, against one ClickMeter URL (as the real service is)."""

    api_key: str
    seed: int = 2
    datapoints: int = 30
    timezone: str = "Eastern Standard Time"
    company: str = "Second Example Inc"


@dataclass(frozen=True, slots=True)
class SandboxConfig:
    """One sandbox: the API key it accepts and the account it seeds (`seed` makes it the same
    every run)."""

    api_key: str
    seed: int = 1
    datapoints: int = 200
    timezone: str = "W. Europe Standard Time"
    #: Requests per second per client IP and key; 0 turns throttling off.
    rate_limit: float = 10.0
    history_days: int = 90
    #: Sandbox time at start-up (aware); None means the real time.
    start: datetime | None = None
    #: Refuse every write (403), as ClickMeter does for a key without write rights: for a
    #: sandbox shared by tests that must not change it (fuzzers post at random).
    read_only: bool = False
    #: The plan's datapoint quota (`/me/plan`): new tracking links beyond it are refused.
    max_datapoints: int = 5000
    #: More accounts, each behind its own key (the control endpoints drive the first one).
    others: tuple[OtherAccount, ...] = ()
