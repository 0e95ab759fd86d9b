"""What every detector shares: the JSON state, seeding, and the per-interval step.

A detector object holds only configuration (sensitivity, nominal interval, time zone); everything
learnt lives in the state dict the caller passes in and gets back, so a poller can keep it in a
database row between cycles:

    {"version": 1, "kind": "spike",
     "baseline": {...} | null,                      # Baseline.to_json(); null for threshold
     "recent": [[start_iso, seconds, count, expected], ...],   # the last `window` intervals
     "episode": {"open", "run", "calm", "fired_at", "observed", "expected"},
     "window_disp": [num, den, n]}                  # learnt dispersion of window sums

About 4-5 kB as compact JSON. A state of another kind or version, or None, is replaced by a fresh
one (the detector relearns) rather than misread. Once learnt, the baseline keeps the time zone it
was created with. `step(state, obs)` is pure: it returns a new state and a `Decision` and never
mutates its input.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from alerts.detect.baseline import MAX_K, Baseline, update_dispersion
from alerts.detect.episodes import EpisodeState, Policy, advance
from alerts.detect.series import Decision, Observation, Recent, push_recent, round_state

Sensitivity = Literal["low", "medium", "high"]
SENSITIVITIES: tuple[Sensitivity, ...] = ("low", "medium", "high")
STATE_VERSION = 1


@dataclass(frozen=True)
class Verdict:
    """A detector's test of the recent window: strict (`fire`) and loose (`hold`) conditions."""

    fire: bool
    hold: bool
    observed: float
    expected: float
    seconds: float
    p_value: float | None = None
    score: float = 0.0
    details: dict[str, float] = field(default_factory=dict)


def p_and_score(log_p: float) -> tuple[float, float]:
    """(p-value, -log10 p) from a natural-log p-value; the score stays finite (capped at 999)."""
    score = min(999.0, -log_p / math.log(10.0)) if log_p < 0 else 0.0
    return math.exp(max(log_p, -745.0)), score


def window_sums(recent: tuple[Recent, ...], size: int) -> tuple[float, float, float]:
    """(observed, expected, seconds) summed over the last `size` remembered intervals."""
    tail = recent[-size:]
    return (
        sum(r.count for r in tail),
        sum(r.expected for r in tail),
        sum(r.seconds for r in tail),
    )


