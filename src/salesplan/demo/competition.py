"""Competitors on won deals: the side of competition a CRM records when we beat them.

Lost deals name a competitor through their loss reason (opportunities.py). Won deals are
given one here so that the win rate against competitor c converges to the planted
`competitor_win_odds[c] ÷ (1 + competitor_win_odds[c])`:

- strata s = mainland or not × calendar month of the close (so the won side follows the
  lost side through growth, seasonality and the customer mix);
- W_s = won deals closed by as_of in s, L_sc = lost deals in s naming c;
- each won deal of s names c with probability p_sc = L_sc · odds_c ÷ W_s, and none with
  1 − Σ_c p_sc, hence E[won against c] = Σ_s W_s·p_sc = odds_c · lost to c. When Σ_c p_sc
  would exceed 1 (a month with few wins), the row is scaled down to 1 and the truth records
  the smaller expectation.

The draw uses its own random stream, so every other column of the dataset is unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.timeline import BoolArray, FloatArray, IntArray, month_index

COMPETITOR_TRUTH_SCHEMA = pl.Schema(
    {
        "competitor": pl.String,
        "win_odds": pl.Float64,
        "lost": pl.Int64,
        "expected_won": pl.Float64,
        "true_win_rate": pl.Float64,
    }
)


@dataclass(frozen=True, slots=True)
class WonCompetitors:
    competitor: IntArray
    """Per deal: the competitor index named on a won deal, -1 elsewhere."""
    truth: pl.DataFrame
    """COMPETITOR_TRUTH_SCHEMA, over every deal closed by as_of."""


def won_competitors(
    names: tuple[str, ...],
    odds: tuple[float, ...],
    mainland: BoolArray,
    close_t: FloatArray,
    won: BoolArray,
    lost_competitor: IntArray,
    rng: np.random.Generator,
) -> WonCompetitors:
    """Draw a competitor for closed-won deals (`won`); see the module doc.

    `lost_competitor` is the competitor index of each deal (-1 when none); only lost deals
    carry one. `close_t` is the close instant (epoch days) and is read for closed deals only.
    """
    if len(odds) != len(names):
        raise ValueError("competitor_win_odds needs one value per competitor")
    n, k = len(won), len(names)
    closed = won | (lost_competitor >= 0)
    month = np.zeros(n, dtype=np.int64)
    month[closed] = month_index(close_t[closed])
    key = mainland.astype(np.int64) + 2 * month
    strata, stratum = np.unique(key[closed], return_inverse=True)
    of = np.full(n, -1, dtype=np.int64)
    of[closed] = stratum
    wins = np.bincount(of[won], minlength=len(strata)).astype(np.float64)
    losses = np.zeros((len(strata), k))
    named = lost_competitor >= 0
    np.add.at(losses, (of[named], lost_competitor[named]), 1.0)
    p = np.divide(
        losses * np.asarray(odds, dtype=np.float64),
        wins[:, None],
        out=np.zeros_like(losses),
        where=wins[:, None] > 0,
    )
    total = p.sum(axis=1, keepdims=True)
    p = np.where(total > 1.0, p / np.maximum(total, 1.0), p)
    cdf = np.cumsum(p, axis=1)
    rows = np.flatnonzero(won)
    u = rng.random(len(rows))
    pick = (u[:, None] >= cdf[of[rows]]).sum(axis=1)
    competitor = np.full(n, -1, dtype=np.int64)
    competitor[rows] = np.where(pick < k, pick, -1)
    expected = (wins[:, None] * p).sum(axis=0)
    lost = losses.sum(axis=0)
    truth = pl.DataFrame(
        {
            "competitor": list(names),
            "win_odds": [float(o) for o in odds],
            "lost": lost.astype(np.int64),
            "expected_won": expected,
            "true_win_rate": np.divide(
                expected, expected + lost, out=np.zeros(k), where=expected + lost > 0
            ),
        },
        schema=COMPETITOR_TRUTH_SCHEMA,
    )
    return WonCompetitors(competitor, truth)
