"""How far to trust a conversion score: a time-ordered hold-out, the reliability table,
expected calibration error (ECE), Brier score and log loss, and Platt scaling.

- Hold-out: decided leads sorted by `created_on` (ties by id); the newest HOLDOUT_SHARE are
  the test slice and are never seen while fitting or calibrating. Scoring the future from
  the past is what the plan does with the score, so the test does the same.
- Reliability table: BINS equal-width bins of the predicted probability p on [0, 1] (bin b
  holds b/10 ≤ p < (b+1)/10; p = 1 falls in the last). Per bin: n, mean predicted, observed
  conversion rate. Empty bins are listed with n = 0.
- ECE = Σ_b (n_b ÷ N)·|observed_b − mean predicted_b|, Brier = mean (p − y)²,
  log loss = −mean(y·ln p + (1 − y)·ln(1 − p)) with p clipped to [1e-12, 1 − 1e-12].
- Platt scaling: p' = σ(a·logit(p) + b), a and b fitted by maximum likelihood (Newton's
  method) on a calibration slice, against Platt's smoothed targets (N₊ + 1) ÷ (N₊ + 2) for a
  conversion and 1 ÷ (N₋ + 2) for a disqualification, so a small or separable slice cannot
  push the scores to 0 or 1. A naive Bayes model counts correlated attributes twice, so its
  log-odds are too extreme; a < 1 shrinks them back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

BINS = 10
HOLDOUT_SHARE = 0.25
EPSILON = 1e-12
_RIDGE = 1e-6


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    low: float
    high: float
    n: int
    mean_predicted: float | None
    observed: float | None


@dataclass(frozen=True, slots=True)
class Calibration:
    """Held-out quality of one model's probabilities (n = test leads)."""

    n: int
    converted: int
    ece: float
    brier: float
    log_loss: float
    bins: list[ReliabilityBin]


@dataclass(frozen=True, slots=True)
class Platt:
    """p' = σ(slope·logit(p) + intercept)."""

    slope: float
    intercept: float

    def apply(self, p: float) -> float:
        return _sigmoid(self.slope * _logit(p) + self.intercept)


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1 / (1 + math.exp(-z))
    e = math.exp(z)
    return e / (1 + e)


def _logit(p: float) -> float:
    q = min(max(p, EPSILON), 1 - EPSILON)
    return math.log(q / (1 - q))


def time_split(decided: pl.DataFrame, share: float = HOLDOUT_SHARE) -> tuple[pl.DataFrame, ...]:
    """(older, newest `share`) of leads by created date; ties broken by id, so it is stable
    (a frame without those columns keeps its row order)."""
    keys = [c for c in ("created_on", "id") if c in decided.columns]
    ordered = decided.sort(keys, nulls_last=False) if keys else decided
    cut = ordered.height - max(1, round(ordered.height * share))
    return ordered.head(cut), ordered.tail(ordered.height - cut)


def reliability(predicted: Sequence[float], outcome: Sequence[int]) -> Calibration:
    """Reliability table, ECE, Brier and log loss of probabilities against 0/1 outcomes."""
    p = np.asarray(predicted, dtype=float)
    y = np.asarray(outcome, dtype=float)
    if p.size == 0 or p.size != y.size:
        raise ValueError("need as many outcomes as predictions, at least one")
    index = np.minimum((p * BINS).astype(int), BINS - 1)
    bins, ece = [], 0.0
    for b in range(BINS):
        mask = index == b
        n = int(mask.sum())
        mean_p = float(p[mask].mean()) if n else None
        observed = float(y[mask].mean()) if n else None
        if mean_p is not None and observed is not None:
            ece += n / p.size * abs(observed - mean_p)
        bins.append(ReliabilityBin(b / BINS, (b + 1) / BINS, n, mean_p, observed))
    clipped = np.clip(p, EPSILON, 1 - EPSILON)
    log_loss = float(-np.mean(y * np.log(clipped) + (1 - y) * np.log(1 - clipped)))
    brier = float(np.mean((p - y) ** 2))
    return Calibration(int(p.size), int(y.sum()), ece, brier, log_loss, bins)


def fit_platt(predicted: Sequence[float], outcome: Sequence[int]) -> Platt:
    """Maximum-likelihood a, b of σ(a·logit(p) + b) on a calibration slice (Newton)."""
    x = np.array([_logit(float(v)) for v in predicted])
    y = np.asarray(outcome, dtype=float)
    if x.size == 0 or y.min() == y.max():
        return Platt(1.0, 0.0)
    positives = float(y.sum())
    negatives = float(y.size) - positives
    y = np.where(y == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))
    design = np.column_stack([x, np.ones_like(x)])
    beta = np.array([1.0, 0.0])
    for _ in range(50):
        z = np.clip(design @ beta, -35.0, 35.0)
        q = 1 / (1 + np.exp(-z))
        gradient = design.T @ (y - q) - _RIDGE * beta
        hessian = (design * (q * (1 - q))[:, None]).T @ design + _RIDGE * np.eye(2)
        step = np.linalg.solve(hessian, gradient)
        beta = beta + step
        if float(np.abs(step).max()) < 1e-10:
            break
    return Platt(float(beta[0]), float(beta[1]))
