"""Initiative progress for a review: actions done of total and overdue items with their DRI.

An action is overdue when its deadline is before the review day and it is neither done nor
dropped (domain.plan_checks.is_overdue); dropped actions do not count in the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from salesplan.domain.plan import Plan
from salesplan.domain.plan_checks import is_overdue
from salesplan.domain.plan_execution import Initiative


@dataclass(frozen=True, slots=True)
class OverdueItem:
    id: str
    title: str
    owner: str | None
    deadline: dt.date
    days_overdue: int


@dataclass(frozen=True, slots=True)
class InitiativeProgress:
    id: str | None
    """None for action items that belong to no initiative."""
    title: str | None
    owner: str | None
    status: str | None
    deadline: dt.date | None
    done: int
    total: int
    overdue: list[OverdueItem]
    initiative_overdue_days: int | None
    """Days the initiative itself is past its deadline (None when not overdue)."""


def initiative_progress(plan: Plan, today: dt.date) -> list[InitiativeProgress]:
    """Every initiative in plan order, then the actions without one (when there are any)."""
    result = []
    groups: list[tuple[str | None, Initiative | None]] = [(i.id, i) for i in plan.initiatives]
    known = {i.id for i in plan.initiatives}
    if any(a.initiative is None or a.initiative not in known for a in plan.actions):
        groups.append((None, None))
    for key, initiative in groups:
        actions = [
            a
            for a in plan.actions
            if (
                a.initiative == key
                if key is not None
                else a.initiative is None or a.initiative not in known
            )
        ]
        counted = [a for a in actions if a.status != "dropped"]
        overdue = [
            OverdueItem(a.id, a.title, a.owner, a.deadline, (today - a.deadline).days)
            for a in counted
            if a.deadline is not None and is_overdue(a.deadline, a.status, today)
        ]
        late: int | None = None
        deadline = None if initiative is None else initiative.deadline
        if initiative is not None and is_overdue(deadline, initiative.status, today):
            late = (today - deadline).days if deadline else None
        result.append(
            InitiativeProgress(
                key,
                None if initiative is None else initiative.title,
                None if initiative is None else initiative.owner,
                None if initiative is None else initiative.status,
                deadline,
                sum(1 for a in counted if a.status == "done"),
                len(counted),
                sorted(overdue, key=lambda o: (-o.days_overdue, o.id)),
                late,
            )
        )
    return result
