"""The robust click model behind the spike and drop detectors: how far the latest clicks are
from normal, in units of how far this subject's clicks usually stray.

Per step (one observation, its count rescaled to the nominal interval):

- the value is `log1p(clicks)`, so 3 clicks a day and 3,000 a minute are judged alike, and a
  burst is measured as a ratio to normal rather than a difference;
- normal is a slowly moving level (an EWMA of residuals clipped to three times their median, so
  spikes and outages barely move it) plus an
  hour-of-day and day-of-week profile, plus an hour-of-week correction (Saturday's nights are
  not Monday's) learnt on top of the day's whole shape from the first interval but part of
  normal only after two weeks, all used only while they explain the series better than the
  level alone ("seasonality only when the series has it");
- the residual is smoothed at three scales (the latest interval, and EWMAs over about 4 and 16
  intervals), so a one-interval burst and a slow surge or fade are both seen;
- each scale is divided by a running 99.9% quantile of its own size (never below the Poisson
  noise expected at that level; for the day after warm-up, the latest interval's upward never
  above three median residuals, as the first day's swings inflate the quantile): a subject whose
  traffic is routinely bursty needs a bigger burst to alert, a steady one a smaller; the score
  is the largest scaled residual (spike) or the most negative (drop);
- a sustained level shift is measured apart: a run of intervals, every one at least three
  median residuals off normal on the same side (against the shift test's own hour-of-day
  profile, which follows the whole shape of the day), lasting 1.5 hours (6 to 36 intervals);
  its mean is `Reading.sustained` (log of the ratio to normal) and, over the slow scale's
  quantile, `Reading.sustained_score`: a step too small for any one interval to stand out
  (the day's own edges set the quantiles) is still seen once it has lasted;
- how often, since warm-up, an excursion beyond some scale's quantile began
  (`Reading.surprise`, over about a day; each excursion counted once however long): a subject
  whose bursts keep breaking its own records (its quantiles still catching up) is told apart
  from one where a burst is rare;
- the share of intervals with no clicks at all (`Reading.zero_share`, over about a week) tells
  routine silence (bursty or sparse traffic) from an outage;
- when the slow scale stays far from normal for a few hours, the level re-baselines to it: a
  campaign that steps traffic up alerts once, not for days.

The model (`alerts.detect.model`; stored packed with the rest of a detector's state by
`alerts.detect.state`, the profiles as float32s) is kept at the stored precision in memory on
every step (or, for a step stored at once, by the dump), so a state stored between poll cycles
decides exactly as an in-memory run.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from alerts.detect.model import ALPHAS, Model, settle
from alerts.detect.series import Observation, spans

QUANTILE = 0.999  # the share of a scale's residuals its scale stays above
QUANTILE_RATE = 0.05  # multiplicative step of the quantile tracker
#: The number of intervals each scale's EWMA effectively averages (for the Poisson floor).
INTERVALS = tuple((2 - a) / a for a in ALPHAS)
LEVEL_RATE = 1 / 100  # EWMA weight of the level per interval (residuals clipped to 3 medians)
MEDIAN_RATE = 0.02
MEAN_RATE = 1 / 288  # the mean rate (for the Poisson floor of sparse counts)
#: The share of intervals with no clicks at all is averaged over about a week of intervals,
#: so an outage of a few hours barely moves it.
ZERO_RATE = 1 / 2016
SURPRISE_RATE = 1 / 288  # the surprise rate's EWMA weight per interval (about a day)
#: The hour-of-week correction averages about the last `WEEK_MEMORY` weeks of its hour (each
#: hour of the week comes once a week, in 3600 / nominal intervals).
WEEK_MEMORY = 2.0
#: ... and joins normal once that many weeks of intervals were observed: before, an hour of the
#: week was seen once or twice, and the days seen most carry the shape all days share in their
#: correction, so the others' normal lags (a Friday 9:00 expected too low hid a drop there).
WEEK_SECONDS = WEEK_MEMORY * 7 * 86400.0
PROFILE_RATE = 0.05  # hour-of-day profile EWMA weight (day-of-week: 1/24 of it)
SEASON_GAIN = 0.8  # the profile is used once it shrinks the median residual by 20%
POISSON_SD = 3.5  # a scale never drops below the log distance of 3.5 Poisson sds from normal
RELATIVE_FLOOR = 0.02
SHIFT_RATIO = 1.0  # the slow scale beyond its own scale ...
SHIFT_HOURS = 3.0  # ... for this long (6 to 36 intervals) re-baselines the level
#: A sustained level shift: every interval for `SUSTAIN_HOURS` (6 to 36 intervals) at least
#: `SUSTAIN_SIGMAS` median residuals off normal on the same side, by a factor of at least
#: exp(`SUSTAIN_MIN`) on average (about 1.5x up or down).
SUSTAIN_SIGMAS = 3.0
SUSTAIN_HOURS = 1.5
SUSTAIN_MIN = math.log(1.5)
WARMUP_SECONDS = 86400.0  # a day of history (seeded or observed) before any alert
#: Whether the first day's residuals (profile not learnt yet) are kept from teaching the scales:
#: False scored better under cross-validation (59.2 vs 52.9 at medium), so they teach.
SCALES_AFTER_WARMUP = False
#: For the day after warm-up, the latest interval's scale above normal is at most `YOUNG_CAP`
#: median residuals (where those exceed counting noise): the first day's swings (its profile not
#: learnt yet) push the 99.9% quantile tracker up within hours, and it comes down only over
#: weeks, so a 3x spike on the second day (NAB's iio_NetworkIn) scored 0.4; the median forgets
#: those swings within hours. Leave-one-file-out: 3 lifted the iio fold from -2.8 to 43.9 and
#: moved no other fold (2 and 2.5: iio 41.1; 3.5 moved none); the cap held for 1.5 or 2 days
#: scored alike, for 3 days it lowered the mean to 46.
YOUNG_CAP = 3.0
YOUNG_SECONDS = 2 * WARMUP_SECONDS


class Reading(NamedTuple):
    """What one step saw: scaled residuals per scale (`scores`), the expected count for the
    observation, whether the model is warm, and a level shift if one was just absorbed.
    (A named tuple: built once a step, it costs a third of a frozen dataclass.)"""

    scores: tuple[float, ...]
    expected: float
    ready: bool
    profiled: bool = False
    shift: float = 0.0
    sustained: float = 0.0
    sustained_intervals: int = 0
    sustained_score: float = 0.0
    zero_share: float = 0.0
    surprise: float = 0.0


_UNREADY = (0.0,) * len(ALPHAS)
#: `Reading(*fields)` without the type call's slot lookups and the generated `__new__`'s frame
#: (which returns this: `tuple.__new__(Reading, fields)`).
_reading = functools.partial(tuple.__new__, Reading)
_ALPHA1, _ALPHA2 = ALPHAS[1], ALPHAS[2]
#: The trackers' multiplicative steps, one exp each way, computed once.
_MEDIAN_UP, _MEDIAN_DOWN = (math.exp(MEDIAN_RATE * (above - 0.5)) for above in (1.0, 0.0))
_QUANTILE_UP, _QUANTILE_DOWN = (
    math.exp(QUANTILE_RATE * (above - (1 - QUANTILE))) for above in (1.0, 0.0)
)
_LEARNT_CAP = 10 * WARMUP_SECONDS
_SPREAD0, _SPREAD1, _SPREAD2 = (POISSON_SD**2 / (2 * intervals) for intervals in INTERVALS)
_INTERVALS0, _INTERVALS1, _INTERVALS2 = INTERVALS


@dataclass(frozen=True)
class Clock:
    """Where an observation falls in the subject's week, in its own time zone."""

    tz: str

    def place(self, moment: datetime) -> tuple[int, int]:
        local = moment if self.tz == "UTC" else moment.astimezone(ZoneInfo(self.tz))
        return local.weekday(), local.hour


