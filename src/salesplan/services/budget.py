"""The plan's budget checked against the targets, the forecast and the team's cost."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from salesplan.config import Settings
from salesplan.i18n.money import currency_exponent
from salesplan.planning.budget import BudgetCheck, BudgetLine, check_budget, team_cost_in_year
from salesplan.services.baseline import team_in_plan_currency
from salesplan.services.forecast import compute_forecast
from salesplan.services.plan_store import stored_plan
from salesplan.services.store import open_store
from salesplan.services.targets import TargetsReport
from salesplan.storage import frames

FORECAST_METHOD = "calibrated"
"""A fixed method: the budget check must not pay for a backtest to choose one."""


@dataclass(frozen=True, slots=True)
class BudgetReport:
    year: int
    lines: list[BudgetLine]
    team_cost_minor: int
    expected_new_customers: int
    forecast_p50_minor: int | None
    check: BudgetCheck


def compute_budget(settings: Settings, targets: TargetsReport) -> BudgetReport | None:
    """The stored plan's budget lines checked for `targets`' year; None without a budget."""
    stored = stored_plan(settings)
    if stored is None or not stored[1].budget:
        return None
    plan = stored[1]
    exponent = currency_exponent(settings.currency)
    lines = [
        BudgetLine(line.category, line.description or line.id, int(line.amount.scaleb(exponent)))
        for line in plan.budget
    ]
    year = targets.inputs.year
    engine = open_store(settings)  # only the team and the rates: not every frame
    try:
        team, rates = frames.read_team(engine), frames.read_fx_rates(engine)
    finally:
        engine.dispose()
    team = team_in_plan_currency(team, rates, settings.currency, targets.as_of)
    cost = team.select(
        "start_date", "end_date", pl.col("cost_plan_minor").alias("annual_cost_minor")
    )
    forecast = compute_forecast(settings, str(year), FORECAST_METHOD)
    p50 = forecast.forecast.range.p50_minor
    new_customers = targets.funnel.won if targets.funnel is not None else 0
    team_cost = team_cost_in_year(cost, year)
    check = check_budget(
        lines,
        target_minor=targets.target_minor,
        forecast_p50_minor=p50,
        team_cost_minor=team_cost,
        expected_new_customers=new_customers,
        has_promotions=bool(plan.pricing.promotions),
    )
    return BudgetReport(year, lines, team_cost, new_customers, p50, check)
