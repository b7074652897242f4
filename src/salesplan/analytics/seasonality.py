"""A monthly seasonality index of bookings, for splitting annual targets into months.

Method, in order of preference:

1. `ratio-to-moving-average` (≥ 24 whole months of history): the classical multiplicative
   decomposition. Monthly bookings x(t) are divided by their centred 2×12 moving average
   CMA(t) = (½x(t−6) + x(t−5) + … + x(t+5) + ½x(t+6)) / 12, which removes trend and growth;
   index(m) = mean of x(t)/CMA(t) over the months t of calendar month m, rescaled so the
   twelve values average exactly 1. Without detrending, a team growing 40% a year would
   read its own growth as "December is strong".
2. `mean-share` (≥ 1 complete calendar year but < 24 whole months): 12 × the mean share of
   each month in its year; with a single year it is shrunk halfway toward 1
   (`one-year-shrunk`), since one year cannot tell seasonality from noise.
3. `flat`: every month 1.0.

Robustness: each won amount is capped at the 90th percentile of won amounts before summing
(winsorising), so one exceptional deal does not make its month look seasonal. The first and
last month of the data are dropped as probably partial (CRM adoption, the current month).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

WINSOR_QUANTILE = 0.9
MIN_MONTHS_FOR_DECOMPOSITION = 24


@dataclass(frozen=True, slots=True)
class Seasonality:
    index: tuple[float, ...]
    """Twelve values, January first, averaging 1.0."""
    years: tuple[int, ...]
    method: str
    """`ratio-to-moving-average`, `mean-share`, `one-year-shrunk` or `flat`."""


def monthly_index(won: pl.DataFrame) -> Seasonality:
    """Index from won deals (`closed_on`, `amount_plan_minor`); see the module docstring."""
    series = _monthly_series(won)
    if series.height >= MIN_MONTHS_FOR_DECOMPOSITION:
        decomposed = _ratio_to_moving_average(series)
        if decomposed is not None:
            return decomposed
    return _mean_share(series)


def _monthly_series(won: pl.DataFrame) -> pl.DataFrame:
    """Whole months between the first and last month of data (both dropped), zeros filled."""
    deals = won.filter(
        pl.col("closed_on").is_not_null() & pl.col("amount_plan_minor").is_not_null()
    )
    if deals.height == 0:
        return pl.DataFrame(schema={"month_start": pl.Date, "amount": pl.Float64})
    cap = deals["amount_plan_minor"].cast(pl.Float64).quantile(WINSOR_QUANTILE, "linear")
    amounts = pl.col("amount_plan_minor").cast(pl.Float64)
    monthly = (
        deals.with_columns(pl.col("closed_on").dt.truncate("1mo").alias("month_start"))
        .group_by("month_start")
        .agg(amounts.clip(upper_bound=cap).sum().alias("amount"))
    )
    first, last = monthly["month_start"].min(), monthly["month_start"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)
    months = pl.Series("month_start", pl.date_range(first, last, interval="1mo", eager=True))
    full = months.to_frame().join(monthly, on="month_start", how="left").fill_null(0.0)
    return full.slice(1, max(0, full.height - 2))


def _ratio_to_moving_average(series: pl.DataFrame) -> Seasonality | None:
    values = series["amount"].to_list()
    ratios: dict[int, list[float]] = {m: [] for m in range(1, 13)}
    starts = series["month_start"].to_list()
    for t in range(6, len(values) - 6):
        window = values[t - 6 : t + 7]
        cma = (0.5 * window[0] + sum(window[1:12]) + 0.5 * window[12]) / 12
        if cma > 0:
            ratios[starts[t].month].append(values[t] / cma)
    if any(not r for r in ratios.values()):
        return None
    raw = [sum(r) / len(r) for _, r in sorted(ratios.items())]
    scale = 12 / sum(raw) if sum(raw) > 0 else 0.0
    if scale == 0.0:
        return None
    years = tuple(sorted({d.year for d in starts}))
    return Seasonality(tuple(v * scale for v in raw), years, "ratio-to-moving-average")


def _mean_share(series: pl.DataFrame) -> Seasonality:
    if series.height == 0:
        return Seasonality(tuple([1.0] * 12), (), "flat")
    frame = series.with_columns(
        pl.col("month_start").dt.year().alias("year"),
        pl.col("month_start").dt.month().alias("month"),
    )
    complete = (
        frame.group_by("year")
        .agg(pl.len().alias("months"), pl.col("amount").sum().alias("total"))
        .filter((pl.col("months") == 12) & (pl.col("total") > 0))
        .sort("year")
    )
    years = tuple(int(y) for y in complete["year"].to_list())
    if not years:
        return Seasonality(tuple([1.0] * 12), (), "flat")
    shares = (
        frame.join(complete.select("year", "total"), on="year")
        .with_columns((pl.col("amount") / pl.col("total")).alias("share"))
        .group_by("month")
        .agg(pl.col("share").sum().alias("share_sum"))
    )
    by_month = dict(zip(shares["month"].to_list(), shares["share_sum"].to_list(), strict=True))
    index = [12 * by_month.get(m, 0.0) / len(years) for m in range(1, 13)]
    if len(years) == 1:
        return Seasonality(tuple(0.5 * v + 0.5 for v in index), years, "one-year-shrunk")
    return Seasonality(tuple(index), years, "mean-share")