class Detector:
    """Base class; subclasses set `kind`, `policy`, `keep` and implement `judge`.

    `window` is the span in intervals some tests sum over (spike: the longer of its two scales,
    threshold: the rule's window, drop: defaults per sensitivity); `interval_seconds` is the
    nominal poll interval; `tz` the zone whose hours and weekdays the baseline learns.
    """

    kind: ClassVar[str] = "base"
    #: The version of the state format this detector writes (and the only one it reads).
    state_version: ClassVar[int] = STATE_VERSION
    uses_baseline: ClassVar[bool] = True
    #: Forget the recent window after a gap in observations (windowed tests must not span one).
    reset_on_gap: ClassVar[bool] = True

    def __init__(
        self,
        sensitivity: Sensitivity = "medium",
        *,
        interval_seconds: float = 300.0,
        tz: str = "UTC",
        warmup_hours: float = 1.0,
        window: int | None = None,
    ) -> None:
        if sensitivity not in SENSITIVITIES:
            raise ValueError(f"sensitivity must be one of {SENSITIVITIES}, got {sensitivity!r}")
        if not interval_seconds > 0:
            raise ValueError("interval_seconds must be positive")
        self.sensitivity: Sensitivity = sensitivity
        self.interval_seconds = float(interval_seconds)
        self.tz = tz
        self.warmup_hours = warmup_hours
        self.window = max(1, int(window)) if window is not None else self.default_window
        self.policy = Policy()
        self.keep = self.window  # how many recent intervals the test needs
        self._configure()

    default_window: ClassVar[int] = 1

    def _configure(self) -> None:
        """Subclasses read `self.sensitivity` and set `policy`, `keep` and their settings."""

    def tune(self, settings: Mapping[str, float]) -> None:
        """Override the tuned settings of this detector's level (the bench fits them)."""
        level = getattr(self, "level", None)
        if level is not None and settings:
            self.level = dataclasses.replace(level, **settings)

    def judge(self, recent: tuple[Recent, ...], ready: bool, k: Dispersion) -> Verdict:
        """Test the window ending with the newest interval (`recent[-1]`)."""
        raise NotImplementedError

    # -- state ---------------------------------------------------------------------------
    def new_state(self) -> dict[str, Any]:
        """An empty state: the detector learns from scratch (no alert until warm)."""
        baseline = Baseline(tz=self.tz, warmup_hours=self.warmup_hours)
        return self._dump(baseline, (), EpisodeState(), (0.0, 0.0, 0.0))

    def _dump(
        self,
        baseline: Baseline | None,
        recent: tuple[Recent, ...],
        episode: EpisodeState,
        window_disp: tuple[float, float, float],
    ) -> dict[str, Any]:
        return {
            "version": self.state_version,
            "kind": self.kind,
            "baseline": baseline.to_json() if baseline and self.uses_baseline else None,
            "recent": [r.to_json() for r in recent],
            "episode": episode.to_json(),
            "window_disp": [round_state(v) for v in window_disp],
        }

    def reads(self, state: Mapping[str, Any] | None) -> bool:
        """Whether `state` is one this detector learnt (its kind, this version of its format);
        any other state is replaced by a fresh one when stepped."""
        return (
            state is not None
            and state.get("version") == self.state_version
            and state.get("kind") == self.kind
        )

    def _load(self, state: Mapping[str, Any] | None) -> _Learnt:
        if state is None or not self.reads(state):
            state = self.new_state()  # unknown or foreign state: start over rather than misread
        raw_baseline = state.get("baseline")
        baseline = (
            Baseline.from_json(raw_baseline)
            if raw_baseline
            else Baseline(tz=self.tz, warmup_hours=self.warmup_hours)
        )
        recent = tuple(Recent.from_json(r) for r in state.get("recent", ()))
        raw_disp = [float(v) for v in state.get("window_disp", ())]
        window_disp = (raw_disp[0], raw_disp[1], raw_disp[2]) if len(raw_disp) == 3 else _NO_DISP
        episode = EpisodeState.from_json(state.get("episode", {}))
        return baseline, recent, episode, window_disp

    # -- learning and deciding -------------------------------------------------------------
    def seed(
        self, history: Iterable[Observation], state: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """The state after learning from `history` (e.g. 90 daily totals and/or recent hourly
        counts from `/aggregated/list`, any order, may overlap in time) without deciding
        anything; observations should be in time order within each granularity."""
        baseline, recent, episode, window_disp = self._load(state)
        if self.uses_baseline:
            ordered = sorted(history, key=lambda o: (-o.seconds, o.start))
            for obs in ordered:  # coarse first: daily totals set the level hourly data refines
                baseline = baseline.update(obs)
        return self._dump(baseline, recent, episode, window_disp)

    def step(
        self, state: Mapping[str, Any] | None, obs: Observation
    ) -> tuple[dict[str, Any], Decision]:
        """Judge `obs` against what was learnt before it, then learn from it."""
        learnt, decision = self._step(self._load(state), obs)
        return self._dump(*learnt), decision

    def run(
        self, state: Mapping[str, Any] | None, observations: Iterable[Observation]
    ) -> tuple[dict[str, Any], list[Decision]]:
        """`step` over many observations; same result, without a JSON round trip per step."""
        learnt = self._load(state)
        decisions: list[Decision] = []
        for obs in observations:
            learnt, decision = self._step(learnt, obs)
            decisions.append(decision)
        return self._dump(*learnt), decisions

    def _step(self, learnt: _Learnt, obs: Observation) -> tuple[_Learnt, Decision]:
        baseline, recent, episode, window_disp = learnt
        expectation = baseline.expect(obs.start, obs.seconds)
        ready = expectation.ready or not self.uses_baseline
        item = Recent(obs.start, obs.seconds, obs.count, expectation.count)
        max_gap = 1.5 * self.interval_seconds if self.reset_on_gap else math.inf
        recent = push_recent(recent, item, self.keep, max_gap)
        k_window = _window_k(window_disp, expectation.k)
        verdict = self.judge(recent, ready, Dispersion(expectation.k, k_window))
        if ready and self.keep > 1 and len(recent) == self.keep:
            # Learn how much window sums vary beyond Poisson: bursts that span several
            # intervals make it larger than the per-interval k, independent noise smaller.
            observed, expected, seconds = window_sums(recent, self.keep)
            if expected > 0:
                num, den = update_dispersion(
                    window_disp[:2], observed, expected, k_window, seconds / 3600 / self.keep
                )
                window_disp = (num, den, window_disp[2] + 1.0)
        episode, event = advance(
            episode,
            self.policy,
            at=obs.start,
            fire=verdict.fire,
            hold=verdict.hold,
            observed=verdict.observed,
            expected=verdict.expected,
        )
        if self.uses_baseline:
            baseline = baseline.update(obs, expectation)
        decision = Decision(
            at=obs.start,
            kind=self.kind,
            observed=verdict.observed,
            expected=verdict.expected,
            seconds=verdict.seconds,
            anomalous=verdict.fire,
            episode_open=episode.open,
            event=event,
            p_value=verdict.p_value,
            score=verdict.score,
            ready=ready,
            details=verdict.details,
        )
        return (baseline, recent, episode, window_disp), decision


_Learnt = tuple[Baseline, tuple[Recent, ...], EpisodeState, tuple[float, float, float]]
_NO_DISP = (0.0, 0.0, 0.0)
#: Window sums observed before the learnt window k is trusted half (a day of 5-min windows).
WINDOW_DISP_PRIOR = 288.0


@dataclass(frozen=True)
class Dispersion:
    """Over-dispersion k for one interval and for a sum over the detector's window."""

    interval: float
    window: float


def _window_k(window_disp: tuple[float, float, float], interval_k: float) -> float:
    """Learnt window k, shrunk toward the per-interval k (the safe, fully correlated guess)."""
    num, den, n = window_disp
    if den <= 0 or n <= 0:
        return interval_k
    learnt = min(MAX_K, max(0.0, num / den))
    weight = n / (n + WINDOW_DISP_PRIOR)
    return weight * learnt + (1 - weight) * interval_k


def state_size(state: Mapping[str, Any]) -> int:
    """Bytes the state takes as compact JSON (what a database row stores)."""
    return len(json.dumps(state, separators=(",", ":")))
