"""Yearly re-planning (planning/roll_forward.py): what is carried, dropped and marked, and the
lesson figures, on a hand-made plan with small actuals worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ruamel.yaml import YAML

from salesplan.domain.plan import Plan
from salesplan.domain.plan_checks import reference_issues
from salesplan.domain.plan_execution import Review
from salesplan.planning.roll_forward import (
    YearActuals,
    next_meeting,
    roll_forward,
    shift_years,
)

PLAN = """\
type: annual
year: 2026
language: en
title: Plan 2026 East
currency: CNY
starts: 2026-01-01
ends: 2026-12-31
goals:
  - {id: G1, level: top, title: Bookings, metric: bookings, target: "1000000.00", unit: money,
     due: 2026-12-31, baseline: "900000"}
  - {id: G2, level: operational, title: Enterprise, metric: bookings, target: "400000.00",
     unit: money, due: 2026-12-31, parent: G1, segment: enterprise}
  - {id: G3, level: operational, title: Win rate, metric: win_rate, target: 0.30, unit: rate,
     due: 2026-06-30, parent: G1}
kpis:
  - {id: bookings, target: "1000000.00"}
  - {id: win_rate, target: 0.30}
  - {id: sales_cycle, target: 40}
target_market:
  segments: [{id: enterprise, name: Enterprise}]
pricing:
  promotions:
    - {id: spring, kind: time_limited_discount, name: Spring, discount: 0.1,
       starts: 2026-03-01, ends: 2026-05-31}
initiatives:
  - {id: I1, title: Demo script, owner: Anna, deadline: 2026-05-31, status: done, kpi: win_rate,
     expected_lift: 0.03}
  - {id: I2, title: Referral programme, owner: Li, deadline: 2026-10-31, status: in_progress,
     depends_on: [I1]}
  - {id: I3, title: Partner channel, owner: Li, deadline: 2027-03-31, status: planned}
  - {id: I4, title: Webinars, owner: Anna, status: dropped}
actions:
  - {id: A1, title: Write script, owner: Anna, deadline: 2026-03-01, status: done, initiative: I1}
  - {id: A2, title: Record demo, owner: Anna, deadline: 2026-11-15, initiative: I1}
  - {id: A3, title: Ask ten customers, owner: Li, deadline: 2027-02-01, status: in_progress,
     initiative: I2}
  - {id: A4, title: Book venue, owner: Li, status: dropped, initiative: I4}
budget:
  - {id: B1, category: training, amount: "50000.00", initiative: I1}
reviews:
  - {id: R1, kind: monthly, cadence: monthly, next_on: 2026-01-31}
  - {id: R2, kind: pipeline, cadence: weekly, next_on: 2026-01-05}
  - {id: R3, kind: quarterly, cadence: quarterly, next_on: 2026-11-30}
  - {id: R4, kind: annual_planning, cadence: yearly}
sub_plans:
  - {path: inbound, target: "600000.00"}
  - {path: outbound}
