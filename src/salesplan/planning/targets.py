"""Annual revenue targets by four methods, each with the inputs that produced it.

All targets are integer minor units of the plan currency; growth rates and weights are exact
decimals, so the money arithmetic is exact and rounded once, half-even, to the minor unit.

- yoy:      T = B × (1 + g), B = bookings of the last complete year (or the last 12 months).
- capacity: T = Σ team capacity (see capacity.py).
- trend:    T = Σ fitted bookings of the twelve months of the target year × (1 + market growth);
            the fit is Holt-Winters exponential smoothing (additive trend and seasonality, 12
            months) with ≥ 24 months of history, else an ordinary least-squares line.
- blend:    T = Σ wₖ × Tₖ over the available methods, weights renormalised to sum to 1.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import polars as pl

MIN_SEASONAL_MONTHS = 24
"""Months of history needed for the seasonal Holt-Winters fit (two full cycles)."""
MIN_TREND_MONTHS = 3


def round_half_even(value: Fraction) -> int:
    """Round an exact fraction to the nearest integer, ties to even (Python's round)."""
    return round(value)


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's annual target and the inputs a leader needs to see why it is what it is."""

    method: str
    target_minor: int | None
    """None when the method cannot be computed from the data (see `note`)."""
    inputs: dict[str, Any] = field(default_factory=dict)
    note: str | None = None
    """A machine code saying why the method is unavailable or approximate."""


def yoy_target(base_minor: int, growth: Decimal, basis: str) -> MethodResult:
    """Last year's bookings × (1 + growth); `basis` names the period the base covers."""
    target = round_half_even(Fraction(base_minor) * (1 + Fraction(growth)))
    return MethodResult(
        "yoy", target, {"base_bookings_minor": base_minor, "growth": growth, "basis": basis}
    )


@dataclass(frozen=True, slots=True)
class TrendFit:
    model: str
    """`holt-winters` (additive trend and seasonality) or `linear`."""
    months_of_history: int
    forecast_minor: tuple[int, ...]
    """Fitted bookings of the twelve months of the target year, January first, ≥ 0."""
    slope_minor_per_month: float | None
    """Of the linear fit; None for Holt-Winters."""


def monthly_bookings(
    won: pl.DataFrame, before_month: tuple[int, int]
) -> tuple[tuple[int, int], list[int]]:
    """Won bookings (`amount_plan_minor` by `closed_on`) per calendar month, oldest first.

    Returns the first month (year, month) and the series, which runs from the first month
    with a won deal to the month before `before_month` (the as-of month is incomplete and
    left out); months without a win are 0. An empty history gives `(before_month, [])`.
    """
    end_index = before_month[0] * 12 + before_month[1] - 1
    frame = (
        won.filter(pl.col("closed_on").is_not_null())
        .with_columns(
            (pl.col("closed_on").dt.year() * 12 + pl.col("closed_on").dt.month() - 1).alias("m")
        )
        .filter(pl.col("m") < end_index)
        .group_by("m")
        .agg(pl.col("amount_plan_minor").sum().alias("amount"))
    )
    if frame.height == 0:
        return before_month, []
    by_month = dict(zip(frame["m"].to_list(), frame["amount"].to_list(), strict=True))
    start = int(min(by_month))
    series = [int(by_month.get(m, 0)) for m in range(start, end_index)]
    return (start // 12, start % 12 + 1), series


def group_bookings(won: pl.DataFrame, column: str) -> dict[str, int]:
    """Σ won `amount_plan_minor` per value of `column` (null as ""), for historical shares."""
    if won.height == 0:
        return {}
    frame = won.group_by(pl.col(column).fill_null("").alias("key")).agg(
        pl.col("amount_plan_minor").sum().alias("amount")
    )
    return {
        str(k): int(v)
        for k, v in sorted(zip(frame["key"].to_list(), frame["amount"].to_list(), strict=True))
    }


def fit_trend(history: Sequence[int], first_month: tuple[int, int], year: int) -> TrendFit:
    """Fit monthly history starting at `first_month` and forecast the months of `year`.

    Raises ValueError with fewer than MIN_TREND_MONTHS months or when the year has already
    passed the history's end.
    """
    n = len(history)
    if n < MIN_TREND_MONTHS:
        raise ValueError("too little history for a trend")
    first = first_month[0] * 12 + first_month[1] - 1
    year_start = year * 12 - first  # index of January of `year` in the series
    if year_start < n:
        raise ValueError("the target year overlaps the history")
    horizon = year_start + 12 - n
    values = np.asarray(history, dtype=np.float64)
    if n >= MIN_SEASONAL_MONTHS:
        forecast = _holt_winters(values, horizon)
        model, slope = "holt-winters", None
    else:
        t = np.arange(n, dtype=np.float64)
        slope, intercept = np.polyfit(t, values, 1)
        future = np.arange(n, n + horizon, dtype=np.float64)
        forecast = intercept + slope * future
        model, slope = "linear", float(slope)
    months = forecast[horizon - 12 :]
    rounded = tuple(max(0, round(float(v))) for v in months)
    return TrendFit(model, n, rounded, slope)


def _holt_winters(values: np.ndarray[Any, Any], horizon: int) -> np.ndarray[Any, Any]:
    from statsmodels.tsa.holtwinters import (  # type: ignore[import-untyped]
        ExponentialSmoothing,
    )

    model = ExponentialSmoothing(
        values, trend="add", seasonal="add", seasonal_periods=12, initialization_method="estimated"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence chatter from the optimiser
        fitted = model.fit()
    return np.asarray(fitted.forecast(horizon), dtype=np.float64)


def trend_target(fit: TrendFit, market_growth: Decimal) -> MethodResult:
    """Σ forecast months × (1 + market growth), rounded half-even to the minor unit."""
    base = sum(fit.forecast_minor)
    target = round_half_even(Fraction(base) * (1 + Fraction(market_growth)))
    return MethodResult(
        "trend",
        target,
        {
            "model": fit.model,
            "months_of_history": fit.months_of_history,
            "fitted_year_minor": base,
            "market_growth": market_growth,
        },
    )


def blend_target(
    results: Sequence[MethodResult], weights: Mapping[str, Decimal]
) -> tuple[MethodResult, dict[str, Fraction]]:
    """Σ wₖ × Tₖ over methods that have a target; weights of missing methods are dropped and
    the rest renormalised. Returns the blend and the weights actually used."""
    usable = {
        r.method: r
        for r in results
        if r.target_minor is not None and Fraction(weights.get(r.method, 0)) > 0
    }
    total_weight = sum((Fraction(weights[m]) for m in usable), Fraction(0))
    if not usable or total_weight == 0:
        return MethodResult("blend", None, {"weights": {}}, "no-method"), {}
    used = {m: Fraction(weights[m]) / total_weight for m in usable}
    exact = sum((used[m] * (usable[m].target_minor or 0) for m in usable), Fraction(0))
    note = None if total_weight == 1 else "weights-renormalised"
    result = MethodResult(
        "blend", round_half_even(exact), {"weights": {m: float(w) for m, w in used.items()}}, note
    )
    return result, used
