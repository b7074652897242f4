"""The stage walk: how a deal moves through the open stages, and the true win probabilities.

At each open stage j a deal dwells a gamma-distributed time, then advances with probability
p_j = logistic(logit(base[segment, j]) + shift), where `shift` is the deal's log-odds offset
(rep skill, ramp, source, promotion, deal type) and a stalled stage adds log(stall_odds);
otherwise it is lost. Advancing out of the last open stage is a win. Hence, exactly,
P(win | at stage s) = prod_{j >= s} p_j for each deal, which is what the truth frames record.
All deals are simulated to the end; censoring at as_of happens when frames are written.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesplan.demo.params import DemoParams
from salesplan.demo.timeline import BoolArray, FloatArray, IntArray, month_index, month_start

MIN_DWELL_DAYS = 0.01
"""Keeps stage entries strictly increasing after conversion to timestamps."""


@dataclass(frozen=True, slots=True)
class FunnelResult:
    """Per deal: when each open stage was entered and how and when the deal ends."""

    entered: FloatArray
    """n × K instants (epoch days) of entering each open stage; NaN where never entered."""
    p: FloatArray
    """n × K per-stage advance probabilities (1.0 before the deal's start stage)."""
    final: IntArray
    """Open-stage index where the deal ended (lost there, or the last one when won)."""
    won: BoolArray
    close_t: FloatArray
    """Instant the deal is won or lost; may lie after as_of (then it is open at as_of)."""


def logit(p: FloatArray) -> FloatArray:
    return np.asarray(np.log(p) - np.log1p(-p), dtype=np.float64)


def base_advance(params: DemoParams) -> FloatArray:
    """segments × K base advance probabilities."""
    return np.asarray([s.advance for s in params.segments], dtype=np.float64)


def mean_dwell(params: DemoParams) -> FloatArray:
    """segments × K mean dwell days (without stalls)."""
    return np.asarray([s.dwell_days for s in params.segments], dtype=np.float64)


def simulate(
    params: DemoParams,
    segment: IntArray,
    start: IntArray,
    shift: FloatArray,
    t0: FloatArray,
    rng: np.random.Generator,
) -> FunnelResult:
    """Walk every deal from its start stage to won or lost (vectorised per stage)."""
    n = len(segment)
    k = params.open_stage_count
    stages = np.arange(k)
    span = k - start
    stalled = rng.random(n) < params.stall_share
    stall = np.where(stalled, start + np.floor(rng.random(n) * span).astype(np.int64), -1)
    at_stall = stages[None, :] == stall[:, None]
    z = logit(base_advance(params))[segment] + shift[:, None]
    z = z + np.where(at_stall, np.log(params.stall_odds), 0.0)
    p = 1.0 / (1.0 + np.exp(-z))
    p[stages[None, :] < start[:, None]] = 1.0
    lo, hi = params.stall_dwell
    stretch = np.where(at_stall, rng.uniform(lo, hi, (n, k)), 1.0)
    shape = params.dwell_shape
    dwell = rng.gamma(shape, 1.0, (n, k)) * (mean_dwell(params)[segment] / shape) * stretch
    dwell = np.maximum(dwell, MIN_DWELL_DAYS)
    advance = rng.random((n, k)) < p

    entered = np.full((n, k), np.nan)
    final = np.full(n, k - 1, dtype=np.int64)
    won = np.zeros(n, dtype=bool)
    close_t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    t = t0.copy()
    for j in range(k):
        here = alive & (start <= j)
        entered[here, j] = t[here]
        lost = here & ~advance[:, j]
        close_t[lost] = t[lost] + dwell[lost, j] * params.loss_dwell_factor
        final[lost] = j
        alive &= ~lost
        moving = here & advance[:, j]
        t[moving] += dwell[moving, j]
    won[alive] = True
    close_t[alive] = t[alive]
    close_t = _quarter_end_timing(params, close_t, won, rng)
    return FunnelResult(entered, p, final, won, close_t)


def _quarter_end_timing(
    params: DemoParams, close_t: FloatArray, won: BoolArray, rng: np.random.Generator
) -> FloatArray:
    """Quarter-end hockey stick: some wins wait for the quarter's last two weeks, and some
    losses found in a quarter's last month are declared in the next quarter's first days.
    Only ever moves a close later, so stage order is kept and outcomes are unchanged."""
    month = month_index(close_t)
    in_quarter = month % 3
    u = rng.random(len(close_t))
    offset = rng.random(len(close_t))
    out = close_t.copy()
    push_win = won & (in_quarter < 2) & (u < params.hockey_stick_share)
    quarter_end = month_start(month - in_quarter + 3).astype(np.float64)
    out[push_win] = quarter_end[push_win] - 0.02 - offset[push_win] * 13.9
    push_loss = ~won & (in_quarter == 2) & (u < params.late_loss_share)
    next_start = month_start(month + 1).astype(np.float64)
    out[push_loss] = next_start[push_loss] + offset[push_loss] * 10.0
    return np.maximum(out, close_t)


def win_from_stage(p: FloatArray) -> FloatArray:
    """n × K: P(win | at stage s) = prod_{j >= s} p_j (reverse cumulative product)."""
    return np.asarray(np.cumprod(p[:, ::-1], axis=1)[:, ::-1], dtype=np.float64)


def reach_probability(p: FloatArray, start: IntArray) -> FloatArray:
    """n × K: P(reach stage s) from the deal's start = prod_{start <= j < s} p_j; 0 before start."""
    k = p.shape[1]
    prefix = np.cumprod(np.hstack([np.ones((len(p), 1)), p[:, :-1]]), axis=1)
    stages = np.arange(k)
    return np.where(stages[None, :] >= start[:, None], prefix, 0.0)
