"""A first look at a workspace: deals closed per year, win rate by count, bookings.

Win rate here is won ÷ (won + lost) by count among deals closed in the year; bookings are
the won amounts in plan-currency minor units, summed exactly as integers.
"""

from __future__ import annotations

import polars as pl


def yearly_overview(opportunities: pl.DataFrame) -> pl.DataFrame:
    """One row per close year: won, lost, win_rate (0-1 or null), bookings_minor.

    `opportunities` needs status, closed_on and amount_plan_minor (see analytics.currency).
    """
    closed = opportunities.filter(
        pl.col("status").is_in(["won", "lost"]) & pl.col("closed_on").is_not_null()
    )
    won = pl.col("status") == "won"
    return (
        closed.group_by(pl.col("closed_on").dt.year().alias("year"))
        .agg(
            won.sum().cast(pl.Int64).alias("won"),
            (~won).sum().cast(pl.Int64).alias("lost"),
            pl.col("amount_plan_minor").filter(won).sum().cast(pl.Int64).alias("bookings_minor"),
        )
        .with_columns((pl.col("won") / (pl.col("won") + pl.col("lost"))).alias("win_rate"))
        .select("year", "won", "lost", "win_rate", "bookings_minor")
        .sort("year")
    )


def open_pipeline(opportunities: pl.DataFrame) -> tuple[int, int]:
    """(number of open deals, their total amount in plan-currency minor units)."""
    open_deals = opportunities.filter(pl.col("status") == "open")
    total = open_deals["amount_plan_minor"].sum() if open_deals.height else 0
    return open_deals.height, int(total or 0)
