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
    stall: IntArray
    """Open-stage index where the deal stalls, -1 if it does not (latent)."""
    stretch: FloatArray
    """Dwell multiplier at the stall stage (1.0 without a stall; latent)."""
    extra: FloatArray
    """Extra days at the stall stage of a forgotten ("zombie") deal, else 0 (latent)."""


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
    stretch = np.where(stalled, rng.uniform(*params.stall_dwell, n), 1.0)
    zombie = stalled & (rng.random(n) < params.zombie_share)
    extra = np.where(zombie, rng.uniform(*params.zombie_days, n), 0.0)
    shape = params.dwell_shape
    dwell = rng.gamma(shape, 1.0, (n, k)) * (mean_dwell(params)[segment] / shape)
    dwell = np.where(at_stall, dwell * stretch[:, None] + extra[:, None], dwell)
    dwell = np.maximum(dwell, MIN_DWELL_DAYS)
    advance = rng.random((n, k)) < p

    entered = np.full((n, k), np.nan)
    final = np.full(n, k - 1, dtype=np.int64)
    close_t = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    t = t0.copy()
    for j in range(k):
        here = alive & (start <= j)
        entered[here, j] = t[here]
        t[here] += dwell[here, j]
        lost = here & ~advance[:, j]
        close_t[lost] = t[lost]
        final[lost] = j
        alive &= ~lost
    won = alive
    close_t[won] = t[won]
    close_t = _quarter_end_timing(params, close_t, won, rng)
    return FunnelResult(entered, p, final, won, close_t, stall, stretch, extra)


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


def _erlang_cdf(x: FloatArray, shape: int, scale: FloatArray) -> FloatArray:
    """P(G <= x) for G ~ Gamma(shape, scale) with integer shape (0 for x <= 0)."""
    y = np.maximum(x, 0.0) / scale
    term = np.ones_like(y)
    tail = np.ones_like(y)
    for i in range(1, shape):
        term = term * y / i
        tail = tail + term
    return np.asarray(np.where(x > 0, 1.0 - np.exp(-y) * tail, 0.0), dtype=np.float64)


def open_win_probability(
    params: DemoParams,
    result: FunnelResult,
    segment: IntArray,
    current: IntArray,
    cutoff: float,
) -> FloatArray:
    """P(win | latent attributes, in stage `current` and still open at `cutoff`), per deal.

    The wait alone says nothing (advancing and losing take the same dwell), except through
    quarter-end timing: a win naturally due earlier this quarter may be waiting for its last
    two weeks (share h), and a loss due in a quarter's last month may be declared in the next
    (share l). With X the natural exit, F its CDF (Erlang, stretched at a stall), A = P(X >= T):
        P(open | advance) = A + [last stage] h · f_w · P(X in this quarter's months 1-2, X < T)
        P(open | lose)    = A + l · (f_l · P(X in last quarter's month 3) + P(X in month 3, X < T))
    where f_w, f_l are the shares of the pushed windows after T; Bayes then weighs p_current.
    """
    rows = np.arange(len(current))
    k = params.open_stage_count
    e = result.entered[rows, current]
    p = result.p[rows, current]
    rest = win_from_stage(np.hstack([result.p, np.ones((len(rows), 1))]))[rows, current + 1]
    at_stall = result.stall == current
    stretch = np.where(at_stall, result.stretch, 1.0)
    extra = np.where(at_stall, result.extra, 0.0)
    scale = mean_dwell(params)[segment, current] / params.dwell_shape * stretch

    def cdf(t: float) -> FloatArray:
        """P(X < t) for the natural exit X = e + D."""
        return _erlang_cdf(t - e - extra, params.dwell_shape, scale)

    m = int(month_index(np.array([cutoff - 1.0]))[0])
    qs, m3, qe, prev_m3 = (float(month_start(np.array([m - m % 3 + d]))[0]) for d in (0, 2, 3, -1))
    survive = 1.0 - cdf(cutoff)
    f_w = min(max((qe - 0.02 - cutoff) / 13.9, 0.0), 1.0)
    early = np.maximum(cdf(min(cutoff, m3)) - cdf(qs), 0.0)
    pushed_win = np.where(current == k - 1, params.hockey_stick_share * f_w * early, 0.0)
    f_l = min(max((qs + 10.0 - cutoff) / 10.0, 0.0), 1.0)
    late = f_l * (cdf(qs) - cdf(prev_m3)) + (cdf(cutoff) - cdf(m3) if cutoff > m3 else 0.0)
    pushed_loss = params.late_loss_share * late
    advance = p * (survive + pushed_win)
    lose = (1.0 - p) * (survive + pushed_loss)
    return np.asarray(advance / (advance + lose) * rest, dtype=np.float64)
