"""The spike and drop detectors' stored state (version 5): everything learnt packed as one
base64 string, so a poll cycle's JSON round trip and the step's load and dump are one string
and a few struct calls each way instead of a dict of dicts, lists and ISO datetimes.

    {"version": 5, "kind": "spike" | "drop", "packed": base64}

`packed` is little-endian, without padding:

- a header (`_HEAD`): flags (bit 0: the model has a level, 1: `last_end` is set, 2: the
  episode is open, 3: it has `fired_at`, 4: `Model.over`, 5 and 6: the recent seconds, counts
  are stored as float32s), then the model's `level` and `learnt` (float64), `n` and `srun`
  (int64), `run` (int32), the episode's `run` and `calm` and the detector's `quiet` (int32),
  `last_end` and the episode's `fired_at` as microseconds since the Unix epoch in UTC (int64:
  exact, where an epoch float would round), the episode's `observed` and `expected` (float64)
  and how many recent intervals follow (uint8);
- the hour-of-day profile `hod` and the hour-of-week correction `how` (24 and 168 float32s,
  copied as raw bytes to and from their `array`s);
- the model's other float32s (in `Model` order: dow, e, scale, shod and nine trackers; the
  profiles dow and shod also copied as raw bytes to and from their `array`s), then
  the recent intervals column by column: seconds, counts (float32s where every one of the
  column is exactly a float32, as whole counts and the nominal seconds are: a quarter of the
  string saved, and a string's bytes are most of a step's cost), expected counts (float64).

Every value keeps the precision it had in version 4 (the model's profiles and trackers float32,
as `settle` keeps them in memory; level, learnt, recent and the episode's counts float64), so a
stored state decides exactly as before. A version-4 state (a dict of the model's fields, ISO
datetimes and a separate `recent` string) is still read, converted on load: the rules deployed
before keep what they learnt. About 1.8 kB as JSON with all 16 recent intervals (2.1 kB before).
"""

from __future__ import annotations

import binascii
import functools
import math
import struct
import sys
from array import array
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from alerts.detect.episodes import EpisodeState
from alerts.detect.model import FLOOR, HOURS_OF_WEEK, Model
from alerts.detect.series import as_utc

STATE_VERSION = 5
#: The earlier format, still read (converted) so deployed rules keep what they learnt.
V4 = 4

_HAS_LEVEL, _HAS_END, _OPEN, _HAS_FIRED, _OVER = 1, 2, 4, 8, 16
#: Flags: the recent intervals' seconds, or counts, are all exactly float32s, stored so.
_SECONDS32, _COUNTS32 = 32, 64
_HEAD = struct.Struct("<BddqqiiiiqqddB")
_HOD_AT = _HEAD.size
_HOW_AT = _HOD_AT + 4 * 24
_DOW_AT = _HOW_AT + 4 * HOURS_OF_WEEK
#: The model's e and scale (3 float32s each), between `dow` and `shod`.
_ES = struct.Struct("<6f")
_ES_AT = _DOW_AT + 4 * 7
_SHOD_AT = _ES_AT + _ES.size
_TAIL_AT = _SHOD_AT + 4 * 24
_MODEL_TAIL = 9
#: Where `how`, `dow`, e and `shod` start among the float32s from `hod` on.
_HOW_I, _DOW_I, _ES_I, _SHOD_I = (
    (at - _HOD_AT) // 4 for at in (_HOW_AT, _DOW_AT, _ES_AT, _SHOD_AT)
)
#: Per length of `recent` (0 to 16 intervals, at most `max(SPANS)`): its columns as float32s.
_F32 = [struct.Struct(f"<{n}f") for n in range(17)]
_SWAP = sys.byteorder != "little"  # the stored float32s are little-endian
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
#: The closed episode almost every step carries: shared, as it is immutable, so loading one
#: builds no dataclass.
_CLOSED = EpisodeState()


@functools.cache
def _tail(intervals: int, narrow: int) -> struct.Struct:
    """The model's nine trackers (float32s), then `intervals` recent seconds, counts and expected
    counts (the first two as float32s where `narrow` has their flag, else float64s)."""
    seconds = "f" if narrow & _SECONDS32 else "d"
    counts = "f" if narrow & _COUNTS32 else "d"
    return struct.Struct(f"<{_MODEL_TAIL}f{intervals}{seconds}{intervals}{counts}{intervals}d")


def _narrows(column: list[float]) -> bool:
    """Whether every value of `column` is exactly a float32 (whole click counts, the nominal
    seconds): stored as float32s, they take half the bytes and decode to the same float64s."""
    narrow = _F32[len(column)]
    try:
        return list(narrow.unpack(narrow.pack(*column))) == column  # NaN: never equal, kept
    except OverflowError:
        return False


