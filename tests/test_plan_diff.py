"""domain.plan_diff on hand-made plan pairs: the exact change list, items matched by id."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from salesplan.domain.plan import Plan
from salesplan.domain.plan_diff import PlanChange, change_line, diff_plans, plain, shown

BASE: dict[str, Any] = {
    "type": "annual",
    "year": 2027,
    "language": "en",
    "title": "Plan 2027",
    "goals": [
        {"id": "G1", "level": "top", "title": "Grow", "target": "120000000", "unit": "money"},
        {"id": "G2", "level": "operational", "title": "Win", "parent": "G1"},
    ],
    "initiatives": [{"id": "I1", "title": "Demo script", "owner": "Li Wei"}],
    "actions": [{"id": "A1", "title": "Write questions", "deadline": "2027-02-20"}],
    "budget": [{"id": "B1", "category": "tools", "amount": "50000.00"}],
}


def plan(**changes: Any) -> Plan:
    return Plan.model_validate({**BASE, **changes})


def test_equal_plans_have_no_changes_and_order_of_items_does_not_matter() -> None:
    assert diff_plans(plan(), plan()) == []
    # the same goals listed in the other order: matched by id, so nothing changed
    assert diff_plans(plan(), plan(goals=list(reversed(BASE["goals"])))) == []
    # 120000000 and "120000000.00" are the same amount
    goals = [{**BASE["goals"][0], "target": "120000000.00"}, BASE["goals"][1]]
    assert diff_plans(plan(), plan(goals=goals)) == []


def test_scalar_change_added_and_removed_items() -> None:
    goals = [{**BASE["goals"][0], "target": "110000000"}, BASE["goals"][1]]
    actions = [{"id": "A2", "title": "Train AEs", "owner": "Anna"}]
    budget = [{"id": "B1", "category": "tools", "amount": "50000.50"}]
    changes = diff_plans(
        plan(), plan(title="Plan 2027 v2", goals=goals, actions=actions, budget=budget)
    )
    assert changes == [
        PlanChange("title", "changed", "Plan 2027", "Plan 2027 v2"),
        PlanChange("goals[G1].target", "changed", Decimal("120000000"), Decimal("110000000")),
        PlanChange(
            "actions[A1]",
            "removed",
            {
                "id": "A1",
                "title": "Write questions",
                "owner": None,
                "deadline": dt.date(2027, 2, 20),
                "status": "todo",
                "initiative": None,
                "needs_decision": None,
            },
            None,
        ),
        PlanChange(
            "actions[A2]",
            "added",
            None,
            {
                "id": "A2",
                "title": "Train AEs",
                "owner": "Anna",
                "deadline": None,
                "status": "todo",
                "initiative": None,
                "needs_decision": None,
            },
        ),
        PlanChange("budget[B1].amount", "changed", Decimal("50000.00"), Decimal("50000.50")),
    ]
    assert change_line(changes[1]) == "goals[G1].target: 120000000 → 110000000"
    assert change_line(changes[4]) == "budget[B1].amount: 50000.00 → 50000.50"  # exact money
    assert (
        change_line(changes[3])
        == "+ actions[A2]: {id: A2, title: Train AEs, owner: Anna, status: todo}"
    )
    assert change_line(changes[2]).startswith("- actions[A1]: {id: A1")


def test_nested_and_optional_values() -> None:
    initiatives = [
        {
            "id": "I1",
            "title": "Demo script",
            "owner": "Anna",
            "deadline": "2027-03-31",
            "stakeholders": [{"stakeholder": "marketing", "role": "consulted"}],
        }
    ]
    changes = diff_plans(plan(), plan(initiatives=initiatives, mission="Be first"))
    assert changes == [
        PlanChange("mission", "changed", None, "Be first"),
        PlanChange("initiatives[I1].owner", "changed", "Li Wei", "Anna"),
        PlanChange("initiatives[I1].deadline", "changed", None, dt.date(2027, 3, 31)),
        PlanChange(
            "initiatives[I1].stakeholders[marketing]",
            "added",
            None,
            {"stakeholder": "marketing", "role": "consulted"},
        ),
    ]
    assert change_line(changes[2]) == "initiatives[I1].deadline: – → 2027-03-31"


def test_plain_lists_are_compared_whole_and_json_values_are_exact() -> None:
    old = plan(phases=[{"name": "Ramp", "ends": "2027-03-31", "focus": ["a", "b"]}])
    new = plan(phases=[{"name": "Ramp", "ends": "2027-03-31", "focus": ["a", "c"]}])
    [change] = diff_plans(old, new)
    assert change.path == "phases"  # phases have no id: the list is one value
    assert change.change == "changed"
    assert shown(Decimal("0.10")) == "0.10"
    assert plain({"amount": Decimal("50000.00"), "on": dt.date(2027, 1, 2), "x": None}) == {
        "amount": "50000.00",
        "on": "2027-01-02",
    }
