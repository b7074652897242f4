"""One period's bookings forecast: pipeline × probabilities + run-rate, with its range.

    expected = closed so far in the period + Σ_open a_i · P(win)_i · P(in period | win)_i
               + run-rate of deals not yet created

For `calibrated`, P(win) is the calibrated estimator and P(in period | win) the timing model;
for `stage`, P(win) is the stage's fixed probability and P(in period) is 1 when the stated
close date lies in the period, else 0 (the CRM's weighted pipeline). Both add the same
run-rate, so they differ only in how they read the pipeline. Amounts missing at the cutoff
are imputed (amounts.py). The range is simulation.simulate over the same terms.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.forecast.amounts import impute_amounts
from salesplan.forecast.calibrated import CalibratedEstimator
from salesplan.forecast.history import History, outcomes_at, snapshot_rows, won_between
from salesplan.forecast.runrate import RunRate, forecast_runrate
from salesplan.forecast.simulation import BookingsRange, simulate
from salesplan.forecast.snapshots import snapshot_days
from salesplan.forecast.stage import StageEstimator
from salesplan.forecast.timing import TimingModel

METHODS = ("stage", "calibrated")
DEFAULT_MODEL_ERROR = 0.10
TRAINING_MONTHS = 36
"""Monthly snapshots the calibrated and timing models learn from (both use 36)."""
"""κ before a backtest has measured it: a relative sd of 10 % on the pipeline expectation."""


def model_error(errors: list[tuple[int, int, float, float]]) -> float:
    """κ from earlier periods' (actual, forecast, pipeline expectation, variance without κ):
    κ² = max(0, Σ[(A − F)² − V] / Σ P²); the default until three periods exist."""
    if len(errors) < 3:
        return DEFAULT_MODEL_ERROR
    excess = sum((a - f) ** 2 - v for a, f, _, v in errors)
    scale = sum(p * p for _, _, p, _ in errors)
    return math.sqrt(max(0.0, excess) / scale) if scale > 0 else DEFAULT_MODEL_ERROR


@dataclass
class FittedModels:
    """Every estimator fit on what was known before `cutoff`."""

    cutoff: dt.date
    stage: StageEstimator
    calibrated: CalibratedEstimator
    timing: TimingModel


def fit_models(history: History, cutoff: dt.date) -> FittedModels:
    """Fit every model; the monthly training snapshots and the outcomes at the cutoff are
    built once and shared by the calibrated and timing models (they use the same days)."""
    rows = snapshot_rows(history, snapshot_days(cutoff, history.start, TRAINING_MONTHS))
    state = outcomes_at(history, cutoff)
    return FittedModels(
        cutoff,
        StageEstimator().fit(history, cutoff),
        CalibratedEstimator().fit(history, cutoff, rows, state),
        TimingModel().fit(history, cutoff, rows, state),
    )


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


def score_deals(
    fitted: FittedModels, deals: pl.DataFrame, start: dt.date, end: dt.date, method: str
) -> pl.DataFrame:
    """Add p_win, p_timing, p_period and expected_minor for `method`."""
    if method == "stage":
        p_win = fitted.stage.predict(deals)
        p_timing = StageEstimator.in_window(deals, start, end)
    elif method == "calibrated":
        p_win = fitted.calibrated.predict(deals)
        p_timing = fitted.timing.in_window(deals, fitted.cutoff, start, end)
    else:
        raise ValueError(method)
    return (
        deals.with_columns(p_win, p_timing)
        .with_columns((pl.col("p_win") * pl.col("p_timing")).alias("p_period"))
        .with_columns(
            (pl.col("amount_plan_minor").cast(pl.Float64) * pl.col("p_period")).alias(
                "expected_minor"
            )
        )
    )


def prepare_pipeline(history: History, deals: pl.DataFrame, cutoff: dt.date) -> pl.DataFrame:
    return impute_amounts(deals, history, cutoff)


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
) -> PeriodForecast:
    """The forecast of bookings in [start, end) from the open `deals` (already imputed).

    `model_error` κ adds an independent normal term with sd κ·(pipeline expectation): the
    error of the probabilities themselves, which Bernoulli draws alone do not show."""
    cutoff = fitted.cutoff
    scored = score_deals(fitted, deals, start, end, method)
    closed = 0
    if start < cutoff:
        closed = int(
            won_between(history, start, min(cutoff, end))["amount_plan_minor"].fill_null(0).sum()
        )
    rr = runrate or forecast_runrate(history, cutoff, start, end)
    amounts = scored["amount_plan_minor"].fill_null(0).to_numpy().astype(np.float64)
    probs = scored["p_period"].fill_null(0.0).to_numpy()
    pipeline = round(float((amounts * probs).sum()))
    extra_sd = math.sqrt(rr.sd_minor**2 + (model_error * pipeline) ** 2)
    spread = simulate(
        amounts, probs, extra_mean=float(closed + rr.expected_minor), extra_sd=extra_sd,
        sims=sims, seed=seed,
    )  # fmt: skip
    return PeriodForecast(method, cutoff, start, end, scored, closed, pipeline, rr, spread)
