"""Tail probabilities against brute-force sums of the probability mass functions."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alerts.detect.tails import log_cdf, log_sf


def _poisson_pmf(x: int, mean: float) -> float:
    return math.exp(-mean + x * math.log(mean) - math.lgamma(x + 1))


def _nb_pmf(x: int, mean: float, k: float) -> float:
    r = 1 / k
    p = r / (r + mean)
    return math.exp(
        math.lgamma(x + r)
        - math.lgamma(r)
        - math.lgamma(x + 1)
        + r * math.log(p)
        + x * math.log1p(-p)
    )


@pytest.mark.parametrize("mean", [0.05, 1.0, 7.5, 40.0, 300.0])
@pytest.mark.parametrize("x", [0, 1, 3, 10, 55, 400])
def test_poisson_tails_match_sums(mean: float, x: int) -> None:
    sf = sum(_poisson_pmf(i, mean) for i in range(x, x + 1000))
    cdf = sum(_poisson_pmf(i, mean) for i in range(x + 1))
    assert math.exp(log_sf(x, mean)) == pytest.approx(sf, rel=1e-6, abs=1e-12)
    assert math.exp(log_cdf(x, mean)) == pytest.approx(cdf, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize("mean", [0.3, 5.0, 80.0])
@pytest.mark.parametrize("x", [0, 2, 12, 150])
@pytest.mark.parametrize("k", [0.02, 0.5, 3.0])
def test_negative_binomial_tails_match_sums(mean: float, x: int, k: float) -> None:
    sf = sum(_nb_pmf(i, mean, k) for i in range(x, x + 8_000))
    cdf = sum(_nb_pmf(i, mean, k) for i in range(x + 1))
    assert math.exp(log_sf(x, mean, k)) == pytest.approx(sf, rel=1e-5, abs=1e-10)
    assert math.exp(log_cdf(x, mean, k)) == pytest.approx(cdf, rel=1e-5, abs=1e-10)


def test_tiny_tails_stay_in_log_space() -> None:
    assert log_sf(13_479, 50) < -50_000  # far below the smallest double
    assert log_cdf(0, 1e5) == pytest.approx(-1e5)
    assert log_sf(0, 3.0) == 0.0
    assert log_sf(5, 0.0) == -math.inf


def test_over_dispersion_makes_tails_heavier() -> None:
    assert log_sf(30, 10) < log_sf(30, 10, 0.1) < log_sf(30, 10, 1.0)
    assert log_cdf(0, 20) < log_cdf(0, 20, 0.1) < log_cdf(0, 20, 1.0)


@given(
    x=st.floats(0, 1e5, allow_nan=False),
    mean=st.floats(0, 1e5, allow_nan=False),
    k=st.floats(0, 10, allow_nan=False),
)
def test_tails_are_log_probabilities(x: float, mean: float, k: float) -> None:
    for value in (log_sf(x, mean, k), log_cdf(x, mean, k)):
        assert value <= 1e-9
        assert not math.isnan(value)
