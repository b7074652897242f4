"""Carried-quota capacity and the hiring plan, worked by hand.

Every member below has a quota of ¥1,200,000.00 (120,000,000 fen), i.e. 10,000,000 fen a
month, and ramp 3 months (25%, 50%, 75%, then 100%); attainment 80%, plan year 2027.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from salesplan.planning.capacity import Member, hiring_plan, ramp, team_capacity

QUOTA = 120_000_000
D = dt.date

VETERAN = Member("A", "ae", QUOTA, 3, D(2020, 1, 1))
LEAVES_IN_JUNE = Member("B", "ae", QUOTA, 3, D(2019, 5, 1), D(2027, 6, 30))
HIRED_MID_APRIL = Member("C", "ae", QUOTA, 3, D(2027, 4, 16), planned=True)
LEAVES_MID_MARCH = Member("D", "am", QUOTA, 3, D(2018, 1, 1), D(2027, 3, 15))


def test_ramp_curve() -> None:
    assert [ramp(n, 3) for n in range(0, 6)] == [0, Fraction(1, 4), Fraction(1, 2),
                                                  Fraction(3, 4), 1, 1]  # fmt: skip
    assert ramp(1, 0) == 1


def test_mid_year_hire_and_departures() -> None:
    team = team_capacity(
        [VETERAN, LEAVES_IN_JUNE, HIRED_MID_APRIL, LEAVES_MID_MARCH],
        2027,
        Decimal("0.8"),
        Decimal("0"),
    )
    by_id = {row.member.id: row.capacity_minor for row in team.members}
    # A: 12 full months × 10,000,000 × 0.8 = 96,000,000.
    assert by_id["A"] == 96_000_000
    # B: January–June, 6 × 10,000,000 × 0.8 = 48,000,000.
    assert by_id["B"] == 48_000_000
    # C starts 16 April: April 15/30 days × ramp 1/4 → 1,250,000; May 1/2 → 5,000,000;
    # June 3/4 → 7,500,000; July–December 6 × 10,000,000 = 60,000,000.
    # Σ = 73,750,000 × 0.8 = 59,000,000.
    assert by_id["C"] == 59_000_000
    # D leaves 15 March: 2 × 10,000,000 + 15/31 × 10,000,000 = 24,838,709.68;
    # × 0.8 = 19,870,967.74 → 19,870,968.
    assert by_id["D"] == 19_870_968
    assert team.total_minor == 96_000_000 + 48_000_000 + 59_000_000 + 19_870_968
    assert sum(team.monthly_minor) == team.total_minor
    # January: A, B and D at 8,000,000 each; December: A and C.
    assert team.monthly_minor[0] == 24_000_000
    assert team.monthly_minor[11] == 16_000_000


def test_attrition_discounts_people_without_an_end_date() -> None:
    # survival(m) = 1 − 0.24 × (2m − 1)/24 = 1 − 0.01 × (2m − 1); Σ over 12 months
    # = 12 − 0.01 × 144 = 10.56 months × 10,000,000 × 0.8 = 84,480,000.
    team = team_capacity([VETERAN, LEAVES_IN_JUNE], 2027, Decimal("0.8"), Decimal("0.24"))
    assert team.members[0].capacity_minor == 84_480_000
    assert team.members[0].ramped_months == Fraction(1056, 100)
    # B's departure is known: no extra discount.
    assert team.members[1].capacity_minor == 48_000_000


def test_hiring_plan_for_a_gap() -> None:
    # Capacity 222,870,968 (the team above) against a target of 300,000,000:
    # gap 77,129,032. As of 20 Nov 2026 with a 3-month lead time, requisitions open in
    # December and the earliest start is 1 March 2027: ramp months 1/4 + 1/2 + 3/4 + 7 = 8.5
    # → 8.5 × 10,000,000 × 0.8 = 68,000,000 per hire → ⌈77,129,032 / 68,000,000⌉ = 2 hires.
    # Two hires still close the gap if each brings ≥ 38,564,516: April 7.5 months (60.0M),
    # May 6.5 (52.0M), June 5.5 (44.0M) do, July 4.5 (36.0M) does not → latest start June,
    # requisitions open by March.
    plan = hiring_plan(
        target_minor=300_000_000,
        capacity_minor=222_870_968,
        year=2027,
        quota_minor=QUOTA,
        ramp_months=3,
        attainment=Decimal("0.8"),
        attrition=Decimal("0"),
        as_of=D(2026, 11, 20),
        lead_months=3,
    )
    assert plan.gap_minor == 77_129_032
    assert plan.earliest_start == D(2027, 3, 1)
    assert plan.per_hire_minor == 68_000_000
    assert plan.hires_needed == 2
    assert plan.latest_start == D(2027, 6, 1)
    assert plan.latest_requisition == D(2027, 3, 1)
    # Carried quota: 300,000,000 ÷ (120,000,000 × 0.8) = 3.125 fully ramped reps.
    assert plan.reps_needed_ramped == pytest.approx(3.125)
    assert plan.reps_available_ramped == pytest.approx(222_870_968 / 96_000_000)


def test_no_gap_needs_no_hires_and_a_late_start_cannot_help() -> None:
    kwargs = dict(
        year=2027, quota_minor=QUOTA, ramp_months=3, attainment=Decimal("0.8"),
        attrition=Decimal("0"), lead_months=3,
    )  # fmt: skip
    plan = hiring_plan(target_minor=100, capacity_minor=200, as_of=D(2026, 11, 1), **kwargs)
    assert plan.hires_needed == 0
    late = hiring_plan(target_minor=200, capacity_minor=100, as_of=D(2027, 11, 1), **kwargs)
    assert late.per_hire_minor == 0
    assert late.hires_needed is None
