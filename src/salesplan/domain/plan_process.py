"""The guided planning process (用清晰的流程来构建销售计划): nine steps, each done, partial or
missing, computed from the plan and facts about the workspace's data (passed in, pure).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from salesplan.domain.plan import Plan
from salesplan.domain.plan_checks import CLOSED_INITIATIVE, History, check_goals, is_overdue
from salesplan.domain.plan_decisions import OpenDecision, open_decisions
from salesplan.domain.plan_types import N_

StepState = Literal["done", "partial", "missing"]

STEPS: dict[str, str] = {
    "collect_data": N_("Collect sales data"),
    "define_goals": N_("Define goals"),
    "choose_metrics": N_("Choose metrics"),
    "assess_current_state": N_("Assess the current state"),
    "forecast": N_("Forecast"),
    "identify_gaps": N_("Identify gaps"),
    "propose_initiatives": N_("Propose initiatives"),
    "involve_stakeholders": N_("Involve stakeholders"),
    "list_actions": N_("List action items"),
}
NO_PLAN = N_("No plan yet: run `salesplan plan new`.")


@dataclass(frozen=True, slots=True)
class DataFacts:
    """What the workspace's data holds (counts of records)."""

    opportunities: int = 0
    history_years: int = 0
    """Complete calendar years with closed deals."""
    open_deals: int = 0


@dataclass(frozen=True, slots=True)
class Note:
    msgid: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    title: str
    state: StepState
    notes: list[Note]


def _step(key: str, missing: list[Note], done: Note, *, partial: bool = True) -> Step:
    """`missing` empty → done; otherwise partial (or missing when `partial` is False)."""
    if not missing:
        return Step(key, STEPS[key], "done", [done])
    return Step(key, STEPS[key], "partial" if partial else "missing", missing)


def _collect(data: DataFacts) -> Step:
    if data.opportunities == 0:
        note = N_("No CRM data: import an export (`salesplan import`) or run `salesplan demo`.")
        return _step("collect_data", [Note(note)], Note(""), partial=False)
    short = data.history_years < 1
    return _step(
        "collect_data",
        [Note(N_("Less than one complete year of closed deals: trends are not reliable yet."))]
        if short
        else [],
        Note(
            N_("{count} opportunities, {years} complete years of history."),
            {"count": data.opportunities, "years": data.history_years},
        ),
    )


def _goals(plan: Plan, history: History, kpi_units: Mapping[str, str]) -> Step:
    if not plan.goals:
        return _step("define_goals", [Note(N_("No goals yet."))], Note(""), partial=False)
    missing = []
    if not any(g.level == "top" for g in plan.goals):
        missing.append(Note(N_("No top-level goal.")))
    if not any(g.level == "operational" for g in plan.goals):
        missing.append(Note(N_("No operational goal that breaks the top goal down.")))
    weak = [c.goal for c in check_goals(plan, history, kpi_units) if not c.smart]
    if weak:
        missing.append(
            Note(
                N_("Goals that are not SMART: {goals} (see `salesplan plan validate`)."),
                {"goals": ", ".join(weak)},
            )
        )
    return _step(
        "define_goals", missing, Note(N_("{count} goals, all SMART."), {"count": len(plan.goals)})
    )


def _metrics(plan: Plan, kpi_types: Mapping[str, str]) -> Step:
    if not plan.kpis:
        return _step("choose_metrics", [Note(N_("No KPIs chosen."))], Note(""), partial=False)
    kinds = {kpi_types.get(k.id) for k in plan.kpis}
    missing = []
    if "leading" not in kinds:
        missing.append(Note(N_("No leading KPI (such as meetings_booked) to steer by early.")))
    if "lagging" not in kinds:
        missing.append(Note(N_("No lagging KPI (such as bookings or win_rate).")))
    untargeted = [k.id for k in plan.kpis if k.target is None]
    if untargeted:
        missing.append(Note(N_("KPIs without a target: {kpis}."), {"kpis": ", ".join(untargeted)}))
    done = Note(N_("{count} KPIs, leading and lagging, with targets."), {"count": len(plan.kpis)})
    return _step("choose_metrics", missing, done)


def _assess(plan: Plan, data: DataFacts) -> Step:
    if data.opportunities == 0:
        return _step("assess_current_state", [Note(N_("Needs CRM data."))], Note(""), partial=False)
    bare = [g.id for g in plan.goals if g.level == "top" and g.baseline is None]
    missing = []
    if bare:
        missing.append(
            Note(
                N_("Top-level goals without last year's figure (baseline): {goals}."),
                {"goals": ", ".join(bare)},
            )
        )
    return _step("assess_current_state", missing, Note(N_("Goals start from last year's figures.")))


def _forecast(plan: Plan, data: DataFacts) -> Step:
    if data.open_deals == 0:
        note = Note(N_("No open pipeline to forecast."))
        return _step("forecast", [note], Note(""), partial=False)
    missing = []
    if not any(r.kind == "forecast" for r in plan.reviews):
        missing.append(Note(N_("No forecast cadence: add a review of kind forecast.")))
    done = Note(
        N_("{count} open deals to forecast; forecast cadence set."), {"count": data.open_deals}
    )
    return _step("forecast", missing, done)


