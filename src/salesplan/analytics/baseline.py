"""The baseline from history: win rates, deal size, sales cycle, pipeline created, per group.

Definitions (docs/methods.md): among deals *closed* in the period (closed_on in [start, end)),
win rate by count = won ÷ (won + lost); by value = won amount ÷ closed amount. Deal size =
mean and median of won amounts (plan-currency minor units). Cycle = days from created_on to
closed_on of won deals (median, p75, p90). Pipeline created = deals and amount created in
the period. Inputs need `amount_plan_minor` (analytics.currency).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from salesplan.analytics.rates import Rate, prior_strength, rate, shrink

ALLOWED_DIMENSIONS = ("segment", "region", "owner_id", "industry", "source", "product", "type")


@dataclass(frozen=True, slots=True)
class GroupBaseline:
    """Every baseline figure for one group (all deals when `group` is empty)."""

    group: dict[str, str | None]
    win_rate: Rate
    win_rate_shrunk: float | None
    win_rate_value: float | None
    won: int
    lost: int
    bookings_minor: int
    avg_deal_minor: int | None
    median_deal_minor: int | None
    cycle_median_days: float | None
    cycle_p75_days: float | None
    cycle_p90_days: float | None
    created: int
    created_minor: int


def mean_minor(total: int, n: int) -> int | None:
    """total ÷ n rounded half-even to a whole minor unit; None when n = 0."""
    if n == 0:
        return None
    return int((Decimal(total) / Decimal(n)).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def closed_in(opportunities: pl.DataFrame, start: dt.date, end: dt.date) -> pl.DataFrame:
    return opportunities.filter(
        pl.col("status").is_in(["won", "lost"])
        & (pl.col("closed_on") >= start)
        & (pl.col("closed_on") < end)
    )


def _closed_aggregates(closed: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    won = pl.col("status") == "won"
    won_amount = pl.col("amount_plan_minor").filter(won).sort()
    n_won = won.sum()
    cycle = (pl.col("closed_on") - pl.col("created_on")).dt.total_days().filter(won)
    aggregations = [
        n_won.cast(pl.Int64).alias("won"),
        pl.len().cast(pl.Int64).alias("closed"),
        pl.col("amount_plan_minor").filter(won).sum().cast(pl.Int64).alias("bookings"),
        pl.col("amount_plan_minor").sum().cast(pl.Int64).alias("closed_value"),
        # The two middle won amounts, so the median stays exact in integer minor units.
        won_amount.get(((n_won - 1) // 2).clip(0), null_on_oob=True).alias("mid_low"),
        won_amount.get((n_won // 2).clip(0), null_on_oob=True).alias("mid_high"),
        cycle.quantile(0.5, interpolation="linear").alias("cycle_p50"),
        cycle.quantile(0.75, interpolation="linear").alias("cycle_p75"),
        cycle.quantile(0.9, interpolation="linear").alias("cycle_p90"),
    ]
    if keys:
        return closed.group_by(keys).agg(aggregations)
    return closed.select(aggregations)


def _created_aggregates(created: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    aggregations = [
        pl.len().cast(pl.Int64).alias("created"),
        pl.col("amount_plan_minor").sum().cast(pl.Int64).alias("created_minor"),
    ]
    if keys:
        return created.group_by(keys).agg(aggregations)
    return created.select(aggregations)


def baseline_groups(
    opportunities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    by: Sequence[str] = (),
) -> list[GroupBaseline]:
    """The baseline for [start, end) overall (by=()) or per combination of `by` columns.

    Win rates of groups are also shrunk toward the pooled rate of the period (see rates.py).
    """
    keys = list(by)
    # Only the columns used, before filtering: a filter copies every column it keeps.
    needed = [*keys, "status", "created_on", "closed_on", "amount_plan_minor"]
    frame = opportunities.lazy().select(needed)
    closed = frame.filter(
        pl.col("status").is_in(["won", "lost"])
        & (pl.col("closed_on") >= start)
        & (pl.col("closed_on") < end)
    )
    created = frame.filter((pl.col("created_on") >= start) & (pl.col("created_on") < end))
    closed_agg, created_agg = pl.collect_all(
        [_closed_aggregates(closed, keys), _created_aggregates(created, keys)]
    )
    if keys:
        table = closed_agg.join(created_agg, on=keys, how="full", coalesce=True, nulls_equal=True)
        table = table.sort(keys, nulls_last=True)
    else:
        table = pl.concat([closed_agg, created_agg], how="horizontal")
    table = table.with_columns(
        pl.col("won", "closed", "bookings", "closed_value", "created", "created_minor").fill_null(0)
    )
    won_counts = table["won"].to_list()
    closed_counts = table["closed"].to_list()
    pooled_n = sum(closed_counts)
    pooled = sum(won_counts) / pooled_n if pooled_n else None
    strength = prior_strength(won_counts, closed_counts)

    results = []
    for row in table.iter_rows(named=True):
        won_n, n = int(row["won"]), int(row["closed"])
        bookings, closed_value = int(row["bookings"]), int(row["closed_value"])
        median = None
        if won_n and row["mid_low"] is not None and row["mid_high"] is not None:
            median = mean_minor(int(row["mid_low"]) + int(row["mid_high"]), 2)
        results.append(
            GroupBaseline(
                group={key: row[key] for key in keys},
                win_rate=rate(won_n, n),
                win_rate_shrunk=(
                    shrink(won_n, n, pooled, strength) if keys and pooled is not None else None
                ),
                win_rate_value=bookings / closed_value if closed_value > 0 else None,
                won=won_n,
                lost=n - won_n,
                bookings_minor=bookings,
                avg_deal_minor=mean_minor(bookings, won_n),
                median_deal_minor=median,
                cycle_median_days=row["cycle_p50"] if won_n else None,
                cycle_p75_days=row["cycle_p75"] if won_n else None,
                cycle_p90_days=row["cycle_p90"] if won_n else None,
                created=int(row["created"]),
                created_minor=int(row["created_minor"]),
            )
        )
    return results
