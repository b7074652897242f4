"""Costs of won deals: what the CRM's `cost_minor` holds, with a planted margin per product.

A won deal of product p sold at discount d (its `discount_pct`, 0 when none) gets

    m ~ Normal(gross_margin_p, margin_sigma), clipped to [0, 0.98]
    cost_minor = round_half_even(amount_minor × (1 − m) ÷ (1 − d))

in the deal's own currency: the cost is a share of the list-price value (amount ÷ (1 − d)),
so a discount lowers the realised margin to 1 − (1 − m) ÷ (1 − d) while the cost stays put.
Open and lost deals, and won deals without an amount, have no cost.

The draw uses its own random stream (spawned from the seed after every other part), so every
other value of the dataset is unchanged by it.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from salesplan.demo.params import DemoParams

MAX_MARGIN = 0.98
"""Upper clip of a drawn margin (a deal always costs something)."""


def with_costs(
    params: DemoParams, opportunities: pl.DataFrame, rng: np.random.Generator
) -> pl.DataFrame:
    """`opportunities` (canonical frame) with `cost_minor` drawn for its won deals."""
    ids = [p.id for p in params.products]
    means = np.asarray([p.gross_margin for p in params.products], dtype=np.float64)
    won = opportunities.select(
        (pl.col("status") == "won") & pl.col("amount_minor").is_not_null()
    ).to_series()
    rows = np.flatnonzero(won.to_numpy())
    product = (
        opportunities["product"]
        .gather(rows)
        .replace_strict(ids, list(range(len(ids))), return_dtype=pl.Int64)
        .to_numpy()
    )
    amount = opportunities["amount_minor"].gather(rows).to_numpy().astype(np.float64)
    discount = opportunities["discount_pct"].gather(rows).fill_null(0.0).to_numpy()
    margin = np.clip(rng.normal(means[product], params.margin_sigma), 0.0, MAX_MARGIN)
    cost = np.rint(amount * (1.0 - margin) / (1.0 - discount)).astype(np.int64)
    column = pl.Series("cost_minor", [None] * opportunities.height, pl.Int64).scatter(rows, cost)
    return opportunities.with_columns(column)
