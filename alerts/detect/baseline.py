"""A seasonal click-rate baseline per subject, learnt online and seedable from history.

The rate (clicks per hour) at a moment is built hierarchically, each layer shrunk toward the one
below it in proportion to how much evidence it has:

    overall level  ->  hour of day (24)  x  day-of-week ratio (7)  ->  hour of week (168)

Evidence is exposure (hours observed, capped so old data is forgotten: an EWMA once the cap is
reached) and expected clicks (a bucket seen for 1 hour with 0.2 clicks says nothing about its
shape). Daily totals (observations longer than 1.5 h) only teach the level and the day-of-week
ratio; hourly or finer ones teach every layer. Hours are local to `tz` so a link's evening peak
stays put across DST changes.

Besides the mean, the baseline learns over-dispersion `k` (variance = mean + k·mean², the
negative-binomial form that fits click counts, which vary more than Poisson from day to day), and
reports the extra uncertainty of layers it has not learnt yet, so a profile seeded from daily
totals alone can't make a quiet night look like a drop.

Callers can rely on: `expect()` never raises and returns a finite expected count >= 0;
`to_json()`/`from_json()` round-trip through `json.dumps`; updates are pure (a new object).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from alerts.detect.series import Observation, round_state

# Exposure caps in hours: how much history each layer remembers (beyond it, EWMA forgetting).
LEVEL_MEMORY_H = 14 * 24.0
DOW_MEMORY_H = 8 * 24.0
HOD_MEMORY_H = 14.0  # two weeks of one hour a day
HOW_MEMORY_H = 6.0  # six weeks of one hour a week
DISPERSION_MEMORY_H = 14 * 24.0
# Shrinkage: a layer gets weight w/(w + K_EXPOSURE) * n/(n + K_CLICKS) (w hours, n clicks).
K_EXPOSURE = {"hod": 0.5, "dow": 12.0, "how": 1.0}
K_CLICKS = 4.0
# Prior coefficient of variation of a layer around its parent; an unlearnt layer adds cv² to k.
PRIOR_CV = {"hod": 0.5, "dow": 0.2, "how": 0.15}
MAX_K = 10.0
WINSOR_SD = 4.0  # updates are clipped to expected ± 4 sd once warm, so spikes don't teach


def _shrink(value: float, weight: float, parent: float) -> float:
    return weight * value + (1.0 - weight) * parent


@dataclass(frozen=True)
class Expectation:
    """Expected clicks for a span, its over-dispersion, and whether the baseline is warm.

    `k` = learnt dispersion + `unlearnt` (the variance share of profile layers still unknown).
    """

    count: float
    k: float
    ready: bool
    unlearnt: float = 0.0


@dataclass(frozen=True)
class Baseline:
    """Learnt state; see the module docstring. Construct empty with `Baseline(tz=...)`."""

    tz: str = "UTC"
    warmup_hours: float = 1.0
    level: float = 0.0
    level_w: float = 0.0
    dow: tuple[float, ...] = field(default=(0.0,) * 7)
    dow_w: tuple[float, ...] = field(default=(0.0,) * 7)
    hod: tuple[float, ...] = field(default=(0.0,) * 24)
    hod_w: tuple[float, ...] = field(default=(0.0,) * 24)
    how: tuple[float, ...] = field(default=(0.0,) * 168)
    how_w: tuple[float, ...] = field(default=(0.0,) * 168)
    disp_num: float = 0.0
    disp_den: float = 0.0

    @property
    def ready(self) -> bool:
        return self.level_w >= self.warmup_hours

    @property
    def dispersion(self) -> float:
        """Learnt k (>= 0): the squared coefficient of variation of the rate beyond Poisson."""
        if self.disp_den <= 0.0:
            return 0.0
        return min(MAX_K, max(0.0, self.disp_num / self.disp_den))

    def _local(self, moment: datetime) -> tuple[int, int]:
        local = moment if self.tz == "UTC" else moment.astimezone(ZoneInfo(self.tz))
        return local.weekday(), local.hour

    def _weight(self, layer: str, exposure: float, parent_rate: float) -> float:
        clicks = exposure * parent_rate
        return (exposure / (exposure + K_EXPOSURE[layer])) * (clicks / (clicks + K_CLICKS))

    def rate_at(self, moment: datetime) -> tuple[float, float]:
        """(clicks per hour, unlearnt-profile variance u²) at `moment`."""
        day, hour = self._local(moment)
        level = self.level
        w_hod = self._weight("hod", self.hod_w[hour], level)
        hod = _shrink(self.hod[hour], w_hod, level)
        w_dow = self._weight("dow", self.dow_w[day], level)
        ratio = _shrink(self.dow[day], w_dow, level) / level if level > 0 else 1.0
        prior = hod * ratio
        bucket = day * 24 + hour
        w_how = self._weight("how", self.how_w[bucket], prior)
        rate = _shrink(self.how[bucket], w_how, prior)
        u2 = (
            (1 - w_hod) * PRIOR_CV["hod"] ** 2
            + (1 - w_dow) * PRIOR_CV["dow"] ** 2
            + (1 - w_how) * PRIOR_CV["how"] ** 2
        )
        return max(rate, 0.0), u2

    def expect(self, start: datetime, seconds: float) -> Expectation:
        """Expected clicks in [start, start + seconds), integrating the profile hour by hour."""
        pieces = max(1, min(48, math.ceil(seconds / 3600.0)))
        step = seconds / pieces
        total = 0.0
        u2 = 0.0
        for i in range(pieces):
            rate, piece_u2 = self.rate_at(start + timedelta(seconds=step * (i + 0.5)))
            total += rate * step / 3600.0
            u2 += piece_u2 / pieces
        return Expectation(total, min(MAX_K, self.dispersion + u2), self.ready, u2)

    def update(self, obs: Observation, expectation: Expectation | None = None) -> Baseline:
        """The baseline after learning from `obs` (clipped to a plausible range once warm);
        pass `expectation` when `expect()` was just called for `obs`, to save recomputing it."""
        count = obs.count
        changes: dict[str, Any] = {}
        if self.ready:
            exp = expectation or self.expect(obs.start, obs.seconds)
            if exp.count > 0.0:
                changes["disp_num"], changes["disp_den"] = update_dispersion(
                    (self.disp_num, self.disp_den),
                    count,
                    exp.count,
                    exp.k,
                    obs.hours,
                )
            sd = math.sqrt(exp.count + exp.k * exp.count**2)
            count = min(max(count, exp.count - WINSOR_SD * sd), exp.count + WINSOR_SD * sd + 1.0)
        hours = obs.hours
        rate = count / hours
        level_w = min(self.level_w + hours, LEVEL_MEMORY_H)
        changes["level_w"] = level_w
        changes["level"] = self.level + (hours / level_w) * (rate - self.level)
        day, hour = self._local(obs.start + timedelta(seconds=obs.seconds / 2))
        if hours <= 26.0:  # a day's total (25 h on a DST day) still knows its weekday
            changes.update(_ewma(self.dow, self.dow_w, day, hours, rate, DOW_MEMORY_H, "dow"))
        if hours <= 1.5:
            changes.update(_ewma(self.hod, self.hod_w, hour, hours, rate, HOD_MEMORY_H, "hod"))
            bucket = day * 24 + hour
            changes.update(_ewma(self.how, self.how_w, bucket, hours, rate, HOW_MEMORY_H, "how"))
        # One shallow copy instead of dataclasses.replace (which re-runs __init__): this runs
        # once per subject per cycle, and in replays once per point.
        new = copy.copy(self)
        new.__dict__.update(changes)
        return new

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (exact floats: see `round_state`)."""

        def arr(values: tuple[float, ...]) -> list[float]:
            return [round_state(v) for v in values]

        return {
            "tz": self.tz,
            "warmup_hours": self.warmup_hours,
            "level": round_state(self.level),
            "level_w": round_state(self.level_w),
            "dow": arr(self.dow),
            "dow_w": arr(self.dow_w),
            "hod": arr(self.hod),
            "hod_w": arr(self.hod_w),
            "how": arr(self.how),
            "how_w": arr(self.how_w),
            "disp": [round_state(self.disp_num), round_state(self.disp_den)],
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Baseline:
        def arr(name: str, size: int) -> tuple[float, ...]:
            values = tuple(float(v) for v in raw.get(name, ()))
            return values if len(values) == size else (0.0,) * size

        disp = raw.get("disp", [0.0, 0.0])
        return cls(
            tz=str(raw.get("tz", "UTC")),
            warmup_hours=float(raw.get("warmup_hours", 1.0)),
            level=float(raw.get("level", 0.0)),
            level_w=float(raw.get("level_w", 0.0)),
            dow=arr("dow", 7),
            dow_w=arr("dow_w", 7),
            hod=arr("hod", 24),
            hod_w=arr("hod_w", 24),
            how=arr("how", 168),
            how_w=arr("how_w", 168),
            disp_num=float(disp[0]),
            disp_den=float(disp[1]),
        )


def update_dispersion(
    sums: tuple[float, float],
    observed: float,
    expected: float,
    k: float,
    hours: float,
) -> tuple[float, float]:
    """Decayed moment sums for k: E[(x - mu)² - mu] = k·mu² (negative binomial variance).

    The residuals include a young profile's misfit, which `Expectation.unlearnt` also covers:
    counted twice on purpose (subtracting it gave more false alerts on the NAB real series).

    A residual counts at most as 10 standard deviations, so one freak spike can't teach that
    spikes are normal, while repeated bursts still raise k over the memory (14 days).
    """
    num, den = sums
    decay = math.exp(-hours / DISPERSION_MEMORY_H)
    var = expected + k * expected**2
    resid = min((observed - expected) ** 2, 100.0 * var) - expected
    return num * decay + resid, den * decay + expected**2


def _ewma(
    values: tuple[float, ...],
    weights: tuple[float, ...],
    index: int,
    hours: float,
    rate: float,
    memory: float,
    name: str,
) -> dict[str, tuple[float, ...]]:
    """Running mean of bucket `index` until its exposure reaches `memory`, EWMA after."""
    w = min(weights[index] + hours, memory)
    v = values[index] + (hours / w) * (rate - values[index])
    new_values = (*values[:index], v, *values[index + 1 :])
    new_weights = (*weights[:index], w, *weights[index + 1 :])
    return {name: new_values, f"{name}_w": new_weights}
