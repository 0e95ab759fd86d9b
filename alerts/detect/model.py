"""The robust click model's learnt state (`Model`): the profiles and trackers are stored as
float32s (`alerts.detect.state` packs them with the rest of a detector's state) and every value
is kept at that precision in memory on every step (`settle`), so a state stored between poll
cycles decides exactly as an in-memory run. `Model.load` reads the model of a version-4 state
(a dict with the profiles and trackers as one base64 string). What the values mean and how a
step changes them: `alerts.detect.robust`.
"""

from __future__ import annotations

import binascii
import math
import struct
import sys
from array import array
from collections.abc import Mapping
from typing import Any

#: Smoothing of the residual at each scale, and the span in intervals a message sums over.
ALPHAS = (1.0, 1 / 4, 1 / 16)
SPANS = (1, 4, 16)
INITIAL_SCALE = 1.0  # before any evidence, "normal" spans a factor e either way ...
#: ... for one interval; an average over n intervals strays about 1/sqrt(n) as far.
INITIAL_SCALES = tuple(INITIAL_SCALE * math.sqrt(a / (2 - a)) for a in ALPHAS)


class Model:
    """Mutable working copy of the model; `load` reads a version-4 state's model."""

    __slots__ = (
        "dow",
        "e",
        "fine",
        "hod",
        "hot",
        "how",
        "learnt",
        "level",
        "mean",
        "n",
        "over",
        "run",
        "s50",
        "scale",
        "sflat",
        "shod",
        "srun",
        "sseason",
        "sshift",
        "ssum",
        "zeros",
    )

    def __init__(self) -> None:
        self.level: float | None = None
        # The profiles (hour of the day, of the week, day of the week, the shift test's hour
        # of the day): float32 arrays, so a step that touches one slot of them neither decodes
        # nor re-encodes the others (no step reads a slot back after writing it, so storing it
        # rounded at once decides as the rounding by `settle` did).
        self.hod = array("f", bytes(4 * 24))
        self.how = array("f", bytes(4 * HOURS_OF_WEEK))
        self.dow = array("f", bytes(4 * 7))
        self.e = [0.0] * len(ALPHAS)
        self.scale = list(INITIAL_SCALES)
        self.s50 = 0.1
        self.sflat = 0.1
        self.sseason = 0.1
        self.run = 0
        self.n = 0
        self.learnt = 0.0
        self.fine = 0.0
        self.mean = 0.0
        self.shod = array("f", bytes(4 * 24))  # the shift test's hour-of-day profile
        self.sshift = 0.1  # its median residual
        self.srun = 0  # signed length of the current run of intervals off normal
        self.ssum = 0.0  # the sum of their residuals
        self.zeros = 0.0  # the share of intervals with no clicks (a running mean, then EWMA)
        self.hot = 0.0  # how often an excursion beyond some scale's quantile began, per interval
        self.over = 0  # whether the last interval was beyond some scale's quantile

    @classmethod
    def load(cls, raw: Mapping[str, Any] | None) -> Model:
        """The model of a version-4 state: {"level", "learnt", "counts": [run, n, srun, over],
        "packed": base64 of the float32s below}; an unreadable one is a fresh model."""
        if not raw:
            return cls()
        try:
            data = binascii.a2b_base64(raw.get("packed", ""))
            if len(data) != _PACKED_BYTES:
                raise ValueError("packed state of the wrong size")
            rest = _REST.unpack_from(data, _REST_AT)
            run, n, srun, over = map(int, raw.get("counts", ()))
        except (ValueError, struct.error, TypeError):
            return cls()  # unreadable: relearn rather than misread
        # Every slot is set from the stored values: building the empty profiles first cost a
        # tenth of a step.
        model = cls.__new__(cls)
        level = raw.get("level")
        model.level = float(level) if level is not None else None
        model.learnt = float(raw.get("learnt", 0.0))
        model.run, model.n, model.srun, model.over = run, n, srun, over
        model.hod = hod = array("f")
        hod.frombytes(data[:_HOW_AT])
        model.how = how = array("f")
        how.frombytes(data[_HOW_AT:_REST_AT])
        if _SWAP:
            hod.byteswap()
            how.byteswap()
        model.dow = array("f", rest[0:7])
        model.e = list(rest[7:10])
        model.scale = list(rest[10:13])
        model.shod = array("f", rest[13:37])
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
        ) = rest[37:]
        return model


#: Version 4 packed the profiles and trackers as one base64 string of float32s, in order: hod
#: (24), how (168), then dow (7), e (3), scale (3), shod (24) and the nine scalars s50, sflat,
#: sseason, fine, mean, sshift, ssum, zeros, hot. `how` is copied as raw bytes (an `array` of
#: the same float32s), as is `hod`.
HOURS_OF_WEEK = 168
_HOD = struct.Struct("<24f")
_REST = struct.Struct(f"<{7 + 3 + 3 + 24 + 9}f")
_HOW_AT = _HOD.size
_REST_AT = _HOW_AT + 4 * HOURS_OF_WEEK
_PACKED_BYTES = _REST_AT + _REST.size
_SWAP = sys.byteorder != "little"  # the stored float32s are little-endian
#: What one step may change, brought to float32 in one pack (see `settle`).
_CHANGED = struct.Struct("<19f")
FLOOR = 1e-6  # multiplicative trackers never reach 0


def settle(model: Model, day: int, hour: int) -> None:
    """Bring what a step changed to float32 precision (the stored precision), in memory;
    multiplicative trackers keep a tiny positive floor; the level keeps 6 decimals."""
    if model.level is not None:
        model.level = round(model.level, 6)
    slot = 24 * day + hour
    e, scale = model.e, model.scale
    # `FLOOR if FLOOR > v else v` is max(v, FLOOR) without the builtin's keyword parsing.
    (
        model.hot,
        model.zeros,
        model.mean,
        model.ssum,
        model.fine,
        model.shod[hour],
        model.sshift,
        model.hod[hour],
        model.how[slot],
        model.dow[day],
        e[0],
        e[1],
        e[2],
        scale[0],
        scale[1],
        scale[2],
        model.s50,
        model.sflat,
        model.sseason,
    ) = _CHANGED.unpack(
        _CHANGED.pack(
            model.hot,
            model.zeros,
            model.mean,
            model.ssum,
            model.fine,
            model.shod[hour],
            FLOOR if model.sshift < FLOOR else model.sshift,
            model.hod[hour],
            model.how[slot],
            model.dow[day],
            e[0],
            e[1],
            e[2],
            FLOOR if scale[0] < FLOOR else scale[0],
            FLOOR if scale[1] < FLOOR else scale[1],
            FLOOR if scale[2] < FLOOR else scale[2],
            FLOOR if model.s50 < FLOOR else model.s50,
            FLOOR if model.sflat < FLOOR else model.sflat,
            FLOOR if model.sseason < FLOOR else model.sseason,
        )
    )