"""

UNITS = {"bookings": "money", "win_rate": "rate", "sales_cycle": "days"}


def _plan() -> Plan:
    return Plan.model_validate(YAML(typ="safe").load(PLAN))


def _actuals(as_of: dt.date = dt.date(2027, 1, 10)) -> YearActuals:
    return YearActuals(
        as_of=as_of,
        quarter_bookings=[Decimal(v) for v in ("200000", "300000", "250000", "150000")],
        quarter_targets=[Decimal("250000.00")] * 4,
        segment_bookings={"enterprise": Decimal("350000")},
        kpi_values={
            "bookings": Decimal("900000"),
            "win_rate": Decimal("0.27"),
            "sales_cycle": Decimal("52"),
        },
        kpi_good={"bookings": "up", "win_rate": "up", "sales_cycle": "down"},
        kpi_units=UNITS,
    )


PROPOSALS = {"bookings": Decimal("1100000.00"), "win_rate": Decimal("0.31")}


def test_period_goals_and_kpis_are_carried_with_a_proposal_beside_them() -> None:
    rolled = roll_forward(_plan(), 2027, _actuals(), PROPOSALS, UNITS)
    plan = rolled.plan
    assert (plan.year, plan.title) == (2027, "Plan 2027 East")
    assert (plan.starts, plan.ends) == (dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    g1, g2, g3 = plan.goals
    # the old target stays; the proposal is beside it, not adopted
    assert g1.target == Decimal("1000000.00") and g1.proposed_target == Decimal("1100000.00")
    assert g1.needs_decision == "target" and g1.due == dt.date(2027, 12, 31)
    # baselines: the 2026 actuals (year over: as of 10 Jan 2027); 200k+300k+250k+150k = 900k
    assert g1.baseline == Decimal("900000")
    assert g2.baseline == Decimal("350000") and g2.proposed_target is None  # a segment goal
    assert g3.baseline == Decimal("0.27") and g3.proposed_target == Decimal("0.31")
    assert g3.due == dt.date(2027, 6, 30)
    assert [(k.id, k.target, k.proposed_target, k.needs_decision) for k in plan.kpis] == [
        ("bookings", Decimal("1000000.00"), Decimal("1100000.00"), "target"),
        ("win_rate", Decimal("0.30"), Decimal("0.31"), "target"),
        ("sales_cycle", Decimal("40"), None, "target"),
    ]
    promo = plan.pricing.promotions[0]
    assert (promo.starts, promo.ends) == (dt.date(2027, 3, 1), dt.date(2027, 5, 31))


def test_open_items_are_carried_and_marked_closed_ones_dropped() -> None:
    rolled = roll_forward(_plan(), 2027, _actuals(), PROPOSALS, UNITS)
    plan = rolled.plan
    assert rolled.dropped == [
        ("initiatives", "I1"),
        ("initiatives", "I4"),
        ("actions", "A1"),
        ("actions", "A4"),
    ]
    i2, i3 = plan.initiatives
    # I2's deadline (31 Oct 2026) is before the new year: a fresh date; I1 is done, so the
    # dependency on it is met and removed
    assert (i2.id, i2.needs_decision, i2.deadline, i2.depends_on) == (
        "I2",
        "deadline",
        dt.date(2026, 10, 31),
        [],
    )
    assert (i3.id, i3.needs_decision, i3.deadline) == ("I3", "continue", dt.date(2027, 3, 31))
    a2, a3 = plan.actions
    # A2 served the done initiative I1: carried, its link cleared
    assert (a2.id, a2.needs_decision, a2.initiative) == ("A2", "deadline", None)
    assert (a3.id, a3.needs_decision, a3.initiative) == ("A3", "continue", "I2")
    (b1,) = plan.budget
    assert (b1.needs_decision, b1.initiative, b1.amount) == ("amount", None, Decimal("50000.00"))
    inbound, outbound = plan.sub_plans
    assert inbound.needs_decision == "target" and outbound.needs_decision is None
    # 3 goals + 3 KPIs + 2 initiatives + 2 actions + 1 budget line + 1 sub-plan target = 12
    assert len(rolled.decisions) == 12
    first = rolled.decisions[0]
    assert (first.section, first.id, first.code, first.old, first.proposed, first.unit) == (
        "goals",
        "G1",
        "target",
        Decimal("1000000.00"),
        Decimal("1100000.00"),
        "money",
    )
    # the new plan is valid and its references resolve
    checked = Plan.model_validate(plan.model_dump())
    assert reference_issues(checked, {"bookings", "win_rate", "sales_cycle"}) == []


def test_review_dates_move_to_the_first_meeting_of_the_new_year() -> None:
    reviews = {r.id: r.next_on for r in roll_forward(_plan(), 2027).plan.reviews}
    assert reviews == {
        "R1": dt.date(2027, 1, 31),  # monthly from 31 Jan 2026: + 12 months
        # weekly from Mon 5 Jan 2026: 361 days to 1 Jan 2027 → 52 weeks (364 days) → 4 Jan
        "R2": dt.date(2027, 1, 4),
        "R3": dt.date(2027, 2, 28),  # quarterly from 30 Nov 2026: + 3 months, clamped
        "R4": None,  # no anchor: the calendar starts at the period start
    }
    later = Review(id="R", kind="monthly", cadence="monthly", next_on=dt.date(2027, 2, 1))
    assert next_meeting(later, dt.date(2027, 1, 1)) == dt.date(2027, 2, 1)
    assert shift_years(dt.date(2028, 2, 29), 1) == dt.date(2029, 2, 28)


def test_lessons_figures() -> None:
    lessons = roll_forward(_plan(), 2027, _actuals(), PROPOSALS, UNITS).plan.lessons
    assert lessons is not None
    assert (lessons.year, lessons.as_of) == (2026, dt.date(2027, 1, 10))
    rows = [(r.scope, r.id, r.segment, r.target, r.actual, r.shortfall) for r in lessons.results]
    assert rows == [
        # year: 1,000,000 − 900,000 = 100,000 short
        ("year", "2026", None, Decimal("1000000.00"), Decimal("900000"), Decimal("100000.00")),
        # quarters: 250,000 each − 200k / 300k / 250k / 150k
        ("quarter", "2026Q1", None, Decimal("250000.00"), Decimal("200000"), Decimal("50000")),
        ("quarter", "2026Q2", None, Decimal("250000.00"), Decimal("300000"), Decimal("-50000")),
        ("quarter", "2026Q3", None, Decimal("250000.00"), Decimal("250000"), Decimal("0")),
        ("quarter", "2026Q4", None, Decimal("250000.00"), Decimal("150000"), Decimal("100000")),
        # enterprise goal: 400,000 − 350,000
        ("goal", "G2", "enterprise", Decimal("400000.00"), Decimal("350000"), Decimal("50000")),
    ]
    assert all(r.complete for r in lessons.results)
    states = {k.id: (k.actual, k.state) for k in lessons.kpis}
    assert states == {
        "bookings": (Decimal("900000"), "at_risk"),  # 900k ÷ 1,000k = 0.90: ≥ 0.80, < 0.95
        "win_rate": (Decimal("0.27"), "at_risk"),  # 0.27 ÷ 0.30 = 0.90
        "sales_cycle": (Decimal("52"), "off_track"),  # lower is better: 40 ÷ 52 = 0.77 < 0.80
    }
    assert [(i.id, i.status, i.carried) for i in lessons.initiatives] == [
        ("I1", "done", False),
        ("I2", "in_progress", True),
        ("I3", "planned", True),
        ("I4", "dropped", False),
    ]
    assert lessons.initiatives[0].kpi == "win_rate"
    assert [(a.id, a.status, a.carried) for a in lessons.actions] == [
        ("A1", "done", False),
        ("A2", "todo", True),
        ("A3", "in_progress", True),
        ("A4", "dropped", False),
    ]


def test_an_unfinished_year_is_reported_so_far_and_sets_no_baseline() -> None:
    lessons_plan = roll_forward(_plan(), 2027, _actuals(dt.date(2026, 11, 28)), PROPOSALS).plan
    assert lessons_plan.lessons is not None
    complete = {r.id: r.complete for r in lessons_plan.lessons.results}
    # Q1–Q3 ended before 28 Nov 2026; Q4, the year and the enterprise goal had not
    assert complete == {
        "2026": False,
        "2026Q1": True,
        "2026Q2": True,
        "2026Q3": True,
        "2026Q4": False,
        "G2": False,
    }
    assert [g.baseline for g in lessons_plan.goals] == [None, None, None]


def test_skipping_a_year_sets_no_baseline() -> None:
    # 2026 → 2028: the 2026 actuals are lessons, not the baseline (that would be 2027's)
    plan = roll_forward(_plan(), 2028, _actuals(), PROPOSALS, UNITS).plan
    assert [g.baseline for g in plan.goals] == [None, None, None]
    assert plan.lessons is not None and plan.lessons.year == 2026


def test_without_data_the_plan_still_rolls_forward() -> None:
    rolled = roll_forward(_plan(), 2028)
    assert rolled.plan.year == 2028 and rolled.plan.starts == dt.date(2028, 1, 1)
    assert rolled.plan.goals[0].due == dt.date(2028, 12, 31)
    assert rolled.plan.lessons is not None and rolled.plan.lessons.results == []
    assert rolled.plan.goals[0].proposed_target is None
    with pytest.raises(ValueError):
        roll_forward(_plan(), 2026)
