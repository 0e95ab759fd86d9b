"""Spike and drop detectors on the robust model (`alerts.detect.robust`): state, seeding, steps.

The state a poller stores between cycles (about 1.8 kB as compact JSON; `alerts.detect.state`
describes the packing):

    {"version": 5, "kind": "spike",
     "packed": base64}     # the model (robust.Model), the last 16 intervals' [seconds, count,
                           # expected] for the message, the end of the latest (a gap since
                           # then empties them), the episode machine (episodes.py) and the
                           # intervals left before a new fire may open

An episode fires when the detector's side of the score (the largest scaled residual for a
spike, the most negative for a drop) passes the level's `threshold` with the latest interval on
the same side of normal, holds while the latest interval's own score stays above half of it, and
resolves after `resolve_after` intervals that are not. A sustained level shift on the
detector's side (`Reading.sustained`: at least 1.5x up for a spike, down for a drop, and at
least `SUSTAIN_SCORE` of the threshold in slow-scale units) fires and holds the same episode,
with `sustained_ratio` and `sustained_intervals` in the decision's details. After an episode
resolves, no new episode opens for `refractory` hours (at least 6 intervals, at most 144):
one burst of news is one alert, not a string of them. A drop never fires for a subject whose
intervals saw no clicks at all `ROUTINE_ZEROS` of the time or more (over about the last week):
there silence is routine (bursty or sparse traffic), not an outage. Nor does anything fire while
the subject's recent excursions are frequent (`SURPRISE_LIMIT`). A state of another kind or
version, or None, is replaced by a fresh one (the detector relearns) rather than misread; a
version-4 state (the format before) is read, converted. `step` never mutates its input.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from alerts.detect import state as packing
from alerts.detect.detector import Detector, Dispersion, Verdict
from alerts.detect.episodes import Policy, advance
from alerts.detect.model import SPANS
from alerts.detect.robust import SUSTAIN_MIN, Clock, Reading, observe, teach
from alerts.detect.series import Decision, Observation, Recent, spans
from alerts.detect.state import EPOCH, MICROSECOND, STATE_VERSION, V4, Live

HOLD_FRACTION = 0.5
#: A sustained shift's size must reach this share of the threshold in slow-scale units.
SUSTAIN_SCORE = 0.5
#: A drop needs traffic that rarely pauses: where this share of intervals or more saw no
#: clicks at all (bursty or sparse traffic), an interval of silence is routine, not news.
#: NAB's busy series pause in under 1% of intervals, its bursty volumes in 50-90%.
ROUTINE_ZEROS = 0.1
#: A spike or drop is news only where new excursions beyond the subject's quantiles are rare:
#: more than this many per interval (about 3 a day at 5-minute intervals) means its bursts
#: keep breaking records while the quantiles catch up, so one more is not news. Chosen by
#: leave-one-file-out (0.005 to 0.025 tried; 0.01 lowered no fold).
SURPRISE_LIMIT = 0.01
#: What `_verdict` tells `_advance`: fire, hold, observed, expected, seconds, score, details
#: (a tuple: a `Verdict` dataclass per step cost more than the verdict's arithmetic).
_Judged = tuple[bool, bool, float, float, float, float, dict[str, float]]


@dataclass(frozen=True)
class ScoredLevel:
    """One sensitivity: `threshold` is the score to fire at (fit by `bench/detect.py`);
    `min_count` the fewest clicks (spike: observed, drop: expected) an alert can be about."""

    threshold: float
    min_count: float = 5.0
    resolve_after: int = 2
    refractory_hours: float = 12.0


class ScoredDetector(Detector):
    """Base of `SpikeDetector` and `DropDetector`; subclasses set `kind`, `side`, `LEVELS`."""

    state_version = STATE_VERSION
    side: ClassVar[float] = 1.0  # +1: above normal is news; -1: below
    LEVELS: ClassVar[Mapping[str, ScoredLevel]] = {}
    level: ScoredLevel

    def _configure(self) -> None:
        self.level = self.LEVELS[self.sensitivity]
        self.policy = Policy(fire_after=1, resolve_after=self.level.resolve_after)
        self.keep = max(SPANS)
        self.clock = Clock(self.tz)

    def judge(self, recent: tuple[Recent, ...], ready: bool, k: Dispersion) -> Verdict:
        raise NotImplementedError("scored detectors judge in _advance")

    @property
    def refractory(self) -> int:
        steps = round(self.level.refractory_hours * 3600.0 / self.interval_seconds)
        return max(6, min(144, steps))

    # -- state ---------------------------------------------------------------------------
    def reads(self, state: Mapping[str, Any] | None) -> bool:
        """Version 4 too: it is converted on load, so a deployed rule keeps what it learnt
        (and the engine does not reseed it)."""
        return (
            state is not None
            and state.get("version") in (STATE_VERSION, V4)
            and state.get("kind") == self.kind
        )

    def new_state(self) -> dict[str, Any]:
        return packing.dump(packing.fresh(), self.kind)

    def _load_live(self, state: Mapping[str, Any] | None) -> Live:
        live = None
        if state is not None and state.get("kind") == self.kind:
            live = packing.load(state)  # None for another version or an unreadable state
        return packing.fresh() if live is None else live

    # -- learning and deciding -------------------------------------------------------------
    def seed(
        self, history: Iterable[Observation], state: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Learn from `history` (daily totals and/or finer counts, any order) without deciding:
        coarse observations teach the level and profile, nominal-length ones everything."""
        live = self._load_live(state)
        for obs in sorted(history, key=lambda o: (-o.seconds, o.start)):
            if obs.seconds > 1.5 * self.interval_seconds:
                teach(live.model, obs, self.interval_seconds, self.clock)
            else:
                observe(live.model, obs, self.interval_seconds, self.clock)
        return packing.dump(live, self.kind)

    def step(
        self, state: Mapping[str, Any] | None, obs: Observation
    ) -> tuple[dict[str, Any], Decision]:
        live = self._load_live(state)
        # Stored at once: the dump settles the model (rounds to float32, floors), not the step.
        decision = self._advance(live, obs, settled=False)
        return packing.dump(live, self.kind), decision

    def run(
        self, state: Mapping[str, Any] | None, observations: Iterable[Observation]
    ) -> tuple[dict[str, Any], list[Decision]]:
        live = self._load_live(state)
        decisions = [self._advance(live, obs) for obs in observations]
        return packing.dump(live, self.kind), decisions

    def _advance(self, live: Live, obs: Observation, *, settled: bool = True) -> Decision:
        """One step, updating `live` in place (`live.recent` too: it is never the caller's);
        `settled` as for `observe`."""
        reading = observe(live.model, obs, self.interval_seconds, self.clock, settled=settled)
        start, seconds = obs.start, obs.seconds
        # In microseconds since the epoch, as the state keeps the end: exact integers, and
        # `timedelta.total_seconds()` is the microseconds over 10**6 (the same division).
        began = (start - EPOCH) // MICROSECOND
        if live.end is not None:
            gap = (began - live.end) / 1_000_000
            if gap > 0.5 * self.interval_seconds or gap < -1.0:
                live.clear()  # a message must never sum across an outage
        live.push(seconds, obs.count, round(reading.expected, 4), self.keep)
        live.end = began + spans(seconds)[2]  # obs.end, without the property's call
        fire, hold, observed, expected, span_seconds, score, details = self._verdict(live, reading)
        # An open episode lives on `hold` alone (the latest interval still well off normal),
        # so slower scales that still remember a burst can't keep it open; a closed one may
        # open only after the refractory period.
        episode = live.episode
        opening = fire and not episode.open and live.quiet <= 0
        event = None
        # Most steps leave the episode as it is (closed and not firing, or open and holding,
        # with no run or calm under way): those skip the call, which returns them unchanged.
        unchanged = hold and episode.calm == 0 if episode.open else not opening and episode.run == 0
        if not unchanged:
            episode, event = advance(
                episode,
                self.policy,
                at=start,
                fire=opening,
                hold=hold,
                observed=observed,
                expected=expected,
            )
            live.episode = episode
        if event == "resolved":
            live.quiet = self.refractory
        elif not episode.open and live.quiet > 0:
            live.quiet -= 1
        return Decision.made(
            start,
            self.kind,
            observed,
            expected,
            span_seconds,
            fire,
            episode.open,
            event,
            None,
            score,
            reading.ready,
            details,
        )

    def _verdict(self, live: Live, reading: Reading) -> _Judged:
        side = self.side
        # The detector's side of the scores, `side * s` exactly (1.0 * s is s, -1.0 * s is -s).
        latest, mid, slow = reading.scores if side > 0 else (-s for s in reading.scores)
        # The first scale with the largest score, as max(range(3), key=...) picks it.
        best, score = 0, latest
        if mid > score:
            best, score = 1, mid
        if slow > score:
            best, score = 2, slow
        recent = live.recent
        # min(SPANS[best], intervals), without the builtin's keyword parsing.
        span, intervals = SPANS[best], len(recent) // 3
        span = intervals if intervals < span else span
        # `recent` is flat [seconds, count, expected, ...]: each field is every third value.
        at = -3 * span
        seconds = sum(recent[at::3])
        observed = sum(recent[at + 1 :: 3])
        expected = sum(recent[at + 2 :: 3])
        volume = observed if side > 0 else expected
        # A drop needs the day's shape (hourly or finer history): a quiet night after daily
        # totals alone is not news. A spike only needs the level.
        warm = reading.ready and (
            side > 0 or (reading.profiled and reading.zero_share < ROUTINE_ZEROS)
        )
        threshold = self.level.threshold
        news = warm and volume >= self.level.min_count and reading.surprise < SURPRISE_LIMIT
        details = {"intervals": float(span), "score": round(score, 3)}
        if reading.shift:
            details["level_shift"] = round(math.exp(reading.shift), 3)
        # The latest interval must itself be on the anomalous side to open an episode, and
        # well on it to hold one: an outage that ended or a burst that passed resolves at once,
        # even while the slower scales still remember it.
        # A level shift: traffic that stepped up (spike) or down (drop) and stayed there.
        stepped = (
            news
            and side * reading.sustained >= SUSTAIN_MIN
            and side * reading.sustained_score > SUSTAIN_SCORE * threshold
        )
        if stepped:
            details["sustained_ratio"] = round(math.exp(reading.sustained), 3)
            details["sustained_intervals"] = float(reading.sustained_intervals)
        return (
            stepped or (news and score > threshold and latest > 0),
            stepped or (news and latest > HOLD_FRACTION * threshold),
            observed,
            expected,
            seconds,
            0.0 if score < 0.0 else score,  # max(score, 0.0), without the builtin's call
            details,
        )
