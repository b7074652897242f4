"""Ranges of period bookings: Monte Carlo over deal outcomes, or the normal approximation.

Total = Σ_i a_i·B_i + R, with B_i ~ Bernoulli(p_i) independent (p_i = P(won in the period))
and R ~ Normal(run-rate, sd) clipped at 0. Mean = Σ a_i p_i + E[R];
variance = Σ a_i² p_i (1 − p_i) + sd².

- Normal fast path: when there are at least NORMAL_MIN_DEALS deals, no single deal's amount
  exceeds NORMAL_MAX_SHARE of the standard deviation, and the skewness
  Σ a_i³ p_i(1−p_i)(1−2p_i) / σ³ is within ±NORMAL_MAX_SKEW. Quantiles: mean + z_q·σ.
- Otherwise Monte Carlo: `sims` seeded draws in chunks of CHUNK_SIMS × CHUNK_DEALS float32
  uniforms, summed into one float64 total per simulation; never a sims × deals matrix.

P10/P50/P90 and a histogram (HISTOGRAM_BINS bins; expected counts for the normal path).

Interval calibration (`calibrate_interval`, `widen`): each side of the range is scaled by a
factor learnt from past periods' one-sided standardised errors (split conformal), so that
P10 and P90 miss as often as they say they do on the workspace's own history.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

NORMAL_MIN_DEALS = 200
NORMAL_MAX_SHARE = 0.5
NORMAL_MAX_SKEW = 0.1
CHUNK_SIMS = 1000
CHUNK_DEALS = 4096
HISTOGRAM_BINS = 40
TAIL_LEVEL = 0.9
"""Each side of the P10-P90 range should hold 90 % of outcomes (10 % miss below P10, 10 %
above P90)."""
INTERVAL_PRIOR = 3.0
"""Pseudo-periods at factor 1 that an interval factor is shrunk toward (as κ's prior)."""
FACTOR_LIMITS = (0.5, 3.0)
"""A raw factor is clipped to this range before shrinking: one freak period cannot make the
range vanish or explode."""


def _norm() -> Any:
    """scipy.stats.norm, imported on first use: scipy.stats costs ~0.6 s to import and every
    CLI command would pay it at start-up through the forecast modules."""
    from scipy.stats import norm  # type: ignore[import-untyped]

    return norm


@dataclass(frozen=True, slots=True)
class BookingsRange:
    """Distribution of period bookings in plan minor units."""

    expected_minor: int
    p10_minor: int
    p50_minor: int
    p90_minor: int
    sd_minor: float
    method: str
    """`normal`, `monte_carlo` or `none` (nothing uncertain)."""
    sims: int
    edges_minor: list[int] = field(default_factory=list)
    counts: list[float] = field(default_factory=list)

    def probability_at_least(self, target_minor: int) -> float:
        """P(total ≥ target) under the normal approximation of this range."""
        if self.sd_minor <= 0:
            return 1.0 if self.expected_minor >= target_minor else 0.0
        return float(_norm().sf(target_minor, loc=self.expected_minor, scale=self.sd_minor))


def use_normal(amounts: np.ndarray, probs: np.ndarray, extra_sd: float = 0.0) -> bool:
    """True when the sum is safely normal: many deals, none dominant, little skew."""
    a = amounts.astype(np.float64)
    v = probs * (1 - probs)
    var = float((a * a * v).sum()) + extra_sd**2
    if len(a) < NORMAL_MIN_DEALS or var <= 0:
        return False
    sd = math.sqrt(var)
    uncertain = a[(probs > 0) & (probs < 1)]
    if uncertain.size and float(uncertain.max()) > NORMAL_MAX_SHARE * sd:
        return False
    skew = float((a**3 * v * (1 - 2 * probs)).sum()) / sd**3
    return abs(skew) <= NORMAL_MAX_SKEW


def simulate(
    amounts: np.ndarray,
    probs: np.ndarray,
    *,
    extra_mean: float = 0.0,
    extra_sd: float = 0.0,
    sims: int = 10_000,
    seed: int = 0,
    force: str | None = None,
) -> BookingsRange:
    """The range of Σ a_i B_i + R; `force` = "normal" or "monte_carlo" overrides the choice."""
    a = np.asarray(amounts, dtype=np.float64)
    p = np.clip(np.asarray(probs, dtype=np.float64), 0.0, 1.0)
    mean = float((a * p).sum()) + extra_mean
    var = float((a * a * p * (1 - p)).sum()) + extra_sd**2
    sd = math.sqrt(max(var, 0.0))
    if sd == 0:
        value = round(mean)
        return BookingsRange(
            value, value, value, value, 0.0, "none", 0, [value, value], [float(sims)]
        )
    method = force or ("normal" if use_normal(a, p, extra_sd) else "monte_carlo")
    if method == "normal":
        return _normal(mean, sd, sims)
    totals = _monte_carlo(a, p, extra_mean, extra_sd, sims, seed)
    p10, p50, p90 = np.quantile(totals, [0.1, 0.5, 0.9])
    counts, edges = np.histogram(totals, bins=HISTOGRAM_BINS)
    return BookingsRange(
        round(mean), round(p10), round(p50), round(p90), sd, "monte_carlo", sims,
        [round(e) for e in edges], [float(c) for c in counts],
    )  # fmt: skip


def _normal(mean: float, sd: float, sims: int) -> BookingsRange:
    z = _norm().ppf([0.1, 0.5, 0.9])
    p10, p50, p90 = (max(0.0, mean + zi * sd) for zi in z)
    edges = np.linspace(max(0.0, mean - 4 * sd), mean + 4 * sd, HISTOGRAM_BINS + 1)
    counts = np.diff(_norm().cdf(edges, loc=mean, scale=sd)) * sims
    return BookingsRange(
        round(mean), round(p10), round(p50), round(p90), sd, "normal", sims,
        [round(e) for e in edges], [float(c) for c in counts],
    )  # fmt: skip


def _monte_carlo(
    a: np.ndarray, p: np.ndarray, extra_mean: float, extra_sd: float, sims: int, seed: int
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    totals = np.zeros(sims, dtype=np.float64)
    uncertain = (p > 0) & (p < 1)
    certain = float((a[p >= 1]).sum())
    a_u, p_u = a[uncertain], p[uncertain].astype(np.float32)
    for s0 in range(0, sims, CHUNK_SIMS):
        s1 = min(sims, s0 + CHUNK_SIMS)
        for d0 in range(0, len(a_u), CHUNK_DEALS):
            d1 = min(len(a_u), d0 + CHUNK_DEALS)
            draws = rng.random((s1 - s0, d1 - d0), dtype=np.float32) < p_u[None, d0:d1]
            totals[s0:s1] += draws @ a_u[d0:d1]
    totals += certain
    if extra_sd > 0 or extra_mean:
        totals += (
            np.maximum(rng.normal(extra_mean, extra_sd, sims), 0.0) if extra_sd > 0 else extra_mean
        )
    return totals


@dataclass(frozen=True, slots=True)
class IntervalCalibration:
    """Factors applied to the two half-widths of a range: P10' = E − lower·(E − P10),
    P90' = E + upper·(P90 − E); `n` past periods they were learnt from (1, 1, 0: none)."""

    lower: float = 1.0
    upper: float = 1.0
    n: int = 0


def interval_score(actual_minor: int, r: BookingsRange) -> tuple[float, float] | None:
    """A past period's one-sided standardised errors (E − A)/(E − P10) and (A − E)/(P90 − E):
    the factor each half-width needed to reach the actual (negative on the other side).
    None when the range has no width on a side (nothing to scale)."""
    low, high = r.expected_minor - r.p10_minor, r.p90_minor - r.expected_minor
    if low <= 0 or high <= 0:
        return None
    return (r.expected_minor - actual_minor) / low, (actual_minor - r.expected_minor) / high


def calibrate_interval(scores: Sequence[tuple[float, float]]) -> IntervalCalibration:
    """Split-conformal factors from earlier periods' scores (interval_score), one per side:

        q = the ⌈(n + 1)·0.9⌉-th smallest score of the side (the largest when n < 19),
        factor = exp(n / (n + n₀) · ln clip(q, 0.5, 3)),   n₀ = INTERVAL_PRIOR

    q is the finite-sample conformal 90 % quantile, so each side misses at most ~10 % of
    periods like the past ones; the shrinkage toward 1 keeps a few periods from deciding."""
    n = len(scores)
    if n == 0:
        return IntervalCalibration()
    rank = min(n, math.ceil((n + 1) * TAIL_LEVEL)) - 1
    weight = n / (n + INTERVAL_PRIOR)

    def factor(values: list[float]) -> float:
        q = min(max(sorted(values)[rank], FACTOR_LIMITS[0]), FACTOR_LIMITS[1])
        return math.exp(weight * math.log(q))

    return IntervalCalibration(
        factor([low for low, _ in scores]), factor([high for _, high in scores]), n
    )


def widen(r: BookingsRange, cal: IntervalCalibration) -> BookingsRange:
    """The range with its half-widths scaled by `cal` around the unchanged expectation
    (P10 not below 0); sd by the mean of the two factors, the histogram's edges like the
    quantiles."""
    if cal.lower == 1.0 and cal.upper == 1.0:
        return r
    mean = r.expected_minor

    def scale(value: int) -> int:
        factor = cal.lower if value < mean else cal.upper
        return max(0, round(mean + factor * (value - mean)))

    return replace(
        r,
        p10_minor=scale(r.p10_minor),
        p50_minor=scale(r.p50_minor),
        p90_minor=scale(r.p90_minor),
        sd_minor=r.sd_minor * (cal.lower + cal.upper) / 2,
        edges_minor=[scale(e) for e in r.edges_minor],
    )