def observe(
    model: Model, obs: Observation, nominal: float, clock: Clock, *, settled: bool = True
) -> Reading:
    """Judge `obs` against the model, then learn from it (mutates `model`). `settled=False`
    leaves the step's changes at full precision for a caller that stores the model at once:
    `alerts.detect.state.dump` rounds and floors them exactly as `settle` would."""
    # Hot path (once per subject per poll): the model's fields are bound to locals, and every
    # sum is computed in the same order as the readable form, so decisions are bit-identical.
    count, seconds = obs.count, obs.seconds
    x = count * nominal / seconds
    y = math.log1p(x)
    day, hour = clock.place(obs.start + spans(seconds)[0])
    use_hours = nominal <= 3 * 3600.0
    level = model.level
    if level is None:
        model.level = y
        model.mean = x
        model.zeros = 1.0 if count <= 0 else 0.0
        settle(model, day, hour)
        model.learnt += seconds
        model.n += 1
        return Reading(_UNREADY, count, False)
    hod, dow, shod, how, scale = model.hod, model.dow, model.shod, model.how, model.scale
    sustain_after, shift_after, week_rate = _per_nominal(nominal)
    slot = 24 * day + hour
    weekly = use_hours and model.n * nominal >= WEEK_SECONDS
    week = how[slot] if weekly else 0.0
    hours = hod[hour] + week if use_hours else 0.0
    season = hours + dow[day]
    seasonal = model.sseason < SEASON_GAIN * model.sflat
    base = level + (season if seasonal else 0.0)
    # Conditional expressions in place of builtin min/max, which parse their arguments as
    # keywords: the same choice, tie and all (max(a, b) is `b if b > a else a`).
    expected = math.expm1(0.0 if base < 0.0 else base)
    residual = y - base
    ready = model.learnt >= WARMUP_SECONDS
    e = model.e
    e[0] = e0 = residual
    e[1] = e1 = e[1] + _ALPHA1 * (residual - e[1])
    e[2] = e2 = e[2] + _ALPHA2 * (residual - e[2])
    if ready:
        # Sparse counts: log1p's level tracks the median (often 0); counting noise is the mean's.
        mean = model.mean
        noise = mean if mean > expected else expected
        f0, f1, f2 = _floors(noise, e0 >= 0, e1 >= 0, e2 >= 0)
        s0, s1, s2 = scale
        # Only above normal (a capped drop scale fired on nyc_taxi's second night), and only
        # where the clicks stray well beyond counting noise: where the Poisson floor sets the
        # scale, a capped quantile would let 3 Poisson sds alert at high.
        if e0 > 0.0 and model.learnt < YOUNG_SECONDS and model.s50 > f0:
            young = YOUNG_CAP * model.s50
            s0 = young if young < s0 else s0
        scores: tuple[float, ...] = (
            e0 / (f0 if f0 > s0 else s0),
            e1 / (f1 if f1 > s1 else s1),
            e2 / (f2 if f2 > s2 else s2),
        )
    else:
        scores = _UNREADY
    # A sustained shift: a run of intervals all well off normal on one side, judged against
    # the median residual (not the 99.9% quantile: a step is small next to the day's edges),
    # with the shift test's own hour-of-day profile `shod`, learnt from its own clipped error,
    # so it follows the whole shape of the day (the scores' profile is kept shrunk).
    shifted = y - level
    if seasonal:
        shifted -= dow[day]
        shifted -= (shod[hour] + week) if use_hours else 0.0
    sshift = model.sshift
    bar = SUSTAIN_SIGMAS * sshift
    side = int(shifted > bar) - int(shifted < -bar)
    if side == 0:
        model.srun, model.ssum = 0, 0.0
    elif side * model.srun > 0:
        model.srun += side
        model.ssum += shifted
    else:
        model.srun, model.ssum = side, shifted
    model.sshift = sshift = sshift * (_MEDIAN_UP if abs(shifted) > sshift else _MEDIAN_DOWN)
    if use_hours:
        bound = 3 * (0.01 if sshift < 0.01 else sshift)
        error = y - level - dow[day] - shod[hour] - week
        clipped = error if error < bound else bound
        # At full precision for the rest of the step (the float32 array rounds what it stores).
        shod[hour] = shod_hour = shod[hour] + PROFILE_RATE * (
            clipped if clipped > -bound else -bound
        )
        # The week's own shape on top of the day's whole shape (Saturday's nights are not
        # Monday's), each hour of the week averaged over its last `WEEK_MEMORY` weeks.
        error = y - level - dow[day] - shod_hour - how[slot]
        clipped = error if error < bound else bound
        how[slot] += week_rate * (clipped if clipped > -bound else -bound)
    sustained = 0.0
    # The shift must also be large next to how far this subject's slow average usually
    # strays (its 99.9% quantile): on routinely bursty traffic a long quiet run is normal.
    slow_scale = scale[2]
    srun = abs(model.srun)
    if ready and srun >= sustain_after:
        sustained = model.ssum / srun
    # Learn: each scale's quantile, the median residuals (with and without the profile),
    # the level by a running median, then the profile, all clipped so one burst barely counts.
    surprise = model.hot
    if seconds <= 1.5 * nominal and (ready or not SCALES_AFTER_WARMUP):
        # Unrolled over the three scales (the loop's indexing cost more than its arithmetic).
        over0 = abs(e0) > scale[0]
        scale[0] *= _QUANTILE_UP if over0 else _QUANTILE_DOWN
        over1 = abs(e1) > scale[1]
        scale[1] *= _QUANTILE_UP if over1 else _QUANTILE_DOWN
        over2 = abs(e2) > scale[2]
        scale[2] *= _QUANTILE_UP if over2 else _QUANTILE_DOWN
        over = 1 if over0 or over1 or over2 else 0
        # Only warm excursions count (the first day's are the model learning), and each once
        # however long it lasts: an outage or a step is one surprise, not one per interval.
        if ready:
            model.hot += SURPRISE_RATE * ((over and not model.over) - model.hot)
        model.over = over
    s50 = model.s50
    model.s50 = s50 = s50 * (_MEDIAN_UP if abs(residual) > s50 else _MEDIAN_DOWN)
    flat = y - level
    unseasoned = flat - season
    sflat, sseason = model.sflat, model.sseason
    model.sflat = sflat * (_MEDIAN_UP if abs(flat) > sflat else _MEDIAN_DOWN)
    model.sseason = sseason * (_MEDIAN_UP if abs(unseasoned) > sseason else _MEDIAN_DOWN)
    limit = 3 * (0.01 if s50 < 0.01 else s50)
    weight = LEVEL_RATE * seconds / nominal
    weight = weight if weight < 1.0 else 1.0
    clipped = residual if residual < limit else limit
    level += weight * (clipped if clipped > -limit else -limit)
    if use_hours:
        error = flat - dow[day] - week
        error = error if error < limit else limit
        error = error if error > -limit else -limit
        hod[hour] += PROFILE_RATE * (error - hod[hour])
    error = flat - hours if use_hours else flat
    error = error if error < limit else limit
    error = error if error > -limit else -limit
    dow[day] += PROFILE_RATE / (24 if use_hours else 1) * (error - dow[day])
    shift = 0.0
    model.run = model.run + 1 if abs(e[2]) > SHIFT_RATIO * scale[2] else 0
    if model.run >= shift_after:
        shift = e[2]
        level += shift
        model.e = [0.0] * len(ALPHAS)
        model.run = 0
    model.level = level
    mean = model.mean
    cap = 10.0 * mean + 10.0
    model.mean = mean + MEAN_RATE * ((cap if cap < x else x) - mean)
    zero_share = model.zeros
    zero_rate = 1 / (model.n + 1)
    zero_rate = zero_rate if zero_rate > ZERO_RATE else ZERO_RATE
    model.zeros += zero_rate * ((1.0 if count <= 0 else 0.0) - zero_share)
    learnt = model.learnt + seconds
    model.learnt = learnt if learnt < _LEARNT_CAP else _LEARNT_CAP
    if seconds <= 1.5 * 3600.0:
        fine = model.fine + seconds
        model.fine = fine if fine < _LEARNT_CAP else _LEARNT_CAP
    model.n += 1
    profiled = model.fine >= WARMUP_SECONDS or nominal > 1.5 * 3600.0
    if settled:
        settle(model, day, hour)
    return _reading(
        (
            scores,
            expected * seconds / nominal,
            ready,
            profiled,
            shift,
            sustained,
            srun,
            sustained / slow_scale,
            zero_share,
            surprise,
        )
    )


