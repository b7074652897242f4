"""One period's bookings forecast: pipeline × probabilities + run-rate, with its range.

Every term is computed per calendar month m of the period and summed, so the forecast of a
quarter is exactly the sum of its months' and a year the sum of its quarters':

    expected(m) = closed in m before the cutoff
                  + round(Σ_open a_i · P(win)_i · P(in m | win)_i)     (minor units)
                  + run-rate(m)
    expected(P) = Σ_{m ∈ P} expected(m)

For `calibrated`, P(win) is the calibrated estimator levelled per stage to the timing model's
censoring-correct P(win at all) (`level_to_timing`) and P(in m | win) the timing model; for
`stage`, P(win) is the stage's fixed probability and P(in m) is 1 when the stated close date
lies in m, else 0 (the CRM's weighted pipeline). Both add the same run-rate, so they differ
only in how they read the pipeline. Amounts missing at the cutoff are imputed (amounts.py).
The range is simulation.simulate over the same terms (its P10/P90 are not additive),
optionally widened or narrowed by the backtest's interval calibration.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from salesplan.domain.periods import add_months
from salesplan.forecast.amounts import impute_amounts
from salesplan.forecast.calibrated import CalibratedEstimator
from salesplan.forecast.history import History, won_between
from salesplan.forecast.outcomes import deal_outcomes
from salesplan.forecast.runrate import RunRate, RunRateModel, fit_runrate
from salesplan.forecast.simulation import BookingsRange, IntervalCalibration, simulate, widen
from salesplan.forecast.stage import StageEstimator
from salesplan.forecast.timing import TimingModel

METHODS = ("stage", "calibrated")
DEFAULT_MODEL_ERROR = 0.10
"""κ before a backtest has measured it: a relative sd of 10 % on the pipeline expectation."""
MODEL_ERROR_PRIOR = 3.0
"""Pseudo-periods at κ₀ that κ's estimate is shrunk toward (model_error)."""
TRAINING_MONTHS = 36
"""Monthly snapshots the calibrated and timing models learn from (both use 36)."""
LEVEL_PSEUDO_DEALS = 20.0
"""Pseudo-deals shrinking a stage's levelling factor toward 1 (see level_to_timing)."""


def model_error(errors: list[tuple[int, int, float, float]]) -> float:
    """κ from earlier periods' (actual, forecast, pipeline expectation, variance without κ),
    shrunk toward the default κ₀ with n₀ = MODEL_ERROR_PRIOR pseudo-periods:

        κ² = (Σ[(A − F)² − V] + n₀·κ₀²·P̄²) / (Σ P² + n₀·P̄²),   P̄² = mean P²

    so a few lucky periods cannot make the range too narrow (κ₀ with no periods)."""
    if not errors:
        return DEFAULT_MODEL_ERROR
    excess = sum((a - f) ** 2 - v for a, f, _, v in errors)
    scale = sum(p * p for _, _, p, _ in errors)
    if scale <= 0:
        return DEFAULT_MODEL_ERROR
    prior = MODEL_ERROR_PRIOR * scale / len(errors)
    return math.sqrt(max(0.0, excess + prior * DEFAULT_MODEL_ERROR**2) / (scale + prior))


@dataclass
class FittedModels:
    """Every estimator fit on what was known before `cutoff`."""

    cutoff: dt.date
    stage: StageEstimator
    calibrated: CalibratedEstimator
    timing: TimingModel
    runrate: RunRateModel


