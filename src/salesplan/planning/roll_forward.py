"""Yearly re-planning: next year's plan started from this year's plan and its results.

`roll_forward(plan, year, actuals, proposals)` is pure. It never decides for the leader:

- the period, goal due dates, phase ends and promotion dates move by whole years; each
  review's `next_on` moves to its first meeting in the new period, following its cadence;
- goals and KPIs are carried with their old target, `needs_decision: target` and, beside
  it, `proposed_target` (salesplan's figure for the new year), which is not adopted;
- open initiatives and action items are carried with `needs_decision` (`deadline` when the
  deadline is missing or before the new period, else `continue`); done and dropped ones are
  left out (references to them are cleared); budget lines and sub-plan targets are carried
  with `needs_decision: amount` / `target`;
- `lessons` records the year: each quarter and segment bookings goal against its target
  with the shortfall (money, plan currency), each KPI against its target with its status
  band, and what became of every initiative and action item.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import cast

from salesplan.domain.plan import Goal, KpiChoice, Plan
from salesplan.domain.plan_calendar import CALENDAR_STEPS, add_months
from salesplan.domain.plan_checks import kpi_status
from salesplan.domain.plan_execution import ActionItem, Initiative, Review
from salesplan.domain.plan_lessons import (
    ActionResult,
    InitiativeResult,
    KpiResult,
    Lessons,
    TargetResult,
)
from salesplan.domain.plan_types import Unit

CLOSED = ("done", "dropped")


@dataclass(frozen=True, slots=True)
class YearActuals:
    """What happened in the old plan's year, measured on the data up to `as_of`.

    Money is Decimal in the plan currency (major units); KPI values are in the KPI's unit
    (rates as fractions, days, counts, money)."""

    as_of: dt.date
    quarter_bookings: Sequence[Decimal]
    """Won bookings of the year's four calendar quarters."""
    quarter_targets: Sequence[Decimal] | None = None
    """The top bookings goal split into quarters (None without such a goal)."""
    segment_bookings: Mapping[str, Decimal] = field(default_factory=dict)
    """Won bookings of the year per segment id."""
    kpi_values: Mapping[str, Decimal | None] = field(default_factory=dict)
    """Plan KPI id → its value over the year."""
    kpi_good: Mapping[str, str] = field(default_factory=dict)
    """KPI id → `up` or `down` (lower is better), from the KPI library."""
    kpi_units: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PendingDecision:
    """One item of the new plan a person must decide again; `code` as in needs_decision."""

    section: str
    """goals, kpis, initiatives, actions, budget or sub_plans."""
    id: str
    code: str
    old: Decimal | dt.date | None = None
    """The carried value: last year's target or amount, or the old deadline."""
    proposed: Decimal | None = None
    unit: str | None = None
    """Unit of `old` and `proposed` (money, rate, count, days, ratio); None for dates."""


@dataclass(frozen=True, slots=True)
class RollForward:
    plan: Plan
    decisions: list[PendingDecision]
    dropped: list[tuple[str, str]]
    """(section, id) of done and dropped initiatives and action items left out."""


def shift_years(day: dt.date, years: int) -> dt.date:
    """The same date `years` later (29 February → 28 February)."""
    return add_months(day, 12 * years)


def next_meeting(review: Review, starts: dt.date) -> dt.date | None:
    """The first meeting on or after `starts` of the series anchored at `next_on`."""
    if review.next_on is None or review.next_on >= starts:
        return review.next_on
    unit, step = CALENDAR_STEPS[review.cadence]
    if unit == "days":
        periods = -(-(starts - review.next_on).days // step)
        return review.next_on + dt.timedelta(days=step * periods)
    k = 1
    while add_months(review.next_on, step * k) < starts:
        k += 1
    return add_months(review.next_on, step * k)


def _quarter_ends(year: int) -> list[dt.date]:
    return [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30), dt.date(year, 12, 31)]


def _top_bookings(plan: Plan) -> Goal | None:
    return next(
        (
            g
            for g in plan.goals
            if g.level == "top" and g.metric == "bookings" and g.segment is None
        ),
        None,
    )