def _gaps(plan: Plan) -> Step:
    linked = [i for i in plan.initiatives if i.gap is not None]
    if not linked:
        note = Note(N_("No initiative answers a gap yet: run `salesplan gaps --propose`."))
        return _step("identify_gaps", [note], Note(""), partial=False)
    done = Note(N_("{count} initiatives answer identified gaps."), {"count": len(linked)})
    return _step("identify_gaps", [], done)


def _active(plan: Plan) -> list[Any]:
    return [i for i in plan.initiatives if i.status not in CLOSED_INITIATIVE]


def _initiatives(plan: Plan) -> Step:
    if not plan.initiatives:
        note = Note(N_("No initiatives yet."))
        return _step("propose_initiatives", [note], Note(""), partial=False)
    loose = [
        i.id
        for i in _active(plan)
        if i.status == "draft" or None in (i.owner, i.deadline, i.kpi, i.expected_lift)
    ]
    missing = []
    if loose:
        missing.append(
            Note(
                N_("Drafts or initiatives without a DRI, deadline, KPI or expected lift: {ids}."),
                {"ids": ", ".join(loose)},
            )
        )
    done = Note(
        N_("{count} initiatives, each with a DRI, a deadline, a KPI and an expected lift."),
        {"count": len(plan.initiatives)},
    )
    return _step("propose_initiatives", missing, done)


def _stakeholders(plan: Plan) -> Step:
    if not plan.stakeholders:
        note = Note(N_("No stakeholders listed (marketing, product, management, enablement)."))
        return _step("involve_stakeholders", [note], Note(""), partial=False)
    alone = [i.id for i in _active(plan) if not i.stakeholders]
    missing = []
    if alone:
        missing.append(
            Note(N_("Initiatives that involve no stakeholder: {ids}."), {"ids": ", ".join(alone)})
        )
    done = Note(N_("{count} stakeholders involved."), {"count": len(plan.stakeholders)})
    return _step("involve_stakeholders", missing, done)


def _actions(plan: Plan, today: dt.date) -> Step:
    if not plan.actions:
        return _step("list_actions", [Note(N_("No action items yet."))], Note(""), partial=False)
    missing = []
    loose = [a.id for a in plan.actions if a.status != "dropped" and None in (a.owner, a.deadline)]
    if loose:
        missing.append(
            Note(N_("Action items without a DRI or a deadline: {ids}."), {"ids": ", ".join(loose)})
        )
    covered = {a.initiative for a in plan.actions}
    bare = [i.id for i in _active(plan) if i.id not in covered]
    if bare:
        missing.append(
            Note(N_("Initiatives without an action item: {ids}."), {"ids": ", ".join(bare)})
        )
    late = [a.id for a in plan.actions if is_overdue(a.deadline, a.status, today)]
    if late:
        missing.append(Note(N_("Overdue action items: {ids}."), {"ids": ", ".join(late)}))
    done = Note(
        N_("{count} action items, each with a DRI and a deadline."), {"count": len(plan.actions)}
    )
    return _step("list_actions", missing, done)


def process_status(
    plan: Plan | None,
    data: DataFacts,
    *,
    today: dt.date,
    history: History | None = None,
    kpi_units: Mapping[str, str] | None = None,
    kpi_types: Mapping[str, str] | None = None,
) -> list[Step]:
    """The nine steps in order; without a plan only data collection can be done."""
    first = _collect(data)
    if plan is None:
        rest = [Step(key, title, "missing", [Note(NO_PLAN)]) for key, title in STEPS.items()]
        return [first, *rest[1:]]
    steps = [
        first,
        _goals(plan, history or History(), kpi_units or {}),
        _metrics(plan, kpi_types or {}),
        _assess(plan, data),
        _forecast(plan, data),
        _gaps(plan),
        _initiatives(plan),
        _stakeholders(plan),
        _actions(plan, today),
    ]
    return [_waiting(s, open_decisions(plan, kpi_units)) for s in steps]


def _waiting(step: Step, decisions: list[OpenDecision]) -> Step:
    """A step is not done while an item of its sections waits for a decision."""
    mine = [d for d in decisions if d.step == step.key]
    marked = [d.path for d in mine if d.code == "needs_decision"]
    drafts = [d.path for d in mine if d.code == "draft_segment"]
    notes = []
    if marked:
        notes.append(
            Note(
                N_("Waiting for decisions (needs_decision): {paths}."), {"paths": ", ".join(marked)}
            )
        )
    if drafts:
        notes.append(
            Note(
                N_("Segments drafted from the data, not yet adopted: {paths}."),
                {"paths": ", ".join(drafts)},
            )
        )
    if not notes:
        return step
    if step.state == "done":
        return Step(step.key, step.title, "partial", notes)
    return Step(step.key, step.title, step.state, [*step.notes, *notes])
