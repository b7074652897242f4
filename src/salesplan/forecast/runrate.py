"""Run-rate: bookings from deals not yet in the pipeline at the cutoff, month by month.

One model per cutoff c, so that any period's run-rate is the sum of its months'.

* B(M): total bookings (won closing events) of each complete calendar month before c. One
  Holt-Winters model (statsmodels; additive damped trend, additive seasonality of 12 months
  once 26 months exist, else of 3 months — the quarter-end hockey stick — once 8 exist)
  forecasts B̂(m) for the months m = c's month + k, k = 0, 1, …, with `SIM_PATHS` seeded
  simulated paths for the spread. Fewer than 8 months: the mean of the last three, flat.
* f(k, q): the share of a month's bookings that came from deals created on or after a
  cutoff k months (plus c's day in the month) earlier, by month of quarter q. For earlier
  cutoffs c_j = c shifted back j = 1…MAX_SHIFTS months (c_j ≥ the data's start) and months
  M = month(c_j) + k that ended before c:

      R_j(k) = Σ amount of deals created ≥ c_j and won in [max(M.start, c_j), M.end)
      f(k, q) = Σ_j R_j(k) / Σ_j B(M)     (pooled over j; over all q when a cell has < 3)

  exactly what a forecast at the same relative position could not see in the pipeline.

    run-rate(m) = f(k, q(m)) · max(B̂(m), 0),    run-rate(P) = Σ_{m ∈ P} run-rate(m)

The period's sd is the spread of Σ_{m ∈ P} f·path(m) over the simulated paths (the months'
errors are correlated, so sds are not added). Money in plan minor units.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from salesplan.forecast.history import History
from salesplan.forecast.snapshots import month_index, month_shift

MAX_SHIFTS = 24
HORIZON = 30
"""Months after the cutoff's month the model covers (later months reuse the last share)."""
SIM_PATHS = 500
MIN_CELL = 3


@dataclass(frozen=True, slots=True)
class RunRate:
    """Expected bookings from deals created after the cutoff, in plan minor units."""

    expected_minor: int
    sd_minor: float
    method: str
    """`ets`, `mean3` or `none` (no history)."""
    history_minor: list[int]
    """Monthly bookings the model learned from, oldest first."""
    months_minor: list[int] = field(default_factory=list)
    """The run-rate of each month of the period (they add up to `expected_minor`)."""


def _wins(history: History, cutoff: dt.date) -> pl.DataFrame:
    """Wins entered before the cutoff: month index, day, creation day, amount."""
    instant = dt.datetime(cutoff.year, cutoff.month, cutoff.day)
    ev = history.events
    won = ((ev["status"] == "won") & (ev["entered_at"] < instant)).fill_null(False)
    # The deal's creation day by its row (History.deal_rows), not a join on the id strings.
    created = history.opportunities["created_on"].gather(history.deal_rows.filter(won))
    return pl.DataFrame(
        [
            ev["entered_at"].filter(won).dt.date().alias("won_on"),
            ev["amount_plan_minor"].filter(won).fill_null(0),
            created.alias("created_on"),
        ]
    )


def _days(column: pl.Series) -> np.ndarray:
    return column.cast(pl.Int32).fill_null(-(2**30)).to_numpy().astype(np.int64)


def _day(day: dt.date) -> int:
    return (day - dt.date(1970, 1, 1)).days


def _months_of(days: np.ndarray) -> np.ndarray:
    return np.asarray(
        (days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) + 1970 * 12),
        dtype=np.int64,
    )