def target_results(plan: Plan, actuals: YearActuals) -> list[TargetResult]:
    """The year, its quarters and each segment bookings goal against target."""
    results: list[TargetResult] = []
    ends = _quarter_ends(plan.year)
    top = _top_bookings(plan)
    if top is not None and top.target is not None:
        actual = sum(actuals.quarter_bookings, Decimal(0))
        results.append(
            TargetResult(
                scope="year",
                id=str(plan.year),
                target=top.target,
                actual=actual,
                shortfall=top.target - actual,
                complete=ends[3] <= actuals.as_of,
            )
        )
    if actuals.quarter_targets is not None:
        for q, (target, actual) in enumerate(
            zip(actuals.quarter_targets, actuals.quarter_bookings, strict=True)
        ):
            results.append(
                TargetResult(
                    scope="quarter",
                    id=f"{plan.year}Q{q + 1}",
                    target=target,
                    actual=actual,
                    shortfall=target - actual,
                    complete=ends[q] <= actuals.as_of,
                )
            )
    for goal in plan.goals:
        if goal.metric != "bookings" or goal.segment is None or goal.target is None:
            continue
        actual = actuals.segment_bookings.get(goal.segment, Decimal(0))
        results.append(
            TargetResult(
                scope="goal",
                id=goal.id,
                segment=goal.segment,
                target=goal.target,
                actual=actual,
                shortfall=goal.target - actual,
                complete=ends[3] <= actuals.as_of,
            )
        )
    return results


def kpi_results(plan: Plan, actuals: YearActuals) -> list[KpiResult]:
    """Each KPI with a target: the actual and its band (thresholds of last year's plan)."""
    results = []
    for kpi in plan.kpis:
        if kpi.target is None:
            continue
        actual = actuals.kpi_values.get(kpi.id)
        state = (
            "no_data"
            if actual is None
            else kpi_status(kpi.target, actual, actuals.kpi_good.get(kpi.id, "up"), kpi.thresholds)
        )
        results.append(
            KpiResult(
                id=kpi.id,
                unit=cast(Unit | None, actuals.kpi_units.get(kpi.id)),
                target=kpi.target,
                actual=actual,
                state=state,
            )
        )
    return results


def _goal(
    goal: Goal, years: int, proposals: Mapping[str, Decimal], baselines: Mapping[str, Decimal]
) -> Goal:
    proposed = proposals.get(goal.metric or "") if goal.segment is None else None
    key = f"{goal.metric}@{goal.segment}" if goal.segment else (goal.metric or "")
    return goal.model_copy(
        update={
            "due": None if goal.due is None else shift_years(goal.due, years),
            "baseline": baselines.get(key),
            "proposed_target": proposed,
            "needs_decision": "target",
        }
    )


def _item_code(deadline: dt.date | None, starts: dt.date) -> str:
    return "deadline" if deadline is None or deadline < starts else "continue"


