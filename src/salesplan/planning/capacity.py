"""Team capacity by the carried-quota model, and the hires needed to close a gap.

For each quota carrier and each month m (1–12) of the plan year, in minor units:

    capacity(m) = quota ÷ 12 × presence(m) × ramp(n) × attainment × survival(m)

- presence(m): days employed in the month ÷ days in the month (start and end dates count
  as employed days), so a mid-month start or departure counts pro rata;
- ramp(n) = min(1, n ÷ (R + 1)) in the n-th month since the start month (n = 1 in the start
  month) for R ramp months: R = 3 gives 25%, 50%, 75%, then 100%;
- survival(m) = 1 − a × (2m − 1) ÷ 24, the expected share still on board in mid-month under
  an annual attrition rate a spread evenly over the year; people with a known end date are
  not discounted (their departure is already in presence).

A member's annual capacity is the exact sum rounded half-even once; the team's is the sum of
members'. Planned hires are members with `planned=True` from their start date.

Carried quota: reps needed = revenue ÷ (ramped quota × attainment). The hiring plan finds
how many hires starting on the first of the earliest possible month (after the hiring lead
time) close the gap, and the latest start month at which that many still do.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from salesplan.domain.periods import add_months
from salesplan.planning.decomposition import allocate


@dataclass(frozen=True, slots=True)
class Member:
    """A quota carrier, present or planned; quota in plan-currency minor units per year."""

    id: str
    role: str
    annual_quota_minor: int
    ramp_months: int
    start: dt.date | None
    end: dt.date | None = None
    name: str | None = None
    planned: bool = False
    region: str | None = None
    segment: str | None = None


@dataclass(frozen=True, slots=True)
class MemberCapacity:
    member: Member
    capacity_minor: int
    ramped_months: Fraction
    """Σ presence × ramp × survival: full-productivity months worked in the year."""


@dataclass(frozen=True, slots=True)
class TeamCapacity:
    year: int
    attainment: Fraction
    attrition: Fraction
    members: tuple[MemberCapacity, ...]
    monthly_minor: tuple[int, ...]
    total_minor: int


def ramp(n: int, ramp_months: int) -> Fraction:
    """Productivity in the n-th month since the start month (n = 1 is the start month)."""
    if n < 1:
        return Fraction(0)
    return min(Fraction(1), Fraction(n, max(0, ramp_months) + 1))


def presence(member: Member, year: int, month: int) -> Fraction:
    """Share of the month's days the member is employed (0–1)."""
    days = calendar.monthrange(year, month)[1]
    first, last = dt.date(year, month, 1), dt.date(year, month, days)
    start = max(first, member.start) if member.start else first
    end = min(last, member.end) if member.end else last
    if end < start:
        return Fraction(0)
    return Fraction((end - start).days + 1, days)


def survival(attrition: Fraction, month: int) -> Fraction:
    """Expected share of people still on board in mid-month m under annual attrition."""
    return 1 - attrition * Fraction(2 * month - 1, 24)


def _tenure_month(member: Member, year: int, month: int) -> int:
    if member.start is None:
        return 10**6  # employed since before the data: fully ramped
    return (year - member.start.year) * 12 + month - member.start.month + 1


def member_months(
    member: Member, year: int, attainment: Fraction, attrition: Fraction
) -> list[Fraction]:
    """Exact capacity of one member per month of `year` (minor units, not rounded)."""
    monthly_quota = Fraction(member.annual_quota_minor, 12)
    discount = attrition if member.end is None else Fraction(0)
    return [
        monthly_quota
        * presence(member, year, m)
        * ramp(_tenure_month(member, year, m), member.ramp_months)
        * attainment
        * survival(discount, m)
        for m in range(1, 13)
    ]


def team_capacity(
    members: Sequence[Member], year: int, attainment: Decimal, attrition: Decimal
) -> TeamCapacity:
    """Capacity of every member and of the team, per month and for the year."""
    att, attr = Fraction(attainment), Fraction(attrition)
    rows: list[MemberCapacity] = []
    month_sums = [Fraction(0)] * 12
    for member in members:
        months = member_months(member, year, att, attr)
        month_sums = [a + b for a, b in zip(month_sums, months, strict=True)]
        ramped = Fraction(0)
        if member.annual_quota_minor and att:
            ramped = sum(months, Fraction(0)) / (Fraction(member.annual_quota_minor, 12) * att)
        rows.append(MemberCapacity(member, round(sum(months, Fraction(0))), ramped))
    total = sum(r.capacity_minor for r in rows)
    monthly = allocate(total, month_sums) if total >= 0 else [0] * 12
    return TeamCapacity(year, att, attr, tuple(rows), tuple(monthly), total)


@dataclass(frozen=True, slots=True)
class HiringPlan:
    gap_minor: int
    """Target − capacity (positive: short of the target)."""
    quota_minor: int
    ramp_months: int
    reps_needed_ramped: float
    """Carried quota: target ÷ (quota × attainment), in fully ramped reps."""
    reps_available_ramped: float
    """Team capacity ÷ (quota × attainment), in fully ramped reps."""
    earliest_start: dt.date
    per_hire_minor: int
    """Capacity in the plan year of one hire starting on `earliest_start`."""
    hires_needed: int | None
    """None when a hire starting on `earliest_start` adds nothing in the plan year."""
    latest_start: dt.date | None
    latest_requisition: dt.date | None
    """Latest month to open the requisitions (latest start − lead time)."""


def hiring_plan(
    *,
    target_minor: int,
    capacity_minor: int,
    year: int,
    quota_minor: int,
    ramp_months: int,
    attainment: Decimal,
    attrition: Decimal,
    as_of: dt.date,
    lead_months: int,
) -> HiringPlan:
    """Hires to close target − capacity; requisitions open at the earliest the month after
    `as_of`, and a hire starts `lead_months` after the requisition opens."""
    att, attr = Fraction(attainment), Fraction(attrition)
    gap = target_minor - capacity_minor
    ramped_quota = Fraction(quota_minor) * att
    earliest = add_months(dt.date(as_of.year, as_of.month, 1), 1 + lead_months)

    def per_hire(start: dt.date) -> Fraction:
        hire = Member("hire", "ae", quota_minor, ramp_months, start, planned=True)
        return sum(member_months(hire, year, att, attr), Fraction(0))

    first = per_hire(earliest)
    needed: int | None = None
    latest: dt.date | None = None
    if gap <= 0:
        needed = 0
    elif first > 0:
        needed = math.ceil(gap / first)
        latest = earliest
        candidate = add_months(earliest, 1)
        while candidate.year <= year and needed * per_hire(candidate) >= gap:
            latest, candidate = candidate, add_months(candidate, 1)
    return HiringPlan(
        gap_minor=gap,
        quota_minor=quota_minor,
        ramp_months=ramp_months,
        reps_needed_ramped=float(target_minor / ramped_quota) if ramped_quota else 0.0,
        reps_available_ramped=float(capacity_minor / ramped_quota) if ramped_quota else 0.0,
        earliest_start=earliest,
        per_hire_minor=round(first),
        hires_needed=needed,
        latest_start=latest,
        latest_requisition=add_months(latest, -lead_months) if latest else None,
    )
