"""Categorical draws used by every part of the generator, vectorised and memory-lean."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from salesplan.demo.timeline import IntArray


def weighted_choice(rng: np.random.Generator, weights: Sequence[float], n: int) -> IntArray:
    """`n` indices drawn with probabilities proportional to `weights`."""
    p = np.asarray(weights, dtype=np.float64)
    return np.asarray(rng.choice(len(p), size=n, p=p / p.sum()), dtype=np.int64)


def draw_by_row(rng: np.random.Generator, weights: npt.ArrayLike, row: IntArray) -> IntArray:
    """One category per element, with weights `weights[row[i]]` (rows need not sum to 1).

    Loops over the few distinct rows instead of materialising an n × categories matrix, which
    matters at millions of draws.
    """
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(len(row))
    out = np.zeros(len(row), dtype=np.int64)
    for r in np.unique(row):
        idx = np.flatnonzero(row == r)
        out[idx] = np.searchsorted(cdf[r], u[idx], side="right")
    return np.asarray(np.minimum(out, w.shape[1] - 1), dtype=np.int64)