def fit_models(history: History, cutoff: dt.date, *, seed: int = 0) -> FittedModels:
    """Fit every model; the outcomes at the cutoff are worked out once and shared by the
    calibrated and timing models. Each model builds its own training snapshots, of only the
    columns it reads, and lets them go before the next is built: one shared frame of both
    models' columns (~70 MB at a million deals) stayed resident through both fits, at the
    fit's peak memory; building twice costs ~0.2 s there."""
    state = deal_outcomes(history, cutoff)
    calibrated = CalibratedEstimator().fit(history, cutoff, state=state)
    timing = TimingModel().fit(history, cutoff, state=state)
    del state
    return FittedModels(
        cutoff,
        StageEstimator().fit(history, cutoff),
        calibrated,
        timing,
        fit_runrate(history, cutoff, seed=seed),
    )


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    """First days of the calendar months of [start, end) (periods are whole months)."""
    first = dt.date(start.year, start.month, 1)
    result = []
    while first < end:
        result.append(first)
        first = add_months(first, 1)
    return result


@dataclass(frozen=True, slots=True)
class MonthPart:
    """One month of a period's expectation, plan minor units."""

    start: dt.date
    closed_minor: int
    pipeline_minor: int
    runrate_minor: int

    @property
    def expected_minor(self) -> int:
        return self.closed_minor + self.pipeline_minor + self.runrate_minor


@dataclass(frozen=True)
class PeriodForecast:
    method: str
    cutoff: dt.date
    start: dt.date
    end: dt.date
    deals: pl.DataFrame
    """Open deals: opportunity_id, amount_plan_minor, amount_imputed, p_win, p_timing,
    p_period (= p_win·p_timing), expected_minor (float, a·p_period) and the deal's fields."""
    closed_minor: int
    pipeline_expected_minor: int
    runrate: RunRate
    range: BookingsRange
    months: list[MonthPart] = field(default_factory=list)
    """The expectation month by month; `range.expected_minor` is their sum."""


def level_to_timing(fitted: FittedModels, deals: pl.DataFrame, p_win: np.ndarray) -> np.ndarray:
    """Calibrated P(win) scaled per stage so the stage's total matches the timing model's:

        s(stage) = (Σ_i w_i + n₀·p̄) / (Σ_i p_i + n₀·p̄),   p'_i = min(1, s · p_i)

    with w_i the timing cell's censoring-correct P(win at all). The calibrated estimator
    learns only from rows whose outcome was known at the cutoff and does not know the
    calendar, so a pipeline at a quarter's start (still holding the hockey stick's losses,
    declared early in the quarter) looks better than it is; the timing model counts every
    row at risk by stage, segment, stated close and month of quarter. n₀ =
    LEVEL_PSEUDO_DEALS shrinks s toward 1 for small stages; the calibrated model keeps the
    ranking within the stage. (Levelling per stage × segment was measured worse on the
    demo: the segment cells are small.)"""
    if deals.height == 0:
        return p_win
    w = fitted.timing.win_probability(deals, fitted.cutoff)
    groups = deals["stage_code"].fill_null(-1).rank("dense").to_numpy().astype(np.int64) - 1
    n = np.bincount(groups)
    sum_p = np.bincount(groups, weights=p_win)
    sum_w = np.bincount(groups, weights=w)
    prior = LEVEL_PSEUDO_DEALS * np.divide(sum_p, n, out=np.zeros_like(sum_p), where=n > 0)
    denominator = sum_p + prior
    scale = np.divide(sum_w + prior, denominator, out=np.ones_like(sum_p), where=denominator > 0)
    return np.asarray(np.minimum(1.0, p_win * scale[groups]), dtype=np.float64)


