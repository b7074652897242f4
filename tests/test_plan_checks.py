"""SMART checks with the numbers, overdue and ownerless findings, roll-up, KPI status and the
nine-step process on an empty, a partial and a complete plan (pure functions)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from salesplan.domain.plan import Plan, Thresholds
from salesplan.domain.plan_checks import History, check_goal, item_findings, kpi_status, rollup
from salesplan.domain.plan_process import DataFacts, process_status

TODAY = dt.date(2027, 3, 1)
UNITS = {"bookings": "money", "win_rate": "rate", "meetings_booked": "count", "leads": "count"}
TYPES = {"bookings": "lagging", "win_rate": "lagging", "meetings_booked": "leading"}
# Bookings of the last three years: 100 → 120 (+20 %) → 138 (+15 %); best past growth 20 %.
HISTORY = History(
    yearly={"bookings": [(2024, Decimal(100)), (2025, Decimal(120)), (2026, Decimal(138))]},
    capacity={"bookings": Decimal(180)},
)


def _plan(**sections: Any) -> Plan:
    base: dict[str, Any] = {
        "type": "annual",
        "year": 2027,
        "language": "en",
        "title": "P",
        "starts": "2027-01-01",
        "ends": "2027-12-31",
    }
    return Plan.model_validate({**base, **sections})


GOOD_GOALS = [
    {
        "id": "G1",
        "level": "top",
        "title": "Grow",
        "metric": "bookings",
        "target": "150",
        "unit": "money",
        "due": "2027-12-31",
    },
    {
        "id": "G2",
        "level": "operational",
        "title": "Meet",
        "metric": "meetings_booked",
        "target": 400,
        "unit": "count",
        "due": "2027-12-31",
        "parent": "G1",
    },
]
KPIS = [{"id": "bookings", "target": "150"}, {"id": "meetings_booked", "target": 400}]


def test_good_goal_is_smart() -> None:
    plan = _plan(goals=GOOD_GOALS, kpis=KPIS)
    check = check_goal(plan.goals[0], plan, HISTORY, UNITS)
    # growth 150 ÷ 138 − 1 = 8.7 % ≤ 20 % + 10 points; 150 ≤ capacity 180
    assert (
        check.specific,
        check.measurable,
        check.achievable,
        check.relevant,
        check.time_bound,
    ) == (True, True, True, True, True)
    assert check.smart and check.findings == []


def test_growth_far_above_history_is_a_warning_with_the_numbers() -> None:
    goals = [{**GOOD_GOALS[0], "target": "170"}]
    plan = _plan(goals=goals, kpis=KPIS)
    check = check_goal(plan.goals[0], plan, HISTORY, UNITS)
    # 170 ÷ 138 − 1 = 0.2319 → 23.2 %, within 20 % + 10 points: achievable
    assert check.achievable is True
    goals = [{**GOOD_GOALS[0], "target": "200"}]
    plan = _plan(goals=goals, kpis=KPIS)
    check = check_goal(plan.goals[0], plan, HISTORY, UNITS)
    # 200 ÷ 138 − 1 = 0.4493 → 44.9 % > 30 %; and 200 > capacity 180
    assert check.achievable is False and not check.smart
    by_code = {f.code: f.params for f in check.findings}
    assert by_code["growth_above_history"] == {
        "goal": "G1",
        "growth": "44.9%",
        "last": "138",
        "target": "200",
        "best": "20.0%",
    }
    assert by_code["above_capacity"] == {"goal": "G1", "target": "200", "capacity": "180"}


def test_baseline_in_the_plan_wins_over_history() -> None:
    goals = [{**GOOD_GOALS[0], "target": "200", "baseline": "190"}]
    plan = _plan(goals=goals, kpis=KPIS)
    check = check_goal(plan.goals[0], plan, History(yearly=HISTORY.yearly), UNITS)
    # 200 ÷ 190 − 1 = 5.3 % growth: achievable (no capacity given)
    assert check.achievable is True


def test_bad_goal_fails_each_letter() -> None:
    goals = [
        {
            "id": "G1",
            "level": "top",
            "title": "Grow",
            "metric": "bookings",
            "target": "150",
            "unit": "money",
            "due": "2027-12-31",
        },
        {
            "id": "G2",
            "level": "operational",
            "title": "Be great",
            "metric": "happiness",
            "target": 3,
            "unit": "rate",
            "due": "2028-06-30",
        },
        {
            "id": "G3",
            "level": "operational",
            "title": "More",
            "metric": "win_rate",
            "target": 30,
            "unit": "count",
            "parent": "G1",
        },
    ]
    plan = _plan(goals=goals, kpis=[])
    top, vague, wrong_unit = (check_goal(g, plan, History(), UNITS) for g in plan.goals)
    assert not top.relevant  # bookings is not among the plan's KPIs
    assert [f.code for f in top.findings] == ["metric_not_tracked"]
    assert top.achievable is None  # no numbers to judge by
    assert [f.code for f in vague.findings] == ["no_metric", "due_after_plan", "no_parent"]
    assert (vague.specific, vague.time_bound, vague.relevant) == (False, False, False)
    assert [f.code for f in wrong_unit.findings] == ["unit_mismatch", "no_due"]
    assert wrong_unit.findings[0].params["expected"] == "rate"
    assert (wrong_unit.measurable, wrong_unit.time_bound) == (False, False)


def test_overdue_and_ownerless_items() -> None:
    plan = _plan(
        initiatives=[
            {"id": "I1", "title": "a", "owner": "Li", "deadline": "2027-02-01"},
            {"id": "I2", "title": "b", "deadline": "2027-04-01"},
            {"id": "I3", "title": "c", "owner": "Li", "deadline": "2027-01-01", "status": "done"},
        ],
        actions=[
            {"id": "A1", "title": "x", "owner": "Anna"},
            {"id": "A2", "title": "y", "deadline": "2027-02-27", "status": "in_progress"},
        ],
    )
    found = [(f.kind, f.id, f.code, f.days) for f in item_findings(plan, TODAY)]
    assert found == [
        ("initiative", "I1", "overdue", 28),  # Feb 1 → Mar 1 2027 = 28 days
        ("initiative", "I2", "ownerless", None),
        ("action", "A1", "no_deadline", None),
        ("action", "A2", "ownerless", None),
        ("action", "A2", "overdue", 2),  # Feb 27 → Mar 1 = 2 days
    ]


def test_sub_plans_roll_up_to_the_top_goal() -> None:
    plan = _plan(
        goals=GOOD_GOALS,
        sub_plans=[{"path": "inbound", "target": "90"}, {"path": "outbound", "target": "50.50"}],
    )
    result = rollup(plan)
    assert result is not None
    assert (result.total, result.top_target, result.difference) == (
        Decimal("140.50"),
        Decimal("150"),
        Decimal("-9.50"),
    )  # 90 + 50.50 − 150


def test_kpi_status_bands() -> None:
    bands = Thresholds()  # on track ≥ 95 %, at risk ≥ 80 %
    assert kpi_status(Decimal(100), Decimal(96), "up", bands) == "on_track"
    assert kpi_status(Decimal(100), Decimal(80), "up", bands) == "at_risk"
    assert kpi_status(Decimal(100), Decimal(79), "up", bands) == "off_track"
    # lower is better: target 40 days, actual 48 → 40 ÷ 48 = 83 % → at risk
    assert kpi_status(Decimal(40), Decimal(48), "down", bands) == "at_risk"


def _states(steps: list[Any]) -> dict[str, str]:
    return {s.key: s.state for s in steps}


def test_status_of_an_empty_workspace_without_plan() -> None:
    steps = process_status(None, DataFacts(), today=TODAY)
    assert len(steps) == 9
    assert set(_states(steps).values()) == {"missing"}
    assert steps[1].notes[0].msgid == "No plan yet: run `salesplan plan new`."


COMPLETE: dict[str, Any] = {
    "goals": [{**g, "baseline": "138"} if g["level"] == "top" else g for g in GOOD_GOALS],
    "kpis": KPIS,
    "reviews": [{"id": "R1", "kind": "forecast", "cadence": "weekly"}],
    "stakeholders": [{"id": "marketing", "name": "Marketing", "function": "marketing"}],
    "initiatives": [
        {
            "id": "I1",
            "title": "Demo script",
            "owner": "Li",
            "deadline": "2027-06-30",
            "kpi": "win_rate",
            "expected_lift": 0.03,
            "gap": "win_rate/2026/all",
            "stakeholders": [{"stakeholder": "marketing", "role": "consulted"}],
        }
    ],
    "actions": [
        {
            "id": "A1",
            "title": "Write questions",
            "owner": "Li",
            "deadline": "2027-04-01",
            "initiative": "I1",
        }
    ],
}
DATA = DataFacts(opportunities=3000, history_years=3, open_deals=250)


def test_status_of_a_complete_plan() -> None:
    steps = process_status(
        _plan(**COMPLETE), DATA, today=TODAY, history=HISTORY, kpi_units=UNITS, kpi_types=TYPES
    )
    assert set(_states(steps).values()) == {"done"}, [(s.key, s.notes) for s in steps]
    assert steps[0].notes[0].params == {"count": 3000, "years": 3}


def test_status_of_a_partial_plan() -> None:
    partial = {
        **COMPLETE,
        "actions": [],
        "stakeholders": [],
        "initiatives": [{"id": "I1", "title": "Demo script", "status": "draft"}],
    }
    steps = process_status(
        _plan(**partial),
        DataFacts(opportunities=40, open_deals=0),
        today=TODAY,
        history=HISTORY,
        kpi_units=UNITS,
        kpi_types=TYPES,
    )
    assert _states(steps) == {
        "collect_data": "partial",  # less than a year of history
        "define_goals": "done",
        "choose_metrics": "done",
        "assess_current_state": "done",
        "forecast": "missing",  # no open deals
        "identify_gaps": "missing",
        "propose_initiatives": "partial",
        "involve_stakeholders": "missing",
        "list_actions": "missing",
    }
    assert steps[6].notes[0].params == {"ids": "I1"}
