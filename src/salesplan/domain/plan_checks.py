"""Checks on a valid plan: cross-references, SMART goals, overdue and ownerless items, roll-up.

Pure: the KPI library, the team and the history numbers are passed in. Growth and capacity
comparisons are on yearly values of the goal's metric (money in plan currency, major units).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from salesplan.domain.plan import Goal, Plan, Thresholds
from salesplan.domain.plan_errors import PlanIssue
from salesplan.domain.plan_types import N_

GROWTH_MARGIN = Decimal("0.10")
"""A goal may grow up to 10 points faster than the best past year before it is a warning."""
CLOSED_INITIATIVE = ("done", "dropped")
CLOSED_ACTION = ("done", "dropped")


def _dupes(values: Sequence[str]) -> set[str]:
    return {v for v in values if values.count(v) > 1}


def reference_issues(
    plan: Plan, kpi_ids: Collection[str], team_ids: Collection[str] | None = None
) -> list[PlanIssue]:
    """Ids that repeat or point nowhere. Unknown team members are warnings (people change)."""
    issues: list[PlanIssue] = []
    unknown = N_("{value} is not a known {kind}.")
    goals = [g.id for g in plan.goals]
    segments = [s.id for s in plan.target_market.segments]
    initiatives = [i.id for i in plan.initiatives]
    roles = [r.id for r in plan.team.roles]
    lists = {
        "goals": goals,
        "target_market.segments": segments,
        "initiatives": initiatives,
        "actions": [a.id for a in plan.actions],
        "team.roles": roles,
        "strategies": [s.id for s in plan.strategies],
        "budget": [b.id for b in plan.budget],
    }
    for name, ids in lists.items():
        for i, value in enumerate(ids):
            if value in _dupes(ids):
                issues.append(
                    PlanIssue(
                        f"{name}[{i}].id", N_("The id {value} is used twice."), {"value": value}
                    )
                )

    def check(path: str, value: str | None, known: Collection[str], kind: str) -> None:
        if value is not None and value not in known:
            issues.append(PlanIssue(path, unknown, {"value": value, "kind": kind}))

    for i, g in enumerate(plan.goals):
        check(f"goals[{i}].metric", g.metric, kpi_ids, "KPI")
        check(f"goals[{i}].parent", g.parent, goals, "goal")
        check(f"goals[{i}].segment", g.segment, segments, "segment")
        if g.parent == g.id:
            issues.append(PlanIssue(f"goals[{i}].parent", N_("A goal cannot serve itself.")))
    for i, k in enumerate(plan.kpis):
        check(f"kpis[{i}].id", k.id, kpi_ids, "KPI")
    for i, s in enumerate(plan.strategies):
        check(f"strategies[{i}].segment", s.segment, segments, "segment")
        for j, t in enumerate(s.tactics):
            check(f"strategies[{i}].tactics[{j}].kpi", t.kpi, kpi_ids, "KPI")
    for i, p in enumerate(plan.target_market.personas):
        for j, seg in enumerate(p.segments):
            check(f"target_market.personas[{i}].segments[{j}]", seg, segments, "segment")
    for i, promo in enumerate(plan.pricing.promotions):
        check(f"pricing.promotions[{i}].metric", promo.metric, kpi_ids, "KPI")
    for i, h in enumerate(plan.team.handoffs):
        check(f"team.handoffs[{i}].from_role", h.from_role, roles, "role")
        check(f"team.handoffs[{i}].to_role", h.to_role, roles, "role")
    for i, r in enumerate(plan.qualification.priority_rules):
        check(f"qualification.priority_rules[{i}].route_to", r.route_to, roles, "role")
    for i, ini in enumerate(plan.initiatives):
        check(f"initiatives[{i}].kpi", ini.kpi, kpi_ids, "KPI")
        check(f"initiatives[{i}].segment", ini.segment, segments, "segment")
        for j, dep in enumerate(ini.depends_on):
            check(f"initiatives[{i}].depends_on[{j}]", dep, initiatives, "initiative")
    for i, a in enumerate(plan.actions):
        check(f"actions[{i}].initiative", a.initiative, initiatives, "initiative")
    if team_ids is not None:
        for i, role in enumerate(plan.team.roles):
            for j, member in enumerate(role.members):
                if member not in team_ids:
                    issues.append(
                        PlanIssue(
                            f"team.roles[{i}].members[{j}]",
                            unknown,
                            {"value": member, "kind": "team member"},
                            "warning",
                        )
                    )
    return issues


@dataclass(frozen=True, slots=True)
class History:
    """Numbers a goal is judged against: complete years of each metric, and capacity."""

    yearly: Mapping[str, Sequence[tuple[int, Decimal]]] = field(default_factory=dict)
    """metric id → (year, value) for complete past years, oldest first."""
    capacity: Mapping[str, Decimal] = field(default_factory=dict)
    """metric id → most the team can deliver in the plan year (bookings: Σ ramped quota)."""


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class GoalCheck:
    """SMART verdicts for one goal; `achievable` is None when no numbers can judge it."""

    goal: str
    specific: bool
    measurable: bool
    achievable: bool | None
    relevant: bool
    time_bound: bool
    findings: list[Finding]

    @property
    def smart(self) -> bool:
        return all((self.specific, self.measurable, self.relevant, self.time_bound)) and (
            self.achievable is not False
        )


def _pct(value: Decimal) -> str:
    return f"{value * 100:.1f}%"


def _achievable(goal: Goal, history: History, findings: list[Finding]) -> bool | None:
    if goal.metric is None or goal.target is None:
        return None
    verdict: bool | None = None
    years = list(history.yearly.get(goal.metric, ()))
    last = goal.baseline if goal.baseline is not None else (years[-1][1] if years else None)
    growths = [(b - a) / a for (_, a), (_, b) in itertools.pairwise(years) if a > 0]
    if last is not None and last > 0 and growths:
        growth = goal.target / last - 1
        best = max(growths)
        verdict = growth <= best + GROWTH_MARGIN
        if not verdict:
            findings.append(
                Finding(
                    "growth_above_history",
                    N_(
                        "Goal {goal} needs {growth} growth ({last} → {target}); the best past year "
                        "grew {best}."
                    ),
                    {
                        "goal": goal.id,
                        "growth": _pct(growth),
                        "last": str(last),
                        "target": str(goal.target),
                        "best": _pct(best),
                    },
                )
            )
    capacity = history.capacity.get(goal.metric)
    if capacity is not None:
        fits = goal.target <= capacity
        verdict = fits if verdict is None else verdict and fits
        if not fits:
            findings.append(
                Finding(
                    "above_capacity",
                    N_("Goal {goal}'s target {target} is above the team's capacity {capacity}."),
                    {"goal": goal.id, "target": str(goal.target), "capacity": str(capacity)},
                )
            )
    return verdict


def check_goal(
    goal: Goal,
    plan: Plan,
    history: History,
    kpi_units: Mapping[str, str],
) -> GoalCheck:
    """SMART: specific metric, measurable target, achievable vs history and capacity,
    relevant (serves a higher goal, or a top goal tracks one of the plan's KPIs), time-bound."""
    findings: list[Finding] = []
    ref = {"goal": goal.id}
    specific = goal.metric is not None and goal.metric in kpi_units
    if not specific:
        findings.append(
            Finding(
                "no_metric",
                N_("Goal {goal} names no known metric: choose a KPI id from `salesplan kpis`."),
                ref,
            )
        )
    measurable = goal.target is not None and goal.unit is not None
    if not measurable:
        findings.append(
            Finding("no_target", N_("Goal {goal} needs a target value and a unit."), ref)
        )
    elif goal.metric is not None and kpi_units.get(goal.metric, goal.unit) != goal.unit:
        measurable = False
        findings.append(
            Finding(
                "unit_mismatch",
                N_("Goal {goal}: the unit {unit} is not the unit of {metric} ({expected})."),
                {
                    **ref,
                    "unit": str(goal.unit),
                    "metric": str(goal.metric),
                    "expected": kpi_units.get(str(goal.metric), ""),
                },
            )
        )
    time_bound = goal.due is not None
    if not time_bound:
        findings.append(Finding("no_due", N_("Goal {goal} has no due date."), ref))
    elif plan.ends is not None and goal.due is not None and goal.due > plan.ends:
        time_bound = False
        findings.append(
            Finding(
                "due_after_plan",
                N_("Goal {goal} is due on {due}, after the plan ends ({ends})."),
                {**ref, "due": str(goal.due), "ends": str(plan.ends)},
            )
        )
    goal_ids = {g.id for g in plan.goals}
    if goal.level == "operational":
        relevant = goal.parent is not None and goal.parent in goal_ids
        if not relevant:
            findings.append(
                Finding(
                    "no_parent",
                    N_("Goal {goal} serves no higher goal: set parent to a top-level goal's id."),
                    ref,
                )
            )
    else:
        relevant = goal.metric in {k.id for k in plan.kpis}
        if not relevant:
            findings.append(
                Finding(
                    "metric_not_tracked",
                    N_(
                        "Top-level goal {goal} tracks {metric}, which is not among the plan's KPIs."
                    ),
                    {**ref, "metric": str(goal.metric)},
                )
            )
    achievable = _achievable(goal, history, findings)
    return GoalCheck(goal.id, specific, measurable, achievable, relevant, time_bound, findings)


def check_goals(plan: Plan, history: History, kpi_units: Mapping[str, str]) -> list[GoalCheck]:
    return [check_goal(g, plan, history, kpi_units) for g in plan.goals]


@dataclass(frozen=True, slots=True)
class ItemFinding:
    """An initiative or action item that is overdue, has no DRI or no deadline."""

    kind: Literal["initiative", "action"]
    id: str
    code: Literal["overdue", "ownerless", "no_deadline"]
    days: int | None = None
    """Days past the deadline (overdue only)."""


def is_overdue(deadline: dt.date | None, status: str, today: dt.date) -> bool:
    return deadline is not None and deadline < today and status not in CLOSED_ACTION


def item_findings(plan: Plan, today: dt.date) -> list[ItemFinding]:
    """Open items only: done and dropped items are history, not findings."""
    result: list[ItemFinding] = []
    items: list[tuple[Literal["initiative", "action"], Any]] = [
        *(("initiative", i) for i in plan.initiatives),
        *(("action", a) for a in plan.actions),
    ]
    for kind, item in items:
        if item.status in CLOSED_ACTION:
            continue
        if item.owner is None:
            result.append(ItemFinding(kind, item.id, "ownerless"))
        if item.deadline is None:
            result.append(ItemFinding(kind, item.id, "no_deadline"))
        elif item.deadline < today:
            result.append(ItemFinding(kind, item.id, "overdue", (today - item.deadline).days))
    return result


@dataclass(frozen=True, slots=True)
class Rollup:
    """Σ sub-plan targets against the top bookings goal (plan currency)."""

    total: Decimal
    top_target: Decimal | None
    difference: Decimal | None
    """total − top_target; 0 when the sub-plans add up."""


def rollup(plan: Plan, metric: str = "bookings") -> Rollup | None:
    """None when the plan has no sub-plan with a target."""
    targets = [s.target for s in plan.sub_plans if s.target is not None]
    if not targets:
        return None
    total = sum(targets, Decimal(0))
    top = next((g.target for g in plan.goals if g.level == "top" and g.metric == metric), None)
    return Rollup(total, top, None if top is None else total - top)


KpiState = Literal["on_track", "at_risk", "off_track"]


def kpi_status(target: Decimal, actual: Decimal, good: str, bands: Thresholds) -> KpiState:
    """Attainment = actual ÷ target (target ÷ actual when lower is better), then the bands."""
    if good == "down":
        attainment = target / actual if actual > 0 else Decimal(1)
    else:
        attainment = actual / target if target > 0 else Decimal(1)
    if attainment >= bands.on_track:
        return "on_track"
    return "at_risk" if attainment >= bands.at_risk else "off_track"
