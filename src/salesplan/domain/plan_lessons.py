"""Last year's lessons, kept in next year's plan (the `lessons` section).

`salesplan plan roll-forward` writes this section when it starts a plan from the previous
one (planning/roll_forward.py): which quarters and segment goals finished under target and by
how much, each KPI against its target, and which initiatives and action items were done.
People add what they learned under `notes`. Money is Decimal in the plan currency.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from salesplan.domain.plan_execution import ActionStatus, InitiativeStatus
from salesplan.domain.plan_types import Date, Id, Money, Number, Section, Text, Unit, Year


class TargetResult(Section):
    """One target of last year against its actual (plan currency).

    `scope` is `year` (the top bookings goal), `quarter` (its quarterly split) or `goal` (a
    bookings goal of one segment); `id` is `2026`, `2026Q3` or the goal id.
    """

    scope: Literal["year", "quarter", "goal"]
    id: Text
    segment: Id | None = None
    target: Money
    actual: Money
    shortfall: Money
    """target − actual: positive when the target was missed, negative when beaten."""
    complete: bool = True
    """False when the period had not ended by the data's as-of date (actual so far)."""


KpiState = Literal["on_track", "at_risk", "off_track", "no_data"]


class KpiResult(Section):
    """A KPI of last year's plan: its target, the actual over the plan year, the status band."""

    id: Id
    unit: Unit | None = None
    target: Number
    actual: Number | None = None
    state: KpiState = "no_data"


class InitiativeResult(Section):
    """What happened to an initiative: done or not, and whether it goes on this year."""

    id: Id
    title: Text
    status: InitiativeStatus
    kpi: Id | None = None
    expected_lift: Number | None = None
    carried: bool = False


class ActionResult(Section):
    id: Id
    title: Text
    status: ActionStatus
    deadline: Date | None = None
    carried: bool = False


class Lessons(Section):
    """What last year's plan (`year`) achieved, measured on data up to `as_of`."""

    year: Year
    as_of: Date | None = None
    results: list[TargetResult] = Field(default_factory=list)
    kpis: list[KpiResult] = Field(default_factory=list)
    initiatives: list[InitiativeResult] = Field(default_factory=list)
    actions: list[ActionResult] = Field(default_factory=list)
    notes: list[Text] = Field(default_factory=list)
    """What people learned, in their words (what missed and why, what worked)."""
