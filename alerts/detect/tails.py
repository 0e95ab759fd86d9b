"""Tail probabilities for counts: Poisson and negative binomial, in log space, numpy/math only.

Counts may be non-integer (a count rescaled to a nominal interval, or a NAB value): every tail
uses the continuous extension through the regularised incomplete gamma / beta functions, which
agrees with the discrete tail at integers. All functions return natural logs of probabilities so
that p-values far below 1e-300 stay comparable; they never raise for finite non-negative input.
"""

from __future__ import annotations

import math

_EPS = 1e-15
_TINY = 1e-300
_MAX_ITER = 20_000


def _log_gamma_series(a: float, x: float) -> float:
    """log P(a, x) by the series; accurate when x < a + 1."""
    term = 1.0 / a
    total = term
    ap = a
    for _ in range(_MAX_ITER):
        ap += 1.0
        term *= x / ap
        total += term
        if abs(term) < abs(total) * _EPS:
            break
    return math.log(total) - x + a * math.log(x) - math.lgamma(a)


def _log_gamma_cf(a: float, x: float) -> float:
    """log Q(a, x) by the continued fraction (modified Lentz); accurate when x >= a + 1."""
    b = x + 1.0 - a
    c = 1.0 / _TINY
    d = 1.0 / b
    h = d
    for i in range(1, _MAX_ITER):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return math.log(h) - x + a * math.log(x) - math.lgamma(a)


def _log1mexp(log_p: float) -> float:
    """log(1 - exp(log_p)) for log_p <= 0, stable at both ends."""
    if log_p >= 0.0:
        return -math.inf
    if log_p > -0.693:
        return math.log(-math.expm1(log_p))
    return math.log1p(-math.exp(log_p))


def log_gamma_p(a: float, x: float) -> float:
    """log of the regularised lower incomplete gamma P(a, x), a > 0, x >= 0."""
    if x <= 0.0:
        return -math.inf
    if x < a + 1.0:
        return _log_gamma_series(a, x)
    return _log1mexp(_log_gamma_cf(a, x))


def log_gamma_q(a: float, x: float) -> float:
    """log of the regularised upper incomplete gamma Q(a, x) = 1 - P(a, x)."""
    if x <= 0.0:
        return 0.0
    if x < a + 1.0:
        return _log1mexp(_log_gamma_series(a, x))
    return _log_gamma_cf(a, x)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (Numerical Recipes' betacf)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = _TINY if abs(d) < _TINY else d
    d = 1.0 / d
    h = d
    for m in range(1, _MAX_ITER):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = _TINY if abs(d) < _TINY else d
        c = 1.0 + aa / c
        c = _TINY if abs(c) < _TINY else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < _EPS:
            break
    return h


def log_beta_i(a: float, b: float, x: float) -> float:
    """log of the regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1."""
    if x <= 0.0:
        return -math.inf
    if x >= 1.0:
        return 0.0
    log_bt = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return log_bt + math.log(_betacf(a, b, x)) - math.log(a)
    return _log1mexp(log_bt + math.log(_betacf(b, a, 1.0 - x)) - math.log(b))


def log_sf(observed: float, mean: float, k: float = 0.0) -> float:
    """log P(X >= observed) for X with the given mean and variance mean + k·mean².

    k = 0 is Poisson; k > 0 is the negative binomial with size 1/k (a Poisson whose rate varies
    with a coefficient of variation sqrt(k)), the usual model for over-dispersed counts.
    """
    if observed <= 1e-9:  # also keeps denormal shapes out of the special functions
        return 0.0
    if mean <= 0.0:
        return -math.inf
    if k <= 1e-9:
        return log_gamma_p(observed, mean)
    r = 1.0 / k
    # P(X >= x) = I_{1-p}(x, r) with p = r / (r + mean).
    return log_beta_i(observed, r, mean / (r + mean))


def log_cdf(observed: float, mean: float, k: float = 0.0) -> float:
    """log P(X <= observed), same model as `log_sf`."""
    if observed < 0.0:
        return -math.inf
    if mean <= 0.0:
        return 0.0
    observed = max(observed, 0.0)
    if k <= 1e-9:
        return log_gamma_q(observed + 1.0, mean)
    r = 1.0 / k
    # P(X <= x) = I_p(r, x + 1) with p = r / (r + mean).
    return log_beta_i(r, observed + 1.0, r / (r + mean))
