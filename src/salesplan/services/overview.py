"""What a workspace holds: record counts, closed deals and bookings per year, open pipeline."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from sqlalchemy import Engine

from salesplan.analytics.currency import MissingRateError, to_plan_currency
from salesplan.analytics.overview import open_pipeline, yearly_overview
from salesplan.config import Settings
from salesplan.domain.records import RecordKind
from salesplan.errors import DataError
from salesplan.i18n.money import currency_exponent
from salesplan.services.store import open_store
from salesplan.storage import frames, records


@dataclass(frozen=True, slots=True)
class YearRow:
    year: int
    won: int
    lost: int
    win_rate: float | None
    bookings_minor: int


@dataclass(frozen=True, slots=True)
class Overview:
    currency: str
    counts: dict[str, int]
    years: list[YearRow]
    open_deals: int
    open_pipeline_minor: int


def plan_currency_opportunities(engine: Engine, plan_currency: str) -> pl.DataFrame:
    """Stored opportunities with `amount_plan_minor` and `cost_plan_minor` (null where the
    deal has no cost) in the plan currency, both at the deal's close-date rate."""
    opportunities = frames.read_opportunities(engine)
    rates = frames.read_fx_rates(engine)
    codes = set(opportunities["currency"].drop_nulls().unique().to_list()) | {plan_currency}
    exponents = {code: currency_exponent(code) for code in codes}
    try:
        converted = to_plan_currency(
            opportunities, rates, plan_currency, exponents, on="close_date"
        )
        return _with_plan_cost(converted, rates, plan_currency, exponents)
    except MissingRateError as exc:
        raise DataError(
            "No exchange rate to {plan} for {currencies}: import a rates file "
            "(`salesplan import rates FILE`).",
            plan=plan_currency,
            currencies=", ".join(exc.currencies),
        ) from exc


def _with_plan_cost(
    opportunities: pl.DataFrame,
    rates: pl.DataFrame,
    plan_currency: str,
    exponents: dict[str, int],
) -> pl.DataFrame:
    """Add `cost_plan_minor`: `cost_minor` converted exactly as `amount_minor` was (same rate,
    half-even on the minor unit). Only the rows with a cost are converted (usually won deals,
    often none), and a missing close date takes the whole frame's earliest one, as for amounts."""
    out = "cost_plan_minor"
    costed = opportunities["cost_minor"].is_not_null()
    if not costed.any():
        return opportunities.with_columns(pl.lit(None, pl.Int64).alias(out))
    lean = opportunities.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
        "cost_minor",
        "currency",
        pl.col("close_date").fill_null(pl.col("close_date").min()).alias("on"),
    ).filter(costed)
    lean = to_plan_currency(
        lean, rates, plan_currency, exponents, amount="cost_minor", on="on", out=out
    )
    column = pl.Series(out, [None] * opportunities.height, pl.Int64).scatter(lean["row"], lean[out])
    return opportunities.with_columns(column)


def workspace_overview(settings: Settings) -> Overview:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            counts = {kind.value: records.count_rows(connection, kind) for kind in RecordKind}
        opportunities = plan_currency_opportunities(engine, settings.currency)
    finally:
        engine.dispose()
    years = [
        YearRow(r["year"], r["won"], r["lost"], r["win_rate"], r["bookings_minor"])
        for r in yearly_overview(opportunities).iter_rows(named=True)
    ]
    count, amount = open_pipeline(opportunities)
    return Overview(settings.currency, counts, years, count, amount)
