"""Run-rate: bookings from deals not yet in the pipeline at the cutoff.

For a target period P and cutoff c, let o = c − P.start (days; negative when the period starts
after the cutoff). The history series holds, for each earlier window W (P shifted back by
whole periods, fully observed before c):

    y(W) = Σ amount of deals created on/after W.start + o
           and won in [max(W.start, W.start + o), W.end)

i.e. exactly the business a forecast at the same relative position could not see in the
pipeline. The next value comes from Holt-Winters exponential smoothing (statsmodels; additive
damped trend, additive seasonality once two full years exist), with seasonal naive (same
period last year), then the mean of the last three, as fallbacks. The spread is the standard
deviation of the one-step in-sample errors.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.domain.periods import add_months
from salesplan.forecast.history import History

MAX_WINDOWS = 36


@dataclass(frozen=True, slots=True)
class RunRate:
    """Expected bookings from deals created after the cutoff, in plan minor units."""

    expected_minor: int
    sd_minor: float
    method: str
    """`ets`, `seasonal_naive`, `mean3` or `none` (no history)."""
    history_minor: list[int]


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def runrate_series(history: History, cutoff: dt.date, start: dt.date, end: dt.date) -> list[int]:
    """y(W) for earlier windows W, oldest first; see module doc."""
    grain = max(1, _months(start, end))
    offset = cutoff - start
    opp = history.opportunities.select(pl.col("id").alias("opportunity_id"), "created_on")
    instant = dt.datetime(cutoff.year, cutoff.month, cutoff.day)
    wins = (
        history.events.filter((pl.col("status") == "won") & (pl.col("entered_at") < instant))
        .select(
            "opportunity_id", pl.col("entered_at").dt.date().alias("won_on"), "amount_plan_minor"
        )
        .join(opp, on="opportunity_id", how="left")
    )
    values: list[int] = []
    for j in range(1, MAX_WINDOWS + 1):
        w_start = add_months(start, -grain * j)
        w_end = add_months(end, -grain * j)
        if w_end > cutoff or w_start < history.start:
            if w_start < history.start:
                break
            continue
        born = w_start + offset
        picked = wins.filter(
            (pl.col("created_on") >= born)
            & (pl.col("won_on") >= max(w_start, born))
            & (pl.col("won_on") < w_end)
        )
        values.append(int(picked["amount_plan_minor"].fill_null(0).sum()))
    return values[::-1]


def _steps_ahead(cutoff: dt.date, start: dt.date, end: dt.date) -> int:
    grain = max(1, _months(start, end))
    j = 1
    while add_months(end, -grain * j) > cutoff:
        j += 1
    return j


def forecast_runrate(history: History, cutoff: dt.date, start: dt.date, end: dt.date) -> RunRate:
    """The run-rate for [start, end) as seen at `cutoff`."""
    series = runrate_series(history, cutoff, start, end)
    if not series:
        return RunRate(0, 0.0, "none", [])
    grain = max(1, _months(start, end))
    season = max(1, 12 // grain)
    steps = _steps_ahead(cutoff, start, end)
    y = np.asarray(series, dtype=np.float64)
    if len(y) >= 6 and y.std() > 0:
        fitted = _ets(y, season, steps)
        if fitted is not None:
            mean, sd = fitted
            return RunRate(round(max(mean, 0.0)), sd, "ets", series)
    if len(y) >= season + 1:
        value = float(y[-season + steps - 1]) if steps <= season else float(y[-season])
        diffs = y[season:] - y[:-season]
        sd = float(diffs.std()) if len(diffs) > 1 else float(y.std())
        return RunRate(round(max(value, 0.0)), sd, "seasonal_naive", series)
    tail = y[-3:]
    return RunRate(round(float(tail.mean())), float(y.std()), "mean3", series)


def _ets(y: np.ndarray, season: int, steps: int) -> tuple[float, float] | None:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # type: ignore[import-untyped]

    seasonal = "add" if season > 1 and len(y) >= 2 * season + 2 else None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = ExponentialSmoothing(
                y,
                trend="add",
                damped_trend=True,
                seasonal=seasonal,
                seasonal_periods=season if seasonal else None,
                initialization_method="estimated",
            ).fit()
            mean = float(np.asarray(model.forecast(steps))[-1])
            resid = np.asarray(model.resid, dtype=np.float64)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not math.isfinite(mean) or not np.all(np.isfinite(resid)):
        return None
    sd = float(np.sqrt(np.mean(resid**2)) * math.sqrt(steps))
    return mean, sd
