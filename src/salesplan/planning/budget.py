"""The sales budget and whether it is consistent with the targets and the forecast.

Inputs are budget lines (category, amount in plan-currency minor units) and the figures
they must agree with. Outputs, all exact in minor units or as fractions:

- total = Σ lines; by category (headcount, tools, programs, promotions, travel, other).
- cost of sales % = total ÷ target bookings.
- customer acquisition cost (CAC) = (total × share spent on acquiring new customers) ÷
  expected new customers; the share defaults to 1 (all spend acquires customers) and is a
  plan input because account management spend does not acquire anyone.
- ROI against the forecast = (forecast bookings × gross margin − total) ÷ total.

Consistency warnings (each names the numbers): headcount budget below the team's cost;
cost of sales above the plan's ceiling; a forecast P50 below the target while the budget
assumes the target (ROI at target positive but at the forecast negative); promotion budget
without any promotion in the plan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

CATEGORIES = ("headcount", "tools", "programs", "promotions", "travel", "training", "other")


@dataclass(frozen=True, slots=True)
class BudgetLine:
    category: str
    name: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class BudgetWarning:
    code: str
    values: Mapping[str, int | float | str]


@dataclass(frozen=True, slots=True)
class BudgetCheck:
    total_minor: int
    by_category: dict[str, int]
    cost_of_sales: float | None
    cac_minor: int | None
    roi_at_forecast: float | None
    roi_at_target: float | None
    warnings: list[BudgetWarning] = field(default_factory=list)


def _div_minor(numerator: int, denominator: float) -> int | None:
    if denominator <= 0:
        return None
    quotient = Decimal(numerator) / Decimal(str(denominator))
    return int(quotient.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def check_budget(
    lines: Iterable[BudgetLine],
    *,
    target_minor: int,
    forecast_p50_minor: int | None,
    team_cost_minor: int,
    expected_new_customers: float,
    gross_margin: float = 1.0,
    acquisition_share: float = 1.0,
    max_cost_of_sales: float | None = None,
    has_promotions: bool = True,
) -> BudgetCheck:
    """Totals, ratios and consistency warnings of a budget (see the module docstring)."""
    items = list(lines)
    unknown = sorted({line.category for line in items} - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown budget categories: {unknown}")
    by_category = {c: sum(li.amount_minor for li in items if li.category == c) for c in CATEGORIES}
    total = sum(by_category.values())
    warnings: list[BudgetWarning] = []

    cost_of_sales = total / target_minor if target_minor > 0 else None
    cac = _div_minor(round(total * acquisition_share), expected_new_customers)

    def roi(bookings: int | None) -> float | None:
        if bookings is None or total <= 0:
            return None
        return (bookings * gross_margin - total) / total

    roi_target, roi_forecast = roi(target_minor), roi(forecast_p50_minor)

    if by_category["headcount"] < team_cost_minor:
        warnings.append(
            BudgetWarning(
                "headcount_below_team_cost",
                {"headcount": by_category["headcount"], "team_cost": team_cost_minor},
            )
        )
    ceiling = max_cost_of_sales
    if ceiling is not None and cost_of_sales is not None and cost_of_sales > ceiling:
        warnings.append(
            BudgetWarning(
                "cost_of_sales_above_ceiling",
                {"cost_of_sales": cost_of_sales, "ceiling": ceiling},
            )
        )
    if roi_target is not None and roi_forecast is not None and roi_target > 0 > roi_forecast:
        warnings.append(
            BudgetWarning(
                "pays_back_only_at_target",
                {"roi_at_target": roi_target, "roi_at_forecast": roi_forecast},
            )
        )
    if by_category["promotions"] > 0 and not has_promotions:
        warnings.append(
            BudgetWarning(
                "promotion_budget_without_promotions", {"promotions": by_category["promotions"]}
            )
        )
    return BudgetCheck(total, by_category, cost_of_sales, cac, roi_forecast, roi_target, warnings)


def team_cost_in_year(team: pl.DataFrame, year: int) -> int:
    """Σ annual_cost_minor × (days employed in `year` ÷ days in `year`), rounded half-even.

    `team` has start_date, end_date (inclusive, null = still employed) and annual_cost_minor
    in plan-currency minor units; people without a cost count zero.
    """
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days_in_year = (last - first).days + 1
    total = Decimal(0)
    for row in team.select("start_date", "end_date", "annual_cost_minor").iter_rows():
        start, end, cost = row
        if cost is None:
            continue
        begin = max(first, start or first)
        finish = min(last, end or last)
        if finish < begin:
            continue
        total += Decimal(cost) * ((finish - begin).days + 1) / days_in_year
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
