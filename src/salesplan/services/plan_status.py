"""`plan status` (the nine-step guided process) and `actions` (initiatives and action items
with their DRIs), both computed from the latest stored plan and the workspace's data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from salesplan.config import Settings
from salesplan.domain.plan import Plan
from salesplan.domain.plan_checks import (
    GoalCheck,
    ItemFinding,
    Rollup,
    check_goals,
    is_overdue,
    item_findings,
    rollup,
)
from salesplan.domain.plan_decisions import OpenDecision, open_decisions
from salesplan.domain.plan_process import Step, process_status
from salesplan.errors import ConfigError
from salesplan.services.plan import PlanVersion
from salesplan.services.plan_fill import workspace_facts
from salesplan.services.plan_store import PlanDrift, kpi_types, kpi_units, plan_drift, stored_plan


@dataclass(frozen=True, slots=True)
class PlanStatus:
    today: dt.date
    version: PlanVersion | None
    plan: Plan | None
    drift: PlanDrift
    steps: list[Step]
    goals: list[GoalCheck]
    items: list[ItemFinding]
    rollup: Rollup | None
    decisions: list[OpenDecision]
    """Items marked needs_decision and draft segments (warnings)."""


def plan_status(settings: Settings, *, today: dt.date | None = None) -> PlanStatus:
    """Each step done, partial or missing, with what is missing; works without a plan."""
    day = today or dt.date.today()
    facts = workspace_facts(settings, day)
    found = stored_plan(settings)
    version, plan = (PlanVersion.of(found[0]), found[1]) if found else (None, None)
    units = kpi_units()
    steps = process_status(
        plan, facts.data, today=day, history=facts.history, kpi_units=units, kpi_types=kpi_types()
    )
    drift = plan_drift(settings, found[0] if found else None)
    if plan is None:
        return PlanStatus(day, None, None, drift, steps, [], [], None, [])
    return PlanStatus(
        day,
        version,
        plan,
        drift,
        steps,
        check_goals(plan, facts.history, units),
        item_findings(plan, day),
        rollup(plan),
        open_decisions(plan, units),
    )


@dataclass(frozen=True, slots=True)
class ActionRow:
    """An initiative or an action item: one DRI, a deadline, a status."""

    kind: str
    id: str
    title: str
    owner: str | None
    deadline: dt.date | None
    status: str
    initiative: str | None
    """The initiative an action item serves (the initiative itself for initiatives)."""
    days_overdue: int | None


@dataclass(frozen=True, slots=True)
class ActionsReport:
    today: dt.date
    version: PlanVersion
    drift: PlanDrift
    rows: list[ActionRow]


def _owner_names(name: str, team: dict[str, str]) -> set[str]:
    """NAME, plus the id or name of the team member it names (case-insensitive)."""
    wanted = {name.casefold()}
    for member_id, member_name in team.items():
        if name.casefold() in (member_id.casefold(), member_name.casefold()):
            wanted |= {member_id.casefold(), member_name.casefold()}
    return wanted


def list_actions(
    settings: Settings,
    *,
    owner: str | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> ActionsReport:
    """Initiatives and action items of the latest plan, deadline first (none last)."""
    found = stored_plan(settings)
    if found is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    stored, plan = found
    day = today or dt.date.today()
    rows = [
        ActionRow("initiative", i.id, i.title, i.owner, i.deadline, i.status, i.id, None)
        for i in plan.initiatives
    ] + [
        ActionRow("action", a.id, a.title, a.owner, a.deadline, a.status, a.initiative, None)
        for a in plan.actions
    ]
    rows = [
        replace(r, days_overdue=(day - r.deadline).days)
        if r.deadline is not None and is_overdue(r.deadline, r.status, day)
        else r
        for r in rows
    ]
    if owner is not None:
        team = workspace_facts(settings, day).team if owner.strip() else {}
        wanted = _owner_names(owner.strip(), team)
        rows = [r for r in rows if r.owner is not None and r.owner.casefold() in wanted]
    if overdue:
        rows = [r for r in rows if r.days_overdue is not None]
    rows.sort(key=lambda r: (r.deadline is None, r.deadline or day, r.kind, r.id))
    return ActionsReport(day, PlanVersion.of(stored), plan_drift(settings, stored), rows)
