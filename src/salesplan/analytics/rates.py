"""Rates on small samples, honestly: Wilson intervals, a low-confidence flag, shrinkage.

- Wilson score interval at 95% (z = 1.96):
  centre = (p + z²/2n) / (1 + z²/n),  half = z·√(p(1−p)/n + z²/4n²) / (1 + z²/n).
- A rate with n < LOW_CONFIDENCE_N is flagged `low_confidence`.
- Shrinkage (empirical Bayes, beta-binomial): each group's rate is pulled toward the pooled
  rate p₀ as (s + m·p₀) / (n + m). The prior strength m comes from the method of moments:
  m = p₀(1−p₀)/τ² − 1, where τ² is the between-group variance of the true rates (observed
  weighted variance minus the average binomial sampling variance). When τ² ≤ 0 the groups
  are indistinguishable from the pool and m is capped at MAX_PRIOR_STRENGTH.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
LOW_CONFIDENCE_N = 30
MAX_PRIOR_STRENGTH = 1000.0
MIN_PRIOR_STRENGTH = 1.0


@dataclass(frozen=True, slots=True)
class Rate:
    """successes ÷ n with its 95% Wilson interval; `rate` is None when n = 0."""

    successes: int
    n: int
    rate: float | None
    low: float | None
    high: float | None
    low_confidence: bool


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for successes out of n (n > 0)."""
    if n <= 0:
        raise ValueError("n must be positive")
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(successes: int, n: int) -> Rate:
    if n <= 0:
        return Rate(successes, 0, None, None, None, True)
    low, high = wilson(successes, n)
    return Rate(successes, n, successes / n, low, high, n < LOW_CONFIDENCE_N)


def prior_strength(successes: Sequence[int], totals: Sequence[int]) -> float:
    """Method-of-moments beta prior strength m for groups' (successes, n); see module doc."""
    groups = [(s, n) for s, n in zip(successes, totals, strict=True) if n > 0]
    total = sum(n for _, n in groups)
    if len(groups) < 2 or total == 0:
        return MAX_PRIOR_STRENGTH
    pooled = sum(s for s, _ in groups) / total
    if pooled in (0.0, 1.0):
        return MAX_PRIOR_STRENGTH
    observed = sum(n * (s / n - pooled) ** 2 for s, n in groups) / total
    # E[Σ nᵢ(rᵢ − p₀)²] = k·p₀(1 − p₀) when every group shares the pooled rate.
    sampling = pooled * (1 - pooled) * len(groups) / total
    between = observed - sampling
    if between <= 0:
        return MAX_PRIOR_STRENGTH
    m = pooled * (1 - pooled) / between - 1
    return min(MAX_PRIOR_STRENGTH, max(MIN_PRIOR_STRENGTH, m))


def shrink(successes: int, n: int, pooled: float, strength: float) -> float:
    """(s + m·p₀) / (n + m): the group's rate pulled toward the pooled rate."""
    return (successes + strength * pooled) / (n + strength)
