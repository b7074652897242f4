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
from functools import cached_property

import polars as pl

from salesplan.analytics.seasonality import monthly_index
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.domain.plan import Goal, Plan
from salesplan.forecast.history import History
from salesplan.i18n.money import currency_exponent
from salesplan.planning.decomposition import YearSplit, split_year
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


class PlanTargets:
    """The stored plan's bookings targets for any period, read once: `gaps` asks for the year
    and every quarter, and each answer must not re-read and re-validate the plan or
    recompute the seasonality split."""

    def __init__(self, settings: Settings, history: History) -> None:
        stored = stored_plan(settings)
        self.plan = None if stored is None else stored[1]
        self.history = history
        self.exponent = currency_exponent(settings.currency)

    def _minor(self, goal: Goal) -> int:
        assert goal.target is not None
        return int(goal.target.scaleb(self.exponent).to_integral_value(ROUND_HALF_EVEN))

    @cached_property
    def _annual(self) -> int | None:
        top = [g for g in _bookings_goals(self.plan) if g.level == "top"] if self.plan else []
        return self._minor(top[0]) if top else None

    @cached_property
    def _split(self) -> YearSplit:
        won = self.history.opportunities.filter(pl.col("status") == "won")
        weights = [Fraction(v) for v in monthly_index(won).index]
        assert self._annual is not None
        return split_year(self._annual, weights)

    def target(self, period: Period) -> tuple[int | None, str | None]:
        """The period's target and where it came from (`target_source`):

        1. `plan_period`: a bookings goal of the stored plan written for the period;
        2. `plan_goal_split`: the plan's top bookings goal (for the plan's year) split into
           quarters and months by the seasonality index, as `salesplan targets` splits a
           year (planning.decomposition.split_year, weights analytics.seasonality.monthly_index);
        3. (None, None): no plan, no bookings goal with a target, or a rolling period."""
        if self.plan is None or period.grain not in ("year", "quarter", "month"):
            return None, None
        goal = plan_period_goal(self.plan, period)
        if goal is not None:
            return self._minor(goal), "plan_period"
        if self.plan.year != period.start.year or self._annual is None:
            return None, None
        if period.grain == "year":
            return self._annual, "plan_goal_split"
        split = self._split
        if period.grain == "quarter":
            return split.quarters[(period.start.month - 1) // 3], "plan_goal_split"
        return split.months[period.start.month - 1], "plan_goal_split"


def period_target(
    settings: Settings, period: Period, history: History
) -> tuple[int | None, str | None]:
    """One period's target (see PlanTargets.target)."""
    return PlanTargets(settings, history).target(period)
