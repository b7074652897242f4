"""`salesplan baseline`: the honest baseline of a period, with last year's for comparison."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.baseline import ALLOWED_DIMENSIONS, GroupBaseline, baseline_groups
from salesplan.analytics.funnel import StageConversion, stage_conversion
from salesplan.analytics.seasonality import Seasonality, monthly_index
from salesplan.config import Settings
from salesplan.domain.periods import Period, PeriodError, parse_period
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.errors import ConfigError, DataError
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.store import open_store
from salesplan.storage import frames, records

DIMENSION_ALIASES = {"owner": "owner_id", "rep": "owner_id"}


@dataclass(frozen=True, slots=True)
class BaselineReport:
    period: Period
    as_of: dt.date
    currency: str
    by: list[str]
    overall: GroupBaseline
    previous_year: GroupBaseline
    groups: list[GroupBaseline]
    stages: list[StageConversion]
    seasonality: Seasonality


def parse_dimensions(text: str | None) -> list[str]:
    if not text:
        return []
    result = []
    for raw in text.split(","):
        name = DIMENSION_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if name not in ALLOWED_DIMENSIONS:
            raise ConfigError(
                "Unknown dimension {value} for {option}; use any of: {choices}.",
                value=raw.strip(),
                option="--by",
                choices="segment, region, owner, industry, source, product, type",
            )
        if name not in result:
            result.append(name)
    return result


def resolve_period(text: str | None, as_of: dt.date) -> Period:
    try:
        return parse_period(text or "last-12m", as_of)
    except PeriodError:
        raise ConfigError(
            "Unknown period {value}; write it as 2026, 2026Q1, 2026-03 or last-12m.",
            value=text,
        ) from None


def data_as_of(opportunities: pl.DataFrame) -> dt.date:
    """The latest date the data knows about (the last created or closed deal)."""
    dates = [opportunities["created_on"].max(), opportunities["closed_on"].max()]
    known = [d for d in dates if isinstance(d, dt.date)]
    return max(known) if known else dt.date.today()


def compute_baseline(
    settings: Settings, *, period: str | None = None, by: Sequence[str] = ()
) -> BaselineReport:
    engine = open_store(settings)
    try:
        opportunities = plan_currency_opportunities(engine, settings.currency)
        events = frames.read_stage_events(engine)
        with engine.connect() as connection:
            stages = records.read_stages(connection) or DEFAULT_STAGES
    finally:
        engine.dispose()
    if opportunities.height == 0:
        raise DataError(
            "Nothing to show: the workspace has no opportunities yet. "
            "Run `salesplan demo` or import a CRM export."
        )
    as_of = data_as_of(opportunities)
    chosen = resolve_period(period, as_of)
    last_year = chosen.previous_year()
    overall = baseline_groups(opportunities, chosen.start, chosen.end)[0]
    previous = baseline_groups(opportunities, last_year.start, last_year.end)[0]
    groups = baseline_groups(opportunities, chosen.start, chosen.end, list(by)) if by else []
    conversions = stage_conversion(events, stages, chosen.start, chosen.end)
    won = opportunities.filter(pl.col("status") == "won")
    return BaselineReport(
        period=chosen,
        as_of=as_of,
        currency=settings.currency,
        by=list(by),
        overall=overall,
        previous_year=previous,
        groups=groups,
        stages=conversions,
        seasonality=monthly_index(won),
    )
