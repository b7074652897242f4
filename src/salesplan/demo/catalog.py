"""Products and exchange rates: the company's price list and the monthly CNY rates table.

Rates are "CNY per one unit of currency", valid from the first of each month, rounded to four
decimals; the generator converts deal amounts with exactly the rounded values it writes, so
analytics converting back with the rates frame recover the CNY amounts up to unit rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from salesplan.demo.params import DemoParams
from salesplan.demo.timeline import FloatArray, IntArray, Timeline, date_series, month_index
from salesplan.domain.records import RecordKind, conform


def products_frame(params: DemoParams) -> pl.DataFrame:
    """The price list; list prices in CNY minor units (fen)."""
    frame = pl.DataFrame(
        {
            "id": [p.id for p in params.products],
            "name": [p.name for p in params.products],
            "family": [p.family for p in params.products],
            "list_price_minor": [p.list_price_cny * 100 for p in params.products],
            "currency": [params.plan_currency] * len(params.products),
        }
    )
    return conform(RecordKind.PRODUCT, frame)


@dataclass(frozen=True, slots=True)
class FxTable:
    """Monthly rates: `rates[c, m]` = CNY per unit of `currencies[c]` in month first_month + m."""

    currencies: tuple[str, ...]
    first_month: int
    rates: FloatArray
    month_days: IntArray

    def index(self, currency: str) -> int:
        return self.currencies.index(currency)

    def rate(self, currency_idx: IntArray, days: IntArray | FloatArray) -> FloatArray:
        """CNY per unit for each (currency, day) pair; days before history use the first month."""
        m = np.clip(month_index(days) - self.first_month, 0, self.rates.shape[1] - 1)
        return np.asarray(self.rates[currency_idx, m], dtype=np.float64)

    def frame(self) -> pl.DataFrame:
        n_months = self.rates.shape[1]
        cur = np.repeat(np.arange(len(self.currencies)), n_months)
        days = np.tile(self.month_days, len(self.currencies))
        values = self.rates.reshape(-1)
        text = [f"{v:.4f}".rstrip("0").rstrip(".") for v in values.tolist()]
        frame = pl.DataFrame(
            {
                "currency": pl.Series(list(self.currencies)).gather(cur),
                "valid_from": date_series("valid_from", days),
                "rate": text,
            }
        )
        return conform(RecordKind.FX_RATE, frame)


def fx_table(params: DemoParams, timeline: Timeline, rng: np.random.Generator) -> FxTable:
    """A deterministic random walk around `params.fx_base`; the plan currency is always 1."""
    month_days = timeline.month_starts()
    n = len(month_days)
    currencies = (params.plan_currency, *(c for c, _ in params.fx_base))
    rates = np.ones((len(currencies), n))
    for i, (_, base) in enumerate(params.fx_base, start=1):
        steps = rng.normal(0.0, params.fx_monthly_sigma, n)
        steps[0] = 0.0
        rates[i] = np.round(base * np.exp(np.cumsum(steps)), 4)
    first = int(month_index(month_days[:1])[0])
    return FxTable(currencies, first, rates, month_days)
