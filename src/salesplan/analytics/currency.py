"""Exact conversion of minor-unit amounts to the plan currency.

amount_plan_minor = round_half_even(amount_minor × rate × 10^(e_plan − e_source)), where
`rate` is plan-currency units per source-currency unit valid on the row's date (the latest
rate on or before it; the earliest known rate for dates before any rate) and e is each
currency's number of minor-unit digits. Computed with Polars decimals, never floats.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import polars as pl

RATE_SCALE = 12
_WIDE = pl.Decimal(38, 0)


class MissingRateError(ValueError):
    """Some rows are in a currency the rates table does not cover."""

    def __init__(self, currencies: list[str]) -> None:
        super().__init__(", ".join(currencies))
        self.currencies = currencies


def to_plan_currency(
    frame: pl.DataFrame,
    rates: pl.DataFrame,
    plan_currency: str,
    exponents: Mapping[str, int],
    *,
    amount: str = "amount_minor",
    currency: str = "currency",
    on: str,
    out: str = "amount_plan_minor",
) -> pl.DataFrame:
    """Add `out`: `amount` converted to `plan_currency` minor units at the rate valid on `on`.

    `rates` has the canonical fx_rate columns (currency, valid_from, rate as decimal text).
    Raises MissingRateError naming currencies with no rate at all.
    """
    if frame.height == 0:
        return frame.with_columns(pl.lit(None, pl.Int64).alias(out))
    needed = set(frame[currency].drop_nulls().unique().to_list()) - {plan_currency}
    known = set(rates["currency"].unique().to_list()) if rates.height else set()
    missing = sorted(needed - known)
    if missing:
        raise MissingRateError(missing)

    plan_exp = exponents.get(plan_currency, 2)
    minor_rate = pl.Decimal(38, RATE_SCALE)
    table = pl.DataFrame(
        {
            "_cur": rates["currency"],
            "_from": rates["valid_from"],
            # Fold the minor-unit shift into the rate: minor units in, minor units out.
            "_rate": [
                Decimal(text).scaleb(plan_exp - exponents.get(code, 2))
                for code, text in zip(rates["currency"], rates["rate"], strict=True)
            ],
        },
        schema={"_cur": pl.String, "_from": pl.Date, "_rate": minor_rate},
    ).filter(pl.col("_cur") != plan_currency)
    table = table.sort("_cur", "_from")
    indexed = frame.with_row_index("_row").with_columns(
        pl.col(on).fill_null(pl.col(on).min()).alias("_on")
    )
    joined = indexed.sort("_on")
    for strategy in ("backward", "forward"):
        joined = joined.join_asof(
            table,
            left_on="_on",
            right_on="_from",
            by_left=currency,
            by_right="_cur",
            strategy=strategy,
            check_sortedness=False,
            suffix=f"_{strategy}",
        )
    rate = pl.coalesce(
        pl.when(pl.col(currency) == plan_currency).then(pl.lit(Decimal(1), minor_rate)),
        pl.col("_rate"),
        pl.col("_rate_forward"),
    )
    converted = (pl.col(amount).cast(_WIDE) * rate).round(0).cast(pl.Int64)
    result = joined.with_columns(converted.alias(out)).sort("_row")
    return result.drop([c for c in result.columns if c.startswith("_")])
