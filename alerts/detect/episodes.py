"""Turning per-interval verdicts into alert episodes, with hysteresis.

An episode opens ("fired") once the firing condition has held on `fire_after` consecutive
observed intervals, stays open while a looser holding condition holds, and closes ("resolved")
after `resolve_after` consecutive intervals where it does not. Intervals that were never observed
(a failed poll) count for nothing either way, so a gap neither opens nor closes an episode.

Callers can rely on: episodes never overlap, `fired_at <= resolved_at`, and the state is a small
JSON-ready dict.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from alerts.detect.series import Event, as_utc, round_state


@dataclass(frozen=True)
class Policy:
    """How many consecutive intervals open (`fire_after`) and close (`resolve_after`) one."""

    fire_after: int = 1
    resolve_after: int = 2


@dataclass(frozen=True)
class EpisodeState:
    """Where the episode machine stands; `fired_at`/`observed`/`expected` describe the open one."""

    open: bool = False
    run: int = 0
    calm: int = 0
    fired_at: datetime | None = None
    observed: float = 0.0
    expected: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "open": self.open,
            "run": self.run,
            "calm": self.calm,
            "fired_at": self.fired_at.isoformat() if self.fired_at else None,
            "observed": round_state(self.observed),
            "expected": round_state(self.expected),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> EpisodeState:
        fired = raw.get("fired_at")
        return cls(
            open=bool(raw.get("open", False)),
            run=int(raw.get("run", 0)),
            calm=int(raw.get("calm", 0)),
            fired_at=as_utc(datetime.fromisoformat(fired)) if fired else None,
            observed=float(raw.get("observed", 0.0)),
            expected=float(raw.get("expected", 0.0)),
        )


def advance(
    state: EpisodeState,
    policy: Policy,
    *,
    at: datetime,
    fire: bool,
    hold: bool,
    observed: float,
    expected: float,
) -> tuple[EpisodeState, Event]:
    """The episode state after one observed interval, and the event it caused (if any).

    `fire` is the strict condition, `hold` the looser one that keeps an open episode open
    (callers pass `hold >= fire`; `fire` implies holding).
    """
    if not state.open:
        run = state.run + 1 if fire else 0
        if run >= policy.fire_after:
            opened = EpisodeState(True, 0, 0, as_utc(at), observed, expected)
            return opened, "fired"
        return (state, None) if run == state.run else (replace(state, run=run), None)
    if fire or hold:
        return (state, None) if state.calm == 0 else (replace(state, calm=0), None)
    calm = state.calm + 1
    if calm >= policy.resolve_after:
        return EpisodeState(), "resolved"
    return replace(state, calm=calm), None


@dataclass(frozen=True)
class Episode:
    """One alert episode as replay prints it; `resolved_at` is None while still open."""

    kind: str
    fired_at: datetime
    resolved_at: datetime | None
    observed: float
    expected: float
    fired_index: int = -1
    resolved_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The replay line: {"fired_at", "resolved_at", "kind", "observed", "expected"}."""
        return {
            "fired_at": self.fired_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "kind": self.kind,
            "observed": round(self.observed, 2),
            "expected": round(self.expected, 2),
        }
