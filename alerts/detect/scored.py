"""Spike and drop detectors on the robust model (`alerts.detect.robust`): state, seeding, steps.

The state a poller stores between cycles (about 2 kB as compact JSON):

    {"version": 2, "kind": "spike",
     "model": {...},                              # robust.Model.dump()
     "recent": base64,                            # the last 16 intervals' [seconds, count,
                                                  # expected] as float64s, for the message
     "last_end": iso | null,                      # a gap since then empties `recent`
     "episode": {...},                            # the episode machine (episodes.py)
     "quiet": n}                                  # intervals left before a new fire may open

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
version, or None, is replaced by a fresh one (the detector relearns) rather than misread.
`step` never mutates its input.
"""

from __future__ import annotations

import binascii
import itertools
import math
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter
from typing import Any, ClassVar

from alerts.detect.detector import Detector, Dispersion, Verdict
from alerts.detect.episodes import EpisodeState, Policy, advance
from alerts.detect.model import SPANS, Model
from alerts.detect.robust import SUSTAIN_MIN, Clock, Reading, observe, teach
from alerts.detect.series import Decision, Observation, Recent, as_utc

STATE_VERSION = 4
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
#: The fields of one `recent` item: [seconds, count, expected].
_SECONDS, _COUNT, _EXPECTED = itemgetter(0), itemgetter(1), itemgetter(2)


@dataclass(frozen=True)
class ScoredLevel:
    """One sensitivity: `threshold` is the score to fire at (fit by `bench/detect.py`);
    `min_count` the fewest clicks (spike: observed, drop: expected) an alert can be about."""

    threshold: float
    min_count: float = 5.0
    resolve_after: int = 2
    refractory_hours: float = 12.0


@dataclass
class _Live:
    model: Model
    recent: list[list[float]]
    last_end: datetime | None
    episode: EpisodeState
    quiet: int


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
    def new_state(self) -> dict[str, Any]:
        return self._dump_live(_Live(Model(), [], None, EpisodeState(), 0))

    def _dump_live(self, live: _Live) -> dict[str, Any]:
        return {
            "version": self.state_version,
            "kind": self.kind,
            "model": live.model.dump(),
            "recent": _pack_recent(live.recent),
            "last_end": live.last_end.isoformat() if live.last_end else None,
            "episode": live.episode.to_json(),
            "quiet": live.quiet,
        }

    def _load_live(self, state: Mapping[str, Any] | None) -> _Live:
        if state is None or not self.reads(state):
            state = self.new_state()
        last_end = state.get("last_end")
        return _Live(
            Model.load(state.get("model")),
            _unpack_recent(state.get("recent")),
            as_utc(datetime.fromisoformat(last_end)) if last_end else None,
            EpisodeState.from_json(state.get("episode", {})),
            int(state.get("quiet", 0)),
        )

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
        return self._dump_live(live)

    def step(
        self, state: Mapping[str, Any] | None, obs: Observation
    ) -> tuple[dict[str, Any], Decision]:
        live = self._load_live(state)
        decision = self._advance(live, obs)
        return self._dump_live(live), decision

    def run(
        self, state: Mapping[str, Any] | None, observations: Iterable[Observation]
    ) -> tuple[dict[str, Any], list[Decision]]:
        live = self._load_live(state)
        decisions = [self._advance(live, obs) for obs in observations]
        return self._dump_live(live), decisions

    def _advance(self, live: _Live, obs: Observation) -> Decision:
        """One step, updating `live` in place."""
        reading = observe(live.model, obs, self.interval_seconds, self.clock)
        if live.last_end is not None:
            gap = (obs.start - live.last_end).total_seconds()
            if gap > 0.5 * self.interval_seconds or gap < -1.0:
                live.recent = []  # a message must never sum across an outage
        item = [obs.seconds, obs.count, round(reading.expected, 4)]
        live.recent = [*live.recent, item][-self.keep :]
        live.last_end = obs.end
        verdict = self._verdict(live, reading)
        # An open episode lives on `hold` alone (the latest interval still well off normal),
        # so slower scales that still remember a burst can't keep it open; a closed one may
        # open only after the refractory period.
        can_open = not live.episode.open and live.quiet <= 0
        episode, event = advance(
            live.episode,
            self.policy,
            at=obs.start,
            fire=verdict.fire and can_open,
            hold=verdict.hold,
            observed=verdict.observed,
            expected=verdict.expected,
        )
        live.episode = episode
        if event == "resolved":
            live.quiet = self.refractory
        elif not episode.open and live.quiet > 0:
            live.quiet -= 1
        return Decision(
            at=obs.start,
            kind=self.kind,
            observed=verdict.observed,
            expected=verdict.expected,
            seconds=verdict.seconds,
            anomalous=verdict.fire,
            episode_open=episode.open,
            event=event,
            p_value=None,
            score=verdict.score,
            ready=reading.ready,
            details=verdict.details,
        )

    def _verdict(self, live: _Live, reading: Reading) -> Verdict:
        side = self.side
        sided = [side * s for s in reading.scores]
        # The first scale with the largest score, as max(range(3), key=...) picks it.
        best, score = 0, sided[0]
        for k in range(1, len(sided)):
            if sided[k] > score:
                best, score = k, sided[k]
        span = min(SPANS[best], len(live.recent))
        tail = live.recent[-span:]
        seconds = sum(map(_SECONDS, tail))
        observed = sum(map(_COUNT, tail))
        expected = sum(map(_EXPECTED, tail))
        volume = observed if self.side > 0 else expected
        # A drop needs the day's shape (hourly or finer history): a quiet night after daily
        # totals alone is not news. A spike only needs the level.
        warm = reading.ready and (
            self.side > 0 or (reading.profiled and reading.zero_share < ROUTINE_ZEROS)
        )
        news = warm and volume >= self.level.min_count and reading.surprise < SURPRISE_LIMIT
        details = {"intervals": float(span), "score": round(score, 3)}
        if reading.shift:
            details["level_shift"] = round(math.exp(reading.shift), 3)
        # The latest interval must itself be on the anomalous side to open an episode, and
        # well on it to hold one: an outage that ended or a burst that passed resolves at once,
        # even while the slower scales still remember it.
        latest = sided[0]
        # A level shift: traffic that stepped up (spike) or down (drop) and stayed there.
        stepped = (
            news
            and self.side * reading.sustained >= SUSTAIN_MIN
            and self.side * reading.sustained_score > SUSTAIN_SCORE * self.level.threshold
        )
        if stepped:
            details["sustained_ratio"] = round(math.exp(reading.sustained), 3)
            details["sustained_intervals"] = float(reading.sustained_intervals)
        return Verdict(
            fire=stepped or (news and score > self.level.threshold and latest > 0),
            hold=stepped or (news and latest > HOLD_FRACTION * self.level.threshold),
            observed=observed,
            expected=expected,
            seconds=seconds,
            p_value=None,
            score=max(score, 0.0),
            details=details,
        )


def _pack_recent(recent: list[list[float]]) -> str:
    """The recent intervals as base64 float64s: exact, and far cheaper to store and parse
    than a JSON list of 48 floats."""
    packed = struct.pack(f"<{3 * len(recent)}d", *itertools.chain.from_iterable(recent))
    return binascii.b2a_base64(packed, newline=False).decode("ascii")


def _unpack_recent(raw: object) -> list[list[float]]:
    if not isinstance(raw, str):
        return []
    try:
        data = binascii.a2b_base64(raw)
        flat = iter(struct.unpack(f"<{len(data) // 8}d", data))
    except (ValueError, struct.error):
        return []
    return list(map(list, zip(flat, flat, flat, strict=False)))
