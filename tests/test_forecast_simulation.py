"""Ranges: the normal fast path only when it is safe, seeded chunked Monte Carlo otherwise;
the interval calibration learnt from past periods."""

from __future__ import annotations

import numpy as np
import pytest

from salesplan.forecast.simulation import (
    BookingsRange,
    IntervalCalibration,
    calibrate_interval,
    interval_score,
    simulate,
    use_normal,
    widen,
)


def test_a_single_huge_deal_never_uses_the_normal_approximation() -> None:
    # 300 deals of 1,000 at p = 0.5 plus one of 1,000,000 at p = 0.5: the sum is bimodal.
    amounts = np.array([1_000.0] * 300 + [1_000_000.0])
    probs = np.full(301, 0.5)
    assert not use_normal(amounts, probs)
    r = simulate(amounts, probs, sims=4000, seed=1)
    assert r.method == "monte_carlo"
    # Expected = 300 × 500 + 500,000 = 650,000. The huge deal is lost in about half the
    # draws, so P10 ≈ 150,000 (small deals only, ±~9k) and P90 ≈ 1,150,000.
    assert r.expected_minor == 650_000
    assert 130_000 < r.p10_minor < 170_000
    assert 1_130_000 < r.p90_minor < 1_170_000


def test_many_similar_deals_use_the_normal_path_with_exact_moments() -> None:
    amounts = np.full(1000, 100.0)
    probs = np.full(1000, 0.5)
    r = simulate(amounts, probs, sims=10_000)
    assert r.method == "normal"
    # mean = 1000 × 50 = 50,000; sd = 100 × √(1000 × 0.25) = 1,581.14;
    # P10 = 50,000 − 1.28155 × 1,581.14 = 47,973.7.
    assert r.expected_minor == 50_000
    assert r.sd_minor == pytest.approx(1581.139, rel=1e-4)
    assert r.p10_minor == pytest.approx(47_974, abs=1)
    assert r.p90_minor == pytest.approx(52_026, abs=1)
    assert sum(r.counts) == pytest.approx(10_000, rel=1e-3)


def test_monte_carlo_is_seeded_and_agrees_with_the_moments() -> None:
    rng = np.random.default_rng(3)
    amounts = rng.integers(1, 1000, 5000).astype(float)
    probs = rng.random(5000)
    a = simulate(amounts, probs, sims=3000, seed=9, force="monte_carlo")
    b = simulate(amounts, probs, sims=3000, seed=9, force="monte_carlo")
    assert (a.p10_minor, a.p50_minor, a.p90_minor) == (b.p10_minor, b.p50_minor, b.p90_minor)
    mean = float((amounts * probs).sum())
    sd = float(np.sqrt((amounts**2 * probs * (1 - probs)).sum()))
    assert a.p50_minor == pytest.approx(mean, abs=0.1 * sd)
    assert a.p90_minor - a.p10_minor == pytest.approx(2 * 1.2816 * sd, rel=0.1)


def test_an_empty_pipeline_is_just_the_run_rate() -> None:
    r = simulate(np.zeros(0), np.zeros(0), extra_mean=1_000.0, extra_sd=0.0)
    assert (r.expected_minor, r.p10_minor, r.p90_minor, r.method) == (1000, 1000, 1000, "none")
    r = simulate(np.zeros(0), np.zeros(0))
    assert r.expected_minor == 0


def test_certain_deals_add_without_spread() -> None:
    r = simulate(np.array([500.0, 250.0]), np.array([1.0, 1.0]))
    assert (r.expected_minor, r.p10_minor, r.p90_minor) == (750, 750, 750)


def _range(expected: int, p10: int, p50: int, p90: int, sd: float = 100.0) -> BookingsRange:
    return BookingsRange(expected, p10, p50, p90, sd, "normal", 1000, [p10, p90], [1000.0])


def test_interval_score_is_the_factor_each_side_needed() -> None:
    r = _range(1000, 800, 1000, 1300)
    # A = 700: the lower side needed (1000 − 700) / (1000 − 800) = 1.5; the upper side
    # (700 − 1000) / (1300 − 1000) = −1.0 (the actual is on the other side).
    assert interval_score(700, r) == pytest.approx((1.5, -1.0))
    # A = 1450: lower (1000 − 1450) / 200 = −2.25, upper 450 / 300 = 1.5.
    assert interval_score(1450, r) == pytest.approx((-2.25, 1.5))
    assert interval_score(700, _range(1000, 1000, 1000, 1300)) is None  # no lower width


def test_calibration_is_the_conformal_quantile_shrunk_toward_one() -> None:
    assert calibrate_interval([]) == IntervalCalibration(1.0, 1.0, 0)
    # n = 3: rank ⌈(3 + 1)·0.9⌉ = 4 > n, so the largest score of each side; weight
    # 3 / (3 + 3) = 0.5. Lower: max(0.5, 2.0, 1.0) = 2.0 → 2^0.5 = 1.41421.
    # Upper: max(−0.5, 0.2, 0.8) = 0.8 → 0.8^0.5 = 0.89443.
    cal = calibrate_interval([(0.5, -0.5), (2.0, 0.2), (1.0, 0.8)])
    assert (cal.lower, cal.upper, cal.n) == (pytest.approx(1.41421, abs=1e-5),
                                             pytest.approx(0.89443, abs=1e-5), 3)  # fmt: skip
    # n = 20, lower scores 0.1, 0.2, …, 2.0: rank ⌈21·0.9⌉ = 19 → 1.9; weight 20/23:
    # 1.9^(20/23) = exp(0.869565 × 0.641854) = exp(0.558134) = 1.74741.
    # Upper scores all −1: clipped to 0.5 → 0.5^(20/23) = exp(−0.602737) = 0.54731.
    cal = calibrate_interval([(k / 10, -1.0) for k in range(1, 21)])
    assert cal.lower == pytest.approx(1.74741, abs=1e-5)
    assert cal.upper == pytest.approx(0.54731, abs=1e-5)
    # One freak period (score 50) is clipped at 3 before shrinking: 3^(1/4) = 1.31607.
    assert calibrate_interval([(50.0, 0.0)]).lower == pytest.approx(1.31607, abs=1e-5)


def test_widen_scales_each_side_around_the_unchanged_expectation() -> None:
    r = _range(1000, 800, 990, 1300)
    w = widen(r, IntervalCalibration(1.5, 0.5, 4))
    # P10 = 1000 − 1.5 × 200 = 700; P50 = 1000 − 1.5 × 10 = 985; P90 = 1000 + 0.5 × 300
    # = 1150; sd × (1.5 + 0.5) / 2 = 100.
    assert (w.expected_minor, w.p10_minor, w.p50_minor, w.p90_minor) == (1000, 700, 985, 1150)
    assert w.sd_minor == pytest.approx(100.0)
    assert w.edges_minor == [700, 1150]
    # A lower bound below zero is cut at zero: 100 − 3 × 80 = −140 → 0.
    assert widen(_range(100, 20, 100, 200), IntervalCalibration(3.0, 1.0, 2)).p10_minor == 0
    assert widen(r, IntervalCalibration()) is r
