"""The plan's budget check in `salesplan targets`: JSON, table and warnings."""

from __future__ import annotations

from typing import Any

from salesplan.cli.output import Column, Kind, TableResult
from salesplan.i18n import N_, Translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.budget import BudgetReport

WARNING_MESSAGES = {
    "headcount_below_team_cost": N_(
        "The headcount budget {headcount} is below what the team costs this year ({team_cost})."
    ),
    "cost_of_sales_above_ceiling": N_(
        "Cost of sales {cost_of_sales} is above the ceiling of {ceiling}."
    ),
    "pays_back_only_at_target": N_(
        "The budget pays back at the target (ROI {roi_at_target}) but not at the forecast "
        "(ROI {roi_at_forecast})."
    ),
    "promotion_budget_without_promotions": N_(
        "The budget has {promotions} for promotions but the plan lists no promotion."
    ),
}


def budget_payload(report: BudgetReport, currency: str) -> dict[str, Any]:
    def money(minor: int | None) -> str | None:
        return None if minor is None else str(minor_to_decimal(minor, currency))

    check = report.check
    return {
        "year": report.year,
        "total": money(check.total_minor),
        "by_category": {k: money(v) for k, v in check.by_category.items()},
        "team_cost": money(report.team_cost_minor),
        "forecast_p50": money(report.forecast_p50_minor),
        "expected_new_customers": report.expected_new_customers,
        "cost_of_sales": check.cost_of_sales,
        "cac": money(check.cac_minor),
        "roi_at_forecast": check.roi_at_forecast,
        "roi_at_target": check.roi_at_target,
        "warnings": [w.code for w in check.warnings],
    }


def budget_table(report: BudgetReport) -> TableResult:
    check = report.check
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Budget total"), Kind.MONEY, check.total_minor),
        (N_("Team cost this year"), Kind.MONEY, report.team_cost_minor),
        (N_("Cost of sales (budget ÷ target)"), Kind.RATE, check.cost_of_sales),
        (N_("Customer acquisition cost"), Kind.MONEY, check.cac_minor),
        (N_("ROI at the forecast (P50)"), Kind.RATE, check.roi_at_forecast),
        (N_("ROI at the target"), Kind.RATE, check.roi_at_target),
    ]
    labels = {name: name for name, _, _ in rows}
    return TableResult(
        title=N_("Budget"),
        columns=[
            Column("metric", N_("Metric"), labels=labels),
            Column("value", N_("Value"), Kind.PER_ROW),
        ],
        rows=[{"metric": name, "kind": kind, "value": value} for name, kind, value in rows],
    )


def budget_warnings(report: BudgetReport, t: Translator, currency: str) -> list[dict[str, str]]:
    result = []
    for warning in report.check.warnings:
        params: dict[str, str] = {}
        for key, value in warning.values.items():
            if isinstance(value, float):
                params[key] = t.percent(value)
            elif isinstance(value, int):
                params[key] = t.money(value, currency, minor=True)
            else:
                params[key] = str(value)
        result.append(
            {"code": warning.code, "message": t.gettext(WARNING_MESSAGES[warning.code], **params)}
        )
    return result