@functools.lru_cache(maxsize=64)
def _per_nominal(nominal: float) -> tuple[int, int, float]:
    """Intervals a sustained shift must last, intervals off normal that re-baseline the
    level, and the hour-of-week correction's rate, at this nominal interval."""
    sustain_after = max(6, min(36, round(SUSTAIN_HOURS * 3600 / nominal)))
    shift_after = max(6, min(36, round(SHIFT_HOURS * 3600 / nominal)))
    return sustain_after, shift_after, min(0.5, nominal / (WEEK_MEMORY * 3600.0))


def _floors(noise: float, up0: bool, up1: bool, up2: bool) -> tuple[float, float, float]:
    """`poisson_floor(noise, INTERVALS[k], up=up<k>)` for the three scales in one call, with
    what depends only on `k` precomputed and `log1p(noise)` taken once (the same value each
    time, so the same floors)."""
    base = math.log1p(noise)
    spread = POISSON_SD * math.sqrt(noise / _INTERVALS0) + _SPREAD0
    if up0:
        f0 = math.log1p(noise + spread) - base
    else:
        low = noise - spread
        f0 = base - math.log1p(low if low > 0.0 else 0.0)
    spread = POISSON_SD * math.sqrt(noise / _INTERVALS1) + _SPREAD1
    if up1:
        f1 = math.log1p(noise + spread) - base
    else:
        low = noise - spread
        f1 = base - math.log1p(low if low > 0.0 else 0.0)
    spread = POISSON_SD * math.sqrt(noise / _INTERVALS2) + _SPREAD2
    if up2:
        f2 = math.log1p(noise + spread) - base
    else:
        low = noise - spread
        f2 = base - math.log1p(low if low > 0.0 else 0.0)
    return (
        f0 if f0 > RELATIVE_FLOOR else RELATIVE_FLOOR,
        f1 if f1 > RELATIVE_FLOOR else RELATIVE_FLOOR,
        f2 if f2 > RELATIVE_FLOOR else RELATIVE_FLOOR,
    )