_NARROW = _SECONDS32 | _COUNTS32
_PAIR32 = _F32[2]


class Live:
    """The mutable working copy of a state: the model, the recent intervals as one flat list
    [seconds, count, expected, seconds, ...] (a list per interval cost a list per step), the
    end of the latest interval (`end`: microseconds since the epoch, as stored, so a step
    converts no datetime to or from it; `last_end` as a datetime), the episode, and intervals
    left before a new fire may open.

    `narrow` has the flag of each recent column known to be all float32s (as loaded, and kept
    by `push`): checking only the newest interval's values saves the dump a round trip of each
    column through float32. A column without its flag is checked whole by the dump (dropping
    its oldest values may have made it narrow)."""

    __slots__ = ("end", "episode", "model", "narrow", "quiet", "recent")

    def __init__(
        self,
        model: Model,
        recent: list[float],
        end: int | None,
        episode: EpisodeState,
        quiet: int,
        narrow: int = 0,
    ) -> None:
        self.model = model
        self.recent = recent
        self.end = end
        self.episode = episode
        self.quiet = quiet
        self.narrow = narrow

    @property
    def last_end(self) -> datetime | None:
        return None if self.end is None else EPOCH + self.end * MICROSECOND

    def clear(self) -> None:
        """Forget the recent intervals (an empty column is all float32s)."""
        self.recent = []
        self.narrow = _NARROW

    def push(self, seconds: float, count: float, expected: float, keep: int) -> None:
        """Append an interval to `recent`, keeping the last `keep`."""
        recent = self.recent
        recent += (seconds, count, expected)
        if len(recent) > 3 * keep:
            del recent[: -3 * keep]
        narrow = self.narrow
        if narrow:
            try:
                seconds32, count32 = _PAIR32.unpack(_PAIR32.pack(seconds, count))
            except OverflowError:  # beyond float32's range: that column is no longer narrow
                seconds32 = count32 = math.nan
            # NaN never equals its float32: such a column is stored as float64s, as before.
            if seconds32 != seconds:
                narrow &= ~_SECONDS32
            if count32 != count:
                narrow &= ~_COUNTS32
            self.narrow = narrow


def fresh() -> Live:
    return Live(Model(), [], None, _CLOSED, 0, _NARROW)


def dump(live: Live, kind: str) -> dict[str, Any]:
    """`live` as a version-5 state of `kind`.

    Its model may be unsettled (`observe(..., settled=False)`): packing as float32 rounds as
    `settle` does, and the floors and the level's 6 decimals are applied here. On a settled
    model both are no-ops (a floored float32 floors and rounds to itself, and a level rounded
    to 6 decimals rounds to itself), so the stored bits are the same either way."""
    model, episode, end, recent = live.model, live.episode, live.end, live.recent
    fired = episode.fired_at
    level = model.level
    s0, s1, s2 = model.scale
    # The recent intervals go column by column, so a column of float32s can be stored so.
    intervals = len(recent) // 3
    seconds, counts, expected = recent[0::3], recent[1::3], recent[2::3]
    narrow = live.narrow
    if narrow != _NARROW:
        narrow = (_SECONDS32 if narrow & _SECONDS32 or _narrows(seconds) else 0) | (
            _COUNTS32 if narrow & _COUNTS32 or _narrows(counts) else 0
        )
    flags = narrow | (
        (_HAS_LEVEL if level is not None else 0)
        | (_HAS_END if end is not None else 0)
        | (_OPEN if episode.open else 0)
        | (_HAS_FIRED if fired is not None else 0)
        | (_OVER if model.over else 0)
    )
    profiles = [model.hod, model.how, model.dow, model.shod]
    if _SWAP:
        profiles = [array("f", profile) for profile in profiles]
        for profile in profiles:
            profile.byteswap()
    hod, how, dow, shod = profiles
    e = model.e
    packed = b"".join(
        (
            _HEAD.pack(
                flags,
                0.0 if level is None else round(level, 6),
                model.learnt,
                model.n,
                model.srun,
                model.run,
                episode.run,
                episode.calm,
                live.quiet,
                0 if end is None else end,
                0 if fired is None else (fired - EPOCH) // MICROSECOND,
                episode.observed,
                episode.expected,
                intervals,
            ),
            hod.tobytes(),
            how.tobytes(),
            dow.tobytes(),
            _ES.pack(
                e[0],
                e[1],
                e[2],
                FLOOR if s0 < FLOOR else s0,
                FLOOR if s1 < FLOOR else s1,
                FLOOR if s2 < FLOOR else s2,
            ),
            shod.tobytes(),
            _tail(intervals, narrow).pack(
                FLOOR if model.s50 < FLOOR else model.s50,
                FLOOR if model.sflat < FLOOR else model.sflat,
                FLOOR if model.sseason < FLOOR else model.sseason,
                model.fine,
                model.mean,
                FLOOR if model.sshift < FLOOR else model.sshift,
                model.ssum,
                model.zeros,
                model.hot,
                *seconds,
                *counts,
                *expected,
            ),
        )
    )
    return {
        "version": STATE_VERSION,
        "kind": kind,
        "packed": binascii.b2a_base64(packed, newline=False).decode("ascii"),
    }


