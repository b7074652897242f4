"""A monthly seasonality index of bookings, for splitting annual targets into months.

With at least two complete calendar years of won bookings: for each complete year y, the
share of month m is b(y, m) ÷ b(y); the index is 12 × the mean share over years, so the
twelve values average exactly 1. With one complete year, that year's index is shrunk halfway
toward a flat 1.0 (one year cannot tell seasonality from noise). With none, the index is flat
and `method` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True, slots=True)
class Seasonality:
    index: tuple[float, ...]
    """Twelve values, January first, averaging 1.0."""
    years: tuple[int, ...]
    method: str
    """`mean-share` (≥ 2 years), `one-year-shrunk` or `flat`."""


def monthly_index(won: pl.DataFrame) -> Seasonality:
    """Index from won deals (`closed_on`, `amount_plan_minor`) over complete calendar years.

    A year counts as complete when the data has won deals closing in both January and
    December of it (a cheap guard against partial first and last years).
    """
    monthly = (
        won.filter(pl.col("closed_on").is_not_null())
        .group_by(
            pl.col("closed_on").dt.year().alias("year"),
            pl.col("closed_on").dt.month().alias("month"),
        )
        .agg(pl.col("amount_plan_minor").sum().cast(pl.Float64).alias("amount"))
    )
    complete = (
        monthly.group_by("year")
        .agg(pl.col("month").n_unique().alias("months"), pl.col("amount").sum().alias("total"))
        .filter((pl.col("months") == 12) & (pl.col("total") > 0))
        .sort("year")
    )
    years = tuple(int(y) for y in complete["year"].to_list())
    if not years:
        return Seasonality(tuple([1.0] * 12), (), "flat")
    shares = (
        monthly.join(complete.select("year", "total"), on="year")
        .with_columns((pl.col("amount") / pl.col("total")).alias("share"))
        .group_by("month")
        .agg(pl.col("share").sum().alias("share_sum"))
    )
    by_month = dict(zip(shares["month"].to_list(), shares["share_sum"].to_list(), strict=True))
    index = [12 * by_month.get(m, 0.0) / len(years) for m in range(1, 13)]
    if len(years) == 1:
        index = [0.5 * value + 0.5 for value in index]
        return Seasonality(tuple(index), years, "one-year-shrunk")
    return Seasonality(tuple(index), years, "mean-share")