def poisson_floor(expected: float, intervals: float, *, up: bool) -> float:
    """The log1p distance from `expected` to `POISSON_SD` Poisson standard deviations of the
    mean of `intervals` intervals above (`up`) or below it: pure counting noise never scores
    more than 1, whatever the learnt scale."""
    spread = POISSON_SD * math.sqrt(expected / intervals) + POISSON_SD**2 / (2 * intervals)
    if up:
        distance = math.log1p(expected + spread) - math.log1p(expected)
    else:
        distance = math.log1p(expected) - math.log1p(max(0.0, expected - spread))
    return max(RELATIVE_FLOOR, distance)


def teach(model: Model, obs: Observation, nominal: float, clock: Clock) -> None:
    """Learn the level and profile from a history observation coarser than the nominal
    interval (e.g. a daily total when polling every 5 minutes); scales are left alone, since
    sums are smoother than the intervals that will be judged."""
    y = math.log1p(obs.count * nominal / obs.seconds)
    day, hour = clock.place(obs.start + timedelta(seconds=obs.seconds / 2))
    weight = 1.0 - math.exp(-obs.seconds / (3 * WARMUP_SECONDS))
    if model.level is None:
        model.level = y
        model.mean = obs.count * nominal / obs.seconds
    else:
        model.level += weight * (y - model.level)
        model.mean += weight * (obs.count * nominal / obs.seconds - model.mean)
    dow = model.dow[day]  # at full precision for the rest of the step, as `settle` rounds
    if obs.seconds <= 26 * 3600.0:
        model.dow[day] = dow = dow + 0.2 * ((y - model.level) - dow)
    if obs.seconds <= 1.5 * 3600.0 and nominal <= 3 * 3600.0:
        flat = y - model.level
        unseasoned = flat - model.hod[hour] - dow
        model.hod[hour] += 0.2 * ((flat - dow) - model.hod[hour])
        # Hourly history shows whether the day has a shape worth using from the first step.
        model.sflat *= math.exp(0.1 * ((1.0 if abs(flat) > model.sflat else 0.0) - 0.5))
        model.sseason *= math.exp(0.1 * ((1.0 if abs(unseasoned) > model.sseason else 0.0) - 0.5))
    model.learnt = min(model.learnt + obs.seconds, 10 * WARMUP_SECONDS)
    if obs.seconds <= 1.5 * 3600.0:
        model.fine = min(model.fine + obs.seconds, 10 * WARMUP_SECONDS)
    settle(model, day, hour)
