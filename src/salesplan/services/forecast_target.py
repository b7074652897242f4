"""The target a forecast is compared with, read from the stored plan (`target_source`).

1. `plan_period`: a company-wide bookings goal written in the plan for the period;
2. `plan_goal_split`: else the plan's top bookings goal split into quarters and months by the
   seasonality index, as `salesplan targets` splits a year;
3. none: no plan, no bookings goal with a target, another year, or a rolling period.
Money in plan-currency minor units (docs/forecasting.md §6).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_EVEN
from fractions import Fraction

import polars as pl

from salesplan.analytics.seasonality import monthly_index
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.domain.plan import Goal, Plan
from salesplan.forecast.history import History
from salesplan.i18n.money import currency_exponent
from salesplan.planning.decomposition import split_year
from salesplan.services.plan_store import stored_plan

BOOKINGS_METRIC = "bookings"


def _bookings_goals(plan: Plan) -> list[Goal]:
    """Company-wide bookings goals with a target (no segment, no owner)."""
    return [
        g
        for g in plan.goals
        if g.metric == BOOKINGS_METRIC
        and g.target is not None
        and g.segment is None
        and g.owner is None
        and g.unit in (None, "money")
    ]


def _names(period: Period) -> set[str]:
    names = {period.label.casefold()}
    if period.grain == "quarter":
        names.add(f"q{(period.start.month - 1) // 3 + 1}")
    return names


def plan_period_goal(plan: Plan, period: Period) -> Goal | None:
    """A bookings goal written for this period: due on its last day, and its id or title
    names it (`2027Q1` or `Q1` for a quarter, `2027-03` for a month, `2027` for a year).
    The plan's annual (top) goal is not a period goal."""
    last = period.end - dt.timedelta(days=1)
    for goal in _bookings_goals(plan):
        if goal.level == "top" or goal.due != last:
            continue
        text = f"{goal.id} {goal.title}".casefold()
        if any(name in text for name in _names(period)):
            return goal
    return None


def period_target(
    settings: Settings, period: Period, history: History
) -> tuple[int | None, str | None]:
    """The period's target and where it came from (`target_source`):

    1. `plan_period`: a bookings goal of the stored plan written for the period;
    2. `plan_goal_split`: the plan's top bookings goal (for the plan's year) split into
       quarters and months by the seasonality index, as `salesplan targets` splits a year
       (planning.decomposition.split_year, weights analytics.seasonality.monthly_index);
    3. (None, None): no plan, no bookings goal with a target, or a rolling period."""
    if period.grain not in ("year", "quarter", "month"):
        return None, None
    stored = stored_plan(settings)
    if stored is None:
        return None, None
    plan = stored[1]
    exponent = currency_exponent(settings.currency)

    def minor(goal: Goal) -> int:
        assert goal.target is not None
        return int(goal.target.scaleb(exponent).to_integral_value(ROUND_HALF_EVEN))

    goal = plan_period_goal(plan, period)
    if goal is not None:
        return minor(goal), "plan_period"
    top = [g for g in _bookings_goals(plan) if g.level == "top"]
    if not top or plan.year != period.start.year:
        return None, None
    annual = minor(top[0])
    if period.grain == "year":
        return annual, "plan_goal_split"
    won = history.opportunities.filter(pl.col("status") == "won")
    weights = [Fraction(v) for v in monthly_index(won).index]
    split = split_year(annual, weights)
    if period.grain == "quarter":
        return split.quarters[(period.start.month - 1) // 3], "plan_goal_split"
    return split.months[period.start.month - 1], "plan_goal_split"