def load(state: Mapping[str, Any]) -> Live | None:
    """The working copy of a version-5 or version-4 state, or None for another version or
    where it is unreadable (the caller relearns rather than misread)."""
    version = state.get("version")
    if version == V4:
        return _load_v4(state)
    if version != STATE_VERSION:
        return None
    try:
        data = binascii.a2b_base64(state["packed"])
        head = _HEAD.unpack_from(data)
        intervals = head[13]
        if intervals > len(_F32) - 1:
            return None
        layout = _tail(intervals, head[0] & (_SECONDS32 | _COUNTS32))
        tail = layout.unpack_from(data, _TAIL_AT)
        if len(data) != _TAIL_AT + layout.size:
            return None
    except (KeyError, TypeError, ValueError, IndexError, struct.error):
        return None
    (flags, level, learnt, n, srun, run, ep_run, ep_calm, quiet, end, fired) = head[:11]
    # Every slot is set from the stored values: building the empty profiles first cost a
    # tenth of a step.
    model = Model.__new__(Model)
    model.level = level if flags & _HAS_LEVEL else None
    model.learnt = learnt
    model.n, model.srun, model.run, model.over = n, srun, run, 1 if flags & _OVER else 0
    # The float32s from `hod` to `shod` read as one array, then sliced (building an array
    # parses its arguments; slicing one does not).
    floats = array("f")
    floats.frombytes(data[_HOD_AT:_TAIL_AT])
    if _SWAP:
        floats.byteswap()
    model.hod = floats[:_HOW_I]
    model.how = floats[_HOW_I:_DOW_I]
    model.dow = floats[_DOW_I:_ES_I]
    model.e = floats[_ES_I : _ES_I + 3].tolist()
    model.scale = floats[_ES_I + 3 : _SHOD_I].tolist()
    model.shod = floats[_SHOD_I:]
    (
        model.s50,
        model.sflat,
        model.sseason,
        model.fine,
        model.mean,
        model.sshift,
        model.ssum,
        model.zeros,
        model.hot,
    ) = tail[:_MODEL_TAIL]
    observed, expected = head[11], head[12]
    episode = (
        _CLOSED
        if flags & (_OPEN | _HAS_FIRED) == 0
        and ep_run == 0
        and ep_calm == 0
        and observed == 0.0
        and expected == 0.0
        else EpisodeState(
            bool(flags & _OPEN),
            ep_run,
            ep_calm,
            EPOCH + fired * MICROSECOND if flags & _HAS_FIRED else None,
            observed,
            expected,
        )
    )
    recent = [0.0] * (3 * intervals)
    counts_at = _MODEL_TAIL + intervals
    recent[0::3] = tail[_MODEL_TAIL:counts_at]
    recent[1::3] = tail[counts_at : counts_at + intervals]
    recent[2::3] = tail[counts_at + intervals :]
    return Live(
        model,
        recent,
        end if flags & _HAS_END else None,
        episode,
        quiet,
        flags & _NARROW,
    )


def _load_v4(state: Mapping[str, Any]) -> Live | None:
    """A version-4 state: {"model": Model's fields, "recent": base64 float64s, "last_end": ISO,
    "episode": EpisodeState's JSON, "quiet": n}."""
    try:
        last_end = state.get("last_end")
        return Live(
            Model.load(state.get("model")),
            _unpack_recent_v4(state.get("recent")),
            (as_utc(datetime.fromisoformat(last_end)) - EPOCH) // MICROSECOND if last_end else None,
            EpisodeState.from_json(state.get("episode", {})),
            int(state.get("quiet", 0)),
        )
    except (TypeError, ValueError, AttributeError):
        return None


def _unpack_recent_v4(raw: object) -> list[float]:
    """Version 4's `recent` as read then: whole float64s, a trailing partial interval dropped."""
    if not isinstance(raw, str):
        return []
    try:
        data = binascii.a2b_base64(raw)
        flat = struct.unpack(f"<{len(data) // 8}d", data)
    except (ValueError, struct.error):
        return []
    return list(flat[: len(flat) // 3 * 3])
