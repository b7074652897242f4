"""Decisions a plan still waits for, so `plan status` and `plan validate` can name them.

Two kinds, both set by commands and cleared only by a person:

- `needs_decision` on a goal, KPI, initiative, action item, budget line or sub-plan (growth
  path), set by `plan roll-forward` (planning/roll_forward.py): decided when the key is
  deleted (after copying `proposed_target` into `target`, setting a fresh deadline, …);
- a target-market segment with `status: draft`, written from the data by `segments
  --apply`: decided when it says `status: adopted` (or no status).

Pure. Values are as the plan holds them: money Decimal in the plan currency, rates as
fractions, deadlines as dates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from salesplan.domain.plan import Plan
from salesplan.domain.plan_types import N_

PendingCode = Literal["needs_decision", "draft_segment"]

STEP_OF: dict[str, str] = {
    "goals": "define_goals",
    "sub_plans": "define_goals",
    "budget": "define_goals",
    "kpis": "choose_metrics",
    "target_market.segments": "assess_current_state",
    "initiatives": "propose_initiatives",
    "actions": "list_actions",
}
"""Section → the planning step (plan_process.STEPS) that is not done while it waits.
Sub-plan targets and budget amounts belong with the goals they fund (目标与预算); the ICP
comes from assessing the current data."""

WITH_PROPOSAL = N_(
    "{item}: decide {decide} (now {old}, proposed {proposed}), then delete needs_decision."
)
WITH_OLD = N_("{item}: decide {decide} (now {old}), then delete needs_decision.")
BARE = N_("{item}: decide {decide}, then delete needs_decision.")
DRAFT_SEGMENT = N_("Segment {segment} is a draft from the data; review it and set status: adopted.")


@dataclass(frozen=True, slots=True)
class OpenDecision:
    """One item still waiting for a person; `path` names it as plan errors do (`goals[2]`)."""

    section: str
    """goals, kpis, initiatives, actions, budget, sub_plans or target_market.segments."""
    index: int
    id: str
    code: PendingCode
    decide: str
    """The `needs_decision` value (target, amount, deadline, continue, …); `status` for drafts."""
    old: Decimal | dt.date | str | None = None
    """What the item holds now: the target or amount, the deadline (deadline, continue)."""
    proposed: Decimal | None = None
    """`proposed_target` when the target is to decide."""
    unit: str | None = None
    """Unit of `old`/`proposed`: money, rate, count, days, ratio; `date`; None for text."""

    @property
    def path(self) -> str:
        return f"{self.section}[{self.index}]"

    @property
    def step(self) -> str:
        return STEP_OF[self.section]

    @property
    def msgid(self) -> str:
        if self.code == "draft_segment":
            return DRAFT_SEGMENT
        if self.old is None:
            return BARE
        return WITH_OLD if self.proposed is None else WITH_PROPOSAL


def _marked(
    section: str, index: int, item: Any, ident: str, unit: str | None
) -> OpenDecision | None:
    code = item.needs_decision
    if code is None:
        return None
    name = "deadline" if code == "continue" else code
    old = getattr(item, name, None) if name in type(item).model_fields else None
    if not isinstance(old, (Decimal, dt.date, str, int)) or isinstance(old, bool):
        old = None
    if isinstance(old, int):
        old = Decimal(old)
    kind = "date" if isinstance(old, dt.date) else (unit if name in ("target", "amount") else None)
    proposed = getattr(item, "proposed_target", None) if code == "target" else None
    return OpenDecision(section, index, ident, "needs_decision", code, old, proposed, kind)


def open_decisions(plan: Plan, kpi_units: Mapping[str, str] | None = None) -> list[OpenDecision]:
    """Every marked item and draft segment, in the plan's order (`kpi_units`: KPI id → unit)."""
    units = kpi_units or {}
    groups: Sequence[tuple[str, Sequence[Any], Any]] = (
        ("goals", plan.goals, lambda g: (g.id, g.unit)),
        ("kpis", plan.kpis, lambda k: (k.id, units.get(k.id))),
        ("initiatives", plan.initiatives, lambda i: (i.id, None)),
        ("actions", plan.actions, lambda a: (a.id, None)),
        ("budget", plan.budget, lambda b: (b.id, "money")),
        ("sub_plans", plan.sub_plans, lambda s: (s.path, "money")),
    )
    found: list[OpenDecision] = []
    for section, items, describe in groups:
        for index, item in enumerate(items):
            ident, unit = describe(item)
            marked = _marked(section, index, item, ident, unit)
            if marked is not None:
                found.append(marked)
    for index, segment in enumerate(plan.target_market.segments):
        if segment.status == "draft":
            found.append(
                OpenDecision(
                    "target_market.segments", index, segment.id, "draft_segment", "status", "draft"
                )
            )
    return found
