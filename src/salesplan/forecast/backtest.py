"""Backtest: forecast past periods from the pipeline as it stood, score against real bookings.

For each cutoff c (the first day of a past month or quarter, the period [c, c + grain) fully
observed before the as-of date), everything is rebuilt from what was known before c: the
pipeline from stage events (stage, amount, stated close date then), rates from deals closed
before c, the run-rate from windows ended before c. Actual = bookings won in the period
(closing events). Per method over the cutoffs (A actual, F forecast):

    WAPE = Σ|A − F| / ΣA,   bias = Σ(F − A) / ΣA,
    MAPE = mean over periods with A > 0 of |A − F| / A,
    coverage = share of periods with P10 ≤ A ≤ P90.

Each model's P10/P90 at a cutoff are calibrated on the errors of the earlier cutoffs only
(simulation.calibrate_interval: split-conformal factors per side of the range), as its κ is;
`interval_calibration` holds the factors from all cutoffs, for forecasts made after it.
Naive baselines beside the models: the last period, the mean of the last three, the same
period last year. `auto` picks the model with the lowest WAPE and says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from salesplan.domain.periods import add_months
from salesplan.forecast.bookings import (
    METHODS,
    fit_models,
    forecast_period,
    model_error,
    prepare_pipeline,
)
from salesplan.forecast.history import History, pipeline_at, won_between
from salesplan.forecast.simulation import (
    IntervalCalibration,
    calibrate_interval,
    interval_score,
    widen,
)

NAIVE = ("last_period", "mean_3", "last_year")


def N_(msgid: str, /) -> str:
    """Mark a message id for the catalogue scan (pure layers cannot import salesplan.i18n)."""
    return msgid


GRAIN_MONTHS = {"month": 1, "quarter": 3}


@dataclass(frozen=True, slots=True)
class CutoffResult:
    cutoff: dt.date
    end: dt.date
    actual_minor: int
    forecasts: dict[str, int]
    p10: dict[str, int]
    p90: dict[str, int]
    """Calibrated P10/P90 per model (the factors in `interval`)."""
    interval: dict[str, IntervalCalibration] = field(default_factory=dict)
    """The interval calibration applied at this cutoff, from earlier cutoffs only."""


@dataclass(frozen=True, slots=True)
class MethodScore:
    method: str
    n: int
    wape: float | None
    mape: float | None
    bias: float | None
    coverage: float | None
    """Share of periods inside P10-P90; None for naive baselines (no range)."""


@dataclass(frozen=True)
class BacktestReport:
    grain: str
    cutoffs: list[CutoffResult]
    scores: list[MethodScore]
    chosen: str
    reason: str
    reason_params: dict[str, str] = field(default_factory=dict)
    model_error: dict[str, float] = field(default_factory=dict)
    """κ per model measured over all cutoffs, for forecasts made after the backtest."""
    interval_calibration: dict[str, IntervalCalibration] = field(default_factory=dict)
    """P10/P90 factors per model from all cutoffs, for forecasts made after the backtest."""


def backtest_cutoffs(as_of: dt.date, grain: str, count: int) -> list[dt.date]:
    """Starts of the last `count` periods of `grain` that ended on or before `as_of`."""
    months = GRAIN_MONTHS[grain]
    limit = as_of + dt.timedelta(days=1)
    current = dt.date(limit.year, limit.month, 1)
    current = add_months(current, -((current.month - 1) % months))
    return [add_months(current, -months * i) for i in range(count, 0, -1)]


def _bookings(history: History, start: dt.date, end: dt.date) -> int:
    return int(won_between(history, start, end)["amount_plan_minor"].fill_null(0).sum())


def score(method: str, results: list[CutoffResult]) -> MethodScore:
    pairs = [(r.actual_minor, r.forecasts[method]) for r in results if method in r.forecasts]
    total = sum(a for a, _ in pairs)
    if not pairs or total <= 0:
        return MethodScore(method, len(pairs), None, None, None, None)
    wape = sum(abs(a - f) for a, f in pairs) / total
    bias = sum(f - a for a, f in pairs) / total
    ratios = [abs(a - f) / a for a, f in pairs if a > 0]
    mape = sum(ratios) / len(ratios) if ratios else None
    inside = [r.p10[method] <= r.actual_minor <= r.p90[method] for r in results if method in r.p10]
    coverage = sum(inside) / len(inside) if inside else None
    return MethodScore(method, len(pairs), wape, mape, bias, coverage)


def run_backtest(
    history: History, *, grain: str = "month", cutoffs: int = 6, sims: int = 2000, seed: int = 0
) -> BacktestReport:
    """Backtest every model and the naive baselines; κ (model error) and the interval
    calibration of each cutoff come only from the errors at earlier cutoffs
    (bookings.model_error, simulation.calibrate_interval: scored on the uncalibrated range)."""
    months = GRAIN_MONTHS[grain]
    results: list[CutoffResult] = []
    errors: dict[str, list[tuple[int, int, float, float]]] = {m: [] for m in METHODS}
    interval_scores: dict[str, list[tuple[float, float]]] = {m: [] for m in METHODS}

    for cutoff in backtest_cutoffs(history.as_of, grain, cutoffs):
        end = add_months(cutoff, months)
        if cutoff <= history.start:
            continue
        fitted = fit_models(history, cutoff, seed=seed)
        deals = prepare_pipeline(history, pipeline_at(history, cutoff), cutoff)
        rr = fitted.runrate.period(cutoff, end)
        actual = _bookings(history, cutoff, end)
        forecasts: dict[str, int] = {}
        p10: dict[str, int] = {}
        p90: dict[str, int] = {}
        applied: dict[str, IntervalCalibration] = {}
        for method in METHODS:
            kappa = model_error(errors[method])
            applied[method] = calibrate_interval(interval_scores[method])
            result = forecast_period(
                history, fitted, deals, cutoff, end, method,
                sims=sims, seed=seed, runrate=rr, model_error=kappa,
            )  # fmt: skip
            forecasts[method] = result.range.expected_minor
            widened = widen(result.range, applied[method])
            p10[method], p90[method] = widened.p10_minor, widened.p90_minor
            past = interval_score(actual, result.range)
            if past is not None:
                interval_scores[method].append(past)
            base_var = result.range.sd_minor**2 - (kappa * result.pipeline_expected_minor) ** 2
            errors[method].append(
                (actual, forecasts[method], float(result.pipeline_expected_minor), base_var)
            )
        previous = [
            _bookings(
                history, add_months(cutoff, -months * i), add_months(cutoff, -months * (i - 1))
            )
            for i in (1, 2, 3)
        ]
        forecasts["last_period"] = previous[0]
        forecasts["mean_3"] = round(sum(previous) / 3)
        forecasts["last_year"] = _bookings(history, add_months(cutoff, -12), add_months(end, -12))
        results.append(CutoffResult(cutoff, end, actual, forecasts, p10, p90, applied))
        # Freed before the next cutoff's fit, not held through it (tens of MB at 1M deals).
        del fitted, deals, result
    scores = [score(m, results) for m in (*METHODS, *NAIVE)]
    chosen, reason, params = choose(scores)
    kappas = {m: model_error(errors[m]) for m in METHODS}
    intervals = {m: calibrate_interval(interval_scores[m]) for m in METHODS}
    return BacktestReport(grain, results, scores, chosen, reason, params, kappas, intervals)


def choose(scores: list[MethodScore]) -> tuple[str, str, dict[str, str]]:
    """The model with the lowest backtest WAPE (calibrated when nothing can be scored)."""
    models = [s for s in scores if s.method in METHODS and s.wape is not None]
    if not models:
        return (
            "calibrated",
            N_("Not enough history to backtest; using {method}."),
            {"method": "calibrated"},
        )
    best = min(models, key=lambda s: (s.wape, s.method != "calibrated"))
    naive = [s for s in scores if s.method == "mean_3" and s.wape is not None]
    params = {"method": best.method, "wape": f"{best.wape:.3f}", "n": str(best.n)}
    if naive and naive[0].wape is not None and naive[0].wape < (best.wape or 0):
        params["naive_wape"] = f"{naive[0].wape:.3f}"
        return (
            best.method,
            N_(
                "{method} had the lowest backtest WAPE of the models ({wape} over {n} periods), "
                "but the mean of the last three periods did better ({naive_wape})."
            ),
            params,
        )
    return (
        best.method,
        N_("{method} had the lowest backtest WAPE ({wape} over {n} periods)."),
        params,
    )
