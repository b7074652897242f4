"""The sales plan as data: every section of the guide's written plan (撰写销售计划), validated.

`Plan` is what plan.yaml holds (docs/plan-file.md). The text is the source of what people
write; the models check it. Cross-references (goal parents, segment ids, KPI ids from the
KPI library) are checked by plan_checks.reference_issues, which knows the library and team.
Money is Decimal in the plan currency; rates are fractions 0–1; dates are ISO dates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from salesplan.domain.plan_execution import (
    ActionItem,
    BudgetLine,
    Initiative,
    RecordedGap,
    Resource,
    Review,
    Stakeholder,
    SubPlan,
    Team,
)
from salesplan.domain.plan_lessons import Lessons
from salesplan.domain.plan_market import Market, Pricing, Qualification, Strategy, TargetMarket
from salesplan.domain.plan_types import (
    N_,
    Date,
    Decision,
    Fraction,
    Id,
    Language,
    Money,
    Number,
    PlanType,
    Section,
    Text,
    Unit,
    Year,
    rule_error,
)

SCHEMA_VERSION: Literal[1] = 1


class Goal(Section):
    """A top-level goal or an operational one that serves it (SMART: see plan_checks).

    `metric` is a KPI id (analytics/kpis.yaml); `target` is in `unit` (money in plan currency,
    rates as fractions); `baseline` is the same metric last year, for achievability.
    """

    id: Id
    level: Literal["top", "operational"]
    title: Text
    metric: Id | None = None
    target: Number | None = None
    unit: Unit | None = None
    due: Date | None = None
    parent: Id | None = None
    """The goal this one serves (operational goals), by id."""
    baseline: Number | None = None
    segment: Id | None = None
    owner: str | None = None
    proposed_target: Number | None = None
    """A target salesplan proposes for this year (`plan roll-forward`, from `salesplan
    targets`); it is not the target until a person copies it into `target`."""
    needs_decision: Decision = None


class Thresholds(Section):
    """Attainment (actual ÷ target; target ÷ actual when lower is better) bands.

    ≥ on_track → on track; ≥ at_risk → at risk; below → off track.
    """

    on_track: Fraction = Field(default=Decimal("0.95"), ge=0, le=2)
    at_risk: Fraction = Field(default=Decimal("0.80"), ge=0, le=2)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.at_risk >= self.on_track:
            raise rule_error(N_("at_risk must be below on_track."))
        return self


class KpiChoice(Section):
    """A KPI from the library that this plan tracks, with its target and status bands."""

    id: Id
    target: Number | None = None
    thresholds: Thresholds = Field(default_factory=Thresholds)
    owner: str | None = None
    review: Literal["weekly", "monthly", "quarterly"] = "monthly"
    proposed_target: Number | None = None
    """As Goal.proposed_target: a proposal, not the target."""
    needs_decision: Decision = None


class Phase(Section):
    """A milestone window (30-60-90 day plans): what must be true by `ends`."""

    name: Text
    ends: Date
    focus: list[Text] = Field(default_factory=list)
    goals: list[Id] = Field(default_factory=list)


class Expansion(Section):
    """Entering a new region: logistics, entry cost and time zones (market expansion plans)."""

    regions: list[Text] = Field(min_length=1)
    logistics: list[Text] = Field(default_factory=list)
    entry_cost: Money | None = None
    """One-off cost of entering, plan currency."""
    time_zones: list[Text] = Field(default_factory=list)
    """IANA names, e.g. Asia/Singapore."""
    overlap_hours: int | None = Field(default=None, ge=0, le=24)
    """Working hours shared with the home team per day."""
    compliance: list[Text] = Field(default_factory=list)
    languages: list[Text] = Field(default_factory=list)


class Launch(Section):
    """A new product launch: positioning, competitors and channel partners."""

    product: Text
    launch_on: Date | None = None
    positioning: str | None = None
    channel_partners: list[Text] = Field(default_factory=list)
    competitors: list[Text] = Field(default_factory=list)


class Plan(Section):
    """One sales plan (plan.yaml). Section order follows the guide's written plan."""

    schema_version: Literal[1] = SCHEMA_VERSION
    type: PlanType
    year: Year
    language: Language
    title: Text
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    starts: Date | None = None
    ends: Date | None = None
    mission: str | None = None
    lessons: Lessons | None = None
    """Last year's results and what was learned (written by `plan roll-forward`)."""
    goals: list[Goal] = Field(default_factory=list)
    kpis: list[KpiChoice] = Field(default_factory=list)
    team: Team = Field(default_factory=Team)
    target_market: TargetMarket = Field(default_factory=TargetMarket)
    strategies: list[Strategy] = Field(default_factory=list)
    qualification: Qualification = Field(default_factory=Qualification)
    pricing: Pricing = Field(default_factory=Pricing)
    resources: list[Resource] = Field(default_factory=list)
    market: Market = Field(default_factory=Market)
    gaps: list[RecordedGap] = Field(default_factory=list)
    initiatives: list[Initiative] = Field(default_factory=list)
    actions: list[ActionItem] = Field(default_factory=list)
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    budget: list[BudgetLine] = Field(default_factory=list)
    reviews: list[Review] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    expansion: Expansion | None = None
    launch: Launch | None = None
    sub_plans: list[SubPlan] = Field(default_factory=list)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.starts and self.ends and self.ends < self.starts:
            raise rule_error(
                N_("The end date {ends} is before the start date {starts}."),
                ends=self.ends.isoformat(),
                starts=self.starts.isoformat(),
            )
        if self.type == "expansion" and self.expansion is None:
            raise rule_error(N_("A market expansion plan needs the expansion section."))
        if self.type == "new-product" and self.launch is None:
            raise rule_error(N_("A new product plan needs the launch section."))
        return self

    def budget_total(self) -> Decimal:
        """Σ budget lines, plan currency."""
        return sum((line.amount for line in self.budget), Decimal(0))


def plan_json_schema() -> dict[str, Any]:
    """The published JSON Schema of plan.yaml (docs/plan.schema.json), for editors."""
    schema = Plan.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "salesplan plan.yaml",
    }