@dataclass
class RunRateModel:
    """Monthly run-rate as seen at `cutoff` (see module doc); `period` reads any period."""

    cutoff: dt.date
    method: str = "none"
    history_minor: list[int] = field(default_factory=list)
    mean: np.ndarray = field(default_factory=lambda: np.zeros(HORIZON))
    """B̂ of months k = 0…HORIZON−1 after the cutoff's month."""
    paths: np.ndarray = field(default_factory=lambda: np.zeros((HORIZON, 0)))
    shares: np.ndarray = field(default_factory=lambda: np.zeros((HORIZON, 3)))
    """f(k, month of quarter − 1)."""

    def fit(self, history: History, *, seed: int = 0) -> RunRateModel:
        cutoff = self.cutoff
        wins = _wins(history, cutoff)
        c_month = month_index(cutoff)
        first_month = month_index(history.start) + (0 if history.start.day == 1 else 1)
        won_day = _days(wins["won_on"])
        created = _days(wins["created_on"])
        amount = wins["amount_plan_minor"].to_numpy().astype(np.float64)
        won_month = _months_of(won_day)
        span = max(0, c_month - first_month)
        keep = (won_month >= first_month) & (won_month < c_month)
        bookings = np.bincount(won_month[keep] - first_month, weights=amount[keep], minlength=span)[
            :span
        ]
        self.history_minor = [round(v) for v in bookings]
        if span == 0:
            return self
        self._fit_shares(won_day, created, amount, won_month, bookings, first_month, history)
        self._fit_level(bookings, seed)
        return self

    def _fit_shares(
        self,
        won_day: np.ndarray,
        created: np.ndarray,
        amount: np.ndarray,
        won_month: np.ndarray,
        bookings: np.ndarray,
        first_month: int,
        history: History,
    ) -> None:
        c_month = month_index(self.cutoff)
        new = np.zeros((HORIZON, 3))
        base = np.zeros((HORIZON, 3))
        count = np.zeros((HORIZON, 3))
        for j in range(1, MAX_SHIFTS + 1):
            c_j = month_shift(self.cutoff, -j)
            if c_j < history.start:
                break
            start_month = c_month - j
            ks = np.arange(0, min(j, HORIZON))  # month start_month + k < c_month
            months = start_month + ks
            valid = months >= first_month
            ks, months = ks[valid], months[valid]
            q = (months % 3).astype(np.int64)
            base[ks, q] += bookings[months - first_month]
            count[ks, q] += 1
            mask = (created >= _day(c_j)) & (won_day >= _day(c_j)) & (won_month < c_month)
            k = won_month[mask] - start_month
            inside = (k >= 0) & (k < HORIZON)
            k = k[inside]
            np.add.at(
                new, (k, (won_month[mask][inside] % 3).astype(np.int64)), amount[mask][inside]
            )
        pooled = np.divide(new.sum(1), base.sum(1), out=np.zeros(HORIZON), where=base.sum(1) > 0)
        cell = np.divide(new, base, out=np.zeros_like(new), where=base > 0)
        shares = np.where(count >= MIN_CELL, cell, pooled[:, None])
        # Horizons no past cutoff reached: the longest share measured (business created later).
        seen = np.flatnonzero(count.sum(1) > 0)
        if seen.size:
            last = int(seen.max())
            shares[last + 1 :] = shares[last]
        self.shares = np.clip(shares, 0.0, 1.0)

    def _fit_level(self, y: np.ndarray, seed: int) -> None:
        fitted = _ets(y, seed) if len(y) >= 8 and float(y.std()) > 0 else None
        if fitted is not None:
            self.mean, self.paths = fitted
            self.method = "ets"
            return
        level = float(y[-3:].mean())
        sd = float(y.std()) if len(y) > 1 else 0.0
        rng = np.random.default_rng(seed)
        self.mean = np.full(HORIZON, level)
        self.paths = level + sd * rng.standard_normal((HORIZON, SIM_PATHS))
        self.method = "mean3"

    def months(self, start: dt.date, end: dt.date) -> list[int]:
        """Run-rate of each month of [start, end) (months before the cutoff's month: 0)."""
        first, last = month_index(start), month_index(end - dt.timedelta(days=1))
        c_month = month_index(self.cutoff)
        result = []
        for m in range(first, last + 1):
            k = min(m - c_month, HORIZON - 1)
            if k < 0 or self.method == "none":
                result.append(0)
                continue
            result.append(round(self.shares[k, m % 3] * max(float(self.mean[k]), 0.0)))
        return result

    def period(self, start: dt.date, end: dt.date) -> RunRate:
        """The run-rate of [start, end): Σ of its months, sd over the simulated paths."""
        months = self.months(start, end)
        if self.method == "none":
            return RunRate(0, 0.0, "none", self.history_minor, months)
        first, last = month_index(start), month_index(end - dt.timedelta(days=1))
        c_month = month_index(self.cutoff)
        total = np.zeros(self.paths.shape[1])
        for m in range(max(first, c_month), last + 1):
            k = min(m - c_month, HORIZON - 1)
            total += self.shares[k, m % 3] * np.maximum(self.paths[k], 0.0)
        sd = float(total.std()) if total.size else 0.0
        return RunRate(sum(months), sd, self.method, self.history_minor, months)


def fit_runrate(history: History, cutoff: dt.date, *, seed: int = 0) -> RunRateModel:
    return RunRateModel(cutoff).fit(history, seed=seed)


def forecast_runrate(history: History, cutoff: dt.date, start: dt.date, end: dt.date) -> RunRate:
    """The run-rate for [start, end) as seen at `cutoff`."""
    return fit_runrate(history, cutoff).period(start, end)


def _ets(y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Mean and simulated paths (HORIZON × SIM_PATHS) of the monthly bookings."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # type: ignore[import-untyped]

    season = 12 if len(y) >= 26 else 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = ExponentialSmoothing(
                y,
                trend="add",
                damped_trend=True,
                seasonal="add",
                seasonal_periods=season,
                initialization_method="estimated",
            ).fit()
            mean = np.asarray(model.forecast(HORIZON), dtype=np.float64)
            paths = np.asarray(
                model.simulate(HORIZON, repetitions=SIM_PATHS, error="add", random_state=seed),
                dtype=np.float64,
            ).reshape(HORIZON, SIM_PATHS)
        except (ValueError, np.linalg.LinAlgError):
            return None
    if not np.all(np.isfinite(mean)) or not np.all(np.isfinite(paths)) or math.isnan(mean[0]):
        return None
    return mean, paths
