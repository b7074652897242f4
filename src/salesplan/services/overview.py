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
    """Stored opportunities with `amount_plan_minor` in the plan currency (at close-date rates)."""
    opportunities = frames.read_opportunities(engine)
    rates = frames.read_fx_rates(engine)
    codes = set(opportunities["currency"].drop_nulls().unique().to_list()) | {plan_currency}
    exponents = {code: currency_exponent(code) for code in codes}
    try:
        return to_plan_currency(opportunities, rates, plan_currency, exponents, on="close_date")
    except MissingRateError as exc:
        raise DataError(
            "No exchange rate to {plan} for {currencies}: import a rates file "
            "(`salesplan import rates FILE`).",
            plan=plan_currency,
            currencies=", ".join(exc.currencies),
        ) from exc


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