def deal_months(
    fitted: FittedModels, deals: pl.DataFrame, start: dt.date, end: dt.date, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """P(win) per deal and P(in month | win) per deal × month of [start, end)."""
    months = month_starts(start, end)
    if method == "stage":
        p_win = fitted.stage.predict(deals).to_numpy()
        close = deals["close_date"]
        cols = [
            ((close >= m) & (close < add_months(m, 1))).fill_null(False).to_numpy() for m in months
        ]
        timing = np.column_stack(cols).astype(np.float64) if deals.height else None
    elif method == "calibrated":
        p_win = level_to_timing(fitted, deals, fitted.calibrated.predict(deals).to_numpy())
        timing = fitted.timing.monthly(deals, fitted.cutoff, start, end)
    else:
        raise ValueError(method)
    if timing is None or deals.height == 0:
        timing = np.zeros((deals.height, len(months)))
    return np.asarray(p_win, dtype=np.float64), timing


def score_deals(
    fitted: FittedModels, deals: pl.DataFrame, start: dt.date, end: dt.date, method: str
) -> pl.DataFrame:
    """Add p_win, p_timing, p_period and expected_minor for `method`."""
    p_win, timing = deal_months(fitted, deals, start, end, method)
    return _scored(deals, p_win, timing)


def _scored(deals: pl.DataFrame, p_win: np.ndarray, timing: np.ndarray) -> pl.DataFrame:
    p_timing = np.clip(timing.sum(axis=1), 0.0, 1.0) if timing.size else np.zeros(deals.height)
    return deals.with_columns(
        pl.Series("p_win", p_win, pl.Float64), pl.Series("p_timing", p_timing, pl.Float64)
    ).with_columns(
        (pl.col("p_win") * pl.col("p_timing")).alias("p_period"),
    ).with_columns(
        (pl.col("amount_plan_minor").cast(pl.Float64) * pl.col("p_period")).alias(
            "expected_minor"
        )
    )  # fmt: skip


def prepare_pipeline(history: History, deals: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    return impute_amounts(deals, history, cutoff)


def closed_by_month(history: History, cutoff: dt.date, months: list[dt.date]) -> list[int]:
    """Bookings already won in each month before the cutoff (0 for later months)."""
    result = []
    for m in months:
        end = min(cutoff, add_months(m, 1))
        if m >= cutoff:
            result.append(0)
            continue
        won = won_between(history, m, end)["amount_plan_minor"].fill_null(0).sum()
        result.append(int(won))
    return result


def forecast_period(
    history: History,
    fitted: FittedModels,
    deals: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    method: str,
    *,
    sims: int = 10_000,
    seed: int = 0,
    runrate: RunRate | None = None,
    model_error: float = DEFAULT_MODEL_ERROR,
    interval: IntervalCalibration | None = None,
) -> PeriodForecast:
    """The forecast of bookings in [start, end) from the open `deals` (already imputed).

    `model_error` κ adds a normal term with sd κ·(pipeline expectation): a period-level
    random effect on every deal's probability at once (the model's own error, which
    independent Bernoulli draws do not show); the run-rate adds its simulated spread.
    `interval` then scales the range's two half-widths (simulation.widen; the expectation
    is unchanged), with factors learnt from the backtest (simulation.calibrate_interval)."""
    cutoff = fitted.cutoff
    months = month_starts(start, end)
    p_win, timing = deal_months(fitted, deals, start, end, method)
    scored = _scored(deals, p_win, timing)
    amounts = scored["amount_plan_minor"].fill_null(0).to_numpy().astype(np.float64)
    per_month = (amounts * p_win) @ timing if deals.height else np.zeros(len(months))
    rr = runrate or fitted.runrate.period(start, end)
    rr_months = rr.months_minor or [0] * (len(months) - 1) + [rr.expected_minor]
    closed = closed_by_month(history, cutoff, months)
    parts = [
        MonthPart(m, c, round(float(p)), r)
        for m, c, p, r in zip(months, closed, per_month, rr_months, strict=True)
    ]
    pipeline = sum(p.pipeline_minor for p in parts)
    closed_total = sum(closed)
    probs = scored["p_period"].fill_null(0.0).to_numpy()
    extra_sd = math.sqrt(rr.sd_minor**2 + (model_error * pipeline) ** 2)
    spread = simulate(
        amounts, probs, extra_mean=float(closed_total + rr.expected_minor), extra_sd=extra_sd,
        sims=sims, seed=seed,
    )  # fmt: skip
    spread = replace(spread, expected_minor=sum(p.expected_minor for p in parts))
    if interval is not None:
        spread = widen(spread, interval)
    return PeriodForecast(
        method, cutoff, start, end, scored, closed_total, pipeline, rr, spread, parts
    )
