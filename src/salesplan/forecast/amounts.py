"""Missing amounts of open deals: imputed, never dropped, always flagged.

Order: the product's list price (plan currency), else the median amount of the segment's
deals known at the cutoff (last amount recorded before the cutoff, positive only), else the
median of all of them. `amount_imputed` says which (`list_price`, `segment_median`,
`overall_median`) and is null for amounts the CRM had. Zero counts as missing for open deals.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from salesplan.forecast.history import History, last_before


def _median_minor(values: pl.Series) -> int | None:
    if values.len() == 0:
        return None
    ordered = values.sort()
    n = ordered.len()
    low, high = int(ordered[(n - 1) // 2]), int(ordered[n // 2])
    return int((Decimal(low + high) / 2).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _known_amounts(history: History, cutoff: dt.date) -> pl.DataFrame:
    """segment and amount_plan_minor of each known deal's last event before `cutoff`,
    positive amounts only.

    Only the columns read, never a copy of every event (at a million deals that copy, once
    per backtest cutoff, was the backtest's peak memory); the segment by the deal's row
    (History.deal_rows), not a join on the id strings."""
    if history.in_order:
        last = last_before(history, cutoff)
        rows = history.deal_rows.filter(last)
        amount = history.events["amount_plan_minor"].filter(last)
        known = rows.is_not_null() & (amount > 0)
        segment = history.opportunities["segment"].gather(rows.filter(known))
        return pl.DataFrame([segment, amount.filter(known)])
    before = pl.col("entered_at") < dt.datetime(cutoff.year, cutoff.month, cutoff.day)
    ev = history.events.select("opportunity_id", "entered_at", "amount_plan_minor")
    return (
        ev.filter(before)
        .group_by("opportunity_id")
        .agg(pl.col("amount_plan_minor").last())
        .filter(pl.col("amount_plan_minor") > 0)
        .join(
            history.opportunities.select(pl.col("id").alias("opportunity_id"), "segment"),
            on="opportunity_id",
        )
        .select("segment", "amount_plan_minor")
    )


def impute_amounts(deals: pl.DataFrame, history: History, cutoff: dt.date) -> pl.DataFrame:
    """`deals` with missing/zero `amount_plan_minor` filled and `amount_imputed` set."""
    known = _known_amounts(history, cutoff)
    overall = _median_minor(known["amount_plan_minor"])
    medians = {
        segment: _median_minor(group["amount_plan_minor"])
        for (segment,), group in known.group_by("segment")
    }
    prices = history.list_prices
    missing = pl.col("amount_plan_minor").is_null() | (pl.col("amount_plan_minor") <= 0)
    price = pl.col("product").replace_strict(prices, default=None, return_dtype=pl.Int64)
    seg = pl.col("segment").replace_strict(medians, default=None, return_dtype=pl.Int64)
    filled = pl.coalesce(price, seg, pl.lit(overall, pl.Int64))
    how = (
        pl.when(price.is_not_null())
        .then(pl.lit("list_price"))
        .when(seg.is_not_null())
        .then(pl.lit("segment_median"))
        .when(pl.lit(overall).is_not_null())
        .then(pl.lit("overall_median"))
    )
    return deals.with_columns(
        pl.when(missing).then(how).otherwise(None).alias("amount_imputed"),
        pl.when(missing)
        .then(filled)
        .otherwise(pl.col("amount_plan_minor"))
        .alias("amount_plan_minor"),
    )