def roll_forward(
    plan: Plan,
    year: int,
    actuals: YearActuals | None = None,
    proposals: Mapping[str, Decimal] | None = None,
    units: Mapping[str, str] | None = None,
) -> RollForward:
    """Next year's plan (`year` > plan.year) from this one; see the module docstring.

    `proposals`: KPI/metric id → proposed target for `year` (goals of the whole business and
    KPIs get it as `proposed_target`); `units`: KPI id → unit, for the decisions list."""
    if year <= plan.year:
        raise ValueError(f"year {year} is not after the plan's year {plan.year}")
    years, offers, units = year - plan.year, proposals or {}, units or {}
    starts = shift_years(plan.starts or dt.date(plan.year, 1, 1), years)
    ends = shift_years(plan.ends or dt.date(plan.year, 12, 31), years)
    decisions: list[PendingDecision] = []
    dropped: list[tuple[str, str]] = []

    baselines: dict[str, Decimal] = {}
    results: list[TargetResult] = []
    kpis_done: list[KpiResult] = []
    if actuals is not None:
        results = target_results(plan, actuals)
        kpis_done = kpi_results(plan, actuals)
        # a baseline is last year's whole figure: only once the old year is over, and only
        # when the old year is last year (2026 → 2028 has no 2027 figure to offer)
        if years == 1 and dt.date(plan.year, 12, 31) <= actuals.as_of:
            baselines.update({k: v for k, v in actuals.kpi_values.items() if v is not None})
            baselines["bookings"] = sum(actuals.quarter_bookings, Decimal(0))
            for segment, value in actuals.segment_bookings.items():
                baselines[f"bookings@{segment}"] = value

    goals = [_goal(g, years, offers, baselines) for g in plan.goals]
    for before, after in zip(plan.goals, goals, strict=True):
        decisions.append(
            PendingDecision(
                "goals", before.id, "target", before.target, after.proposed_target, before.unit
            )
        )
    kpis: list[KpiChoice] = []
    for kpi in plan.kpis:
        offer = offers.get(kpi.id)
        kpis.append(kpi.model_copy(update={"proposed_target": offer, "needs_decision": "target"}))
        unit = units.get(kpi.id)
        decisions.append(PendingDecision("kpis", kpi.id, "target", kpi.target, offer, unit))

    kept_initiatives = {i.id for i in plan.initiatives if i.status not in CLOSED}
    initiatives: list[Initiative] = []
    for ini in plan.initiatives:
        if ini.id not in kept_initiatives:
            dropped.append(("initiatives", ini.id))
            continue
        code = _item_code(ini.deadline, starts)
        deps = [d for d in ini.depends_on if d in kept_initiatives]
        initiatives.append(ini.model_copy(update={"depends_on": deps, "needs_decision": code}))
        decisions.append(PendingDecision("initiatives", ini.id, code, ini.deadline))
    actions: list[ActionItem] = []
    for act in plan.actions:
        if act.status in CLOSED:
            dropped.append(("actions", act.id))
            continue
        code = _item_code(act.deadline, starts)
        link = act.initiative if act.initiative in kept_initiatives else None
        actions.append(act.model_copy(update={"initiative": link, "needs_decision": code}))
        decisions.append(PendingDecision("actions", act.id, code, act.deadline))

    budget = []
    for line in plan.budget:
        link = line.initiative if line.initiative in kept_initiatives else None
        budget.append(line.model_copy(update={"initiative": link, "needs_decision": "amount"}))
        decisions.append(PendingDecision("budget", line.id, "amount", line.amount, None, "money"))
    sub_plans = []
    for sub in plan.sub_plans:
        if sub.target is None:
            sub_plans.append(sub)
            continue
        sub_plans.append(sub.model_copy(update={"needs_decision": "target"}))
        decisions.append(
            PendingDecision("sub_plans", sub.path, "target", sub.target, None, "money")
        )

    reviews = [r.model_copy(update={"next_on": next_meeting(r, starts)}) for r in plan.reviews]
    phases = [p.model_copy(update={"ends": shift_years(p.ends, years)}) for p in plan.phases]
    promotions = [
        p.model_copy(
            update={
                "starts": None if p.starts is None else shift_years(p.starts, years),
                "ends": None if p.ends is None else shift_years(p.ends, years),
            }
        )
        for p in plan.pricing.promotions
    ]
    lessons = Lessons(
        year=plan.year,
        as_of=actuals.as_of if actuals else None,
        results=results,
        kpis=kpis_done,
        initiatives=[
            InitiativeResult(
                id=i.id,
                title=i.title,
                status=i.status,
                kpi=i.kpi,
                expected_lift=i.expected_lift,
                carried=i.id in kept_initiatives,
            )
            for i in plan.initiatives
        ],
        actions=[
            ActionResult(
                id=a.id,
                title=a.title,
                status=a.status,
                deadline=a.deadline,
                carried=a.status not in CLOSED,
            )
            for a in plan.actions
        ],
    )
    new = plan.model_copy(
        update={
            "year": year,
            "title": plan.title.replace(str(plan.year), str(year)),
            "starts": starts,
            "ends": ends,
            "lessons": lessons,
            "goals": goals,
            "kpis": kpis,
            "initiatives": initiatives,
            "actions": actions,
            "budget": budget,
            "sub_plans": sub_plans,
            "reviews": reviews,
            "phases": phases,
        }
    )
    if promotions:
        new = new.model_copy(
            update={"pricing": plan.pricing.model_copy(update={"promotions": promotions})}
        )
    return RollForward(new, decisions, dropped)
