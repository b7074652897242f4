"""Ranges: the normal fast path only when it is safe, seeded chunked Monte Carlo otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from salesplan.forecast.simulation import simulate, use_normal


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
