"""Who we sell to and how: target market, strategies and tactics, lead qualification, pricing
and promotions, market environment and competitors (the guide's 目标客户, 策略与战术,
定价与促销 and 市场环境与竞争 sections).

Qualification criteria and priority rules are data (field, operator, value) so that another
part of salesplan can execute them on lead and opportunity records.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from salesplan.domain.plan_types import N_, Date, Fraction, Id, Number, Section, Text, rule_error

SegmentId = Id


class Segment(Section):
    """A group of buyers with the same buying process; `from_data` when found in the CRM,
    `status: draft` until a person adopts what the data proposed."""

    id: Id
    name: Text
    geography: list[Text] = Field(default_factory=list)
    industries: list[Text] = Field(default_factory=list)
    company_size: str | None = None
    """e.g. `1-50`, `51-500`, `500+` employees."""
    behaviour: list[Text] = Field(default_factory=list)
    pain_points: list[Text] = Field(default_factory=list)
    priority: int | None = Field(default=None, ge=1)
    """1 = the best fit (the data's ICP rank when filled from the workspace)."""
    from_data: bool = False
    status: Literal["draft", "adopted"] = "adopted"
    """`draft` when `segments --apply` wrote it from the data and nobody has reviewed it yet
    (`plan status`/`plan validate` warn); set `adopted` once reviewed. Absent = adopted."""


class Persona(Section):
    """A person in the buying group: decision maker, champion or influencer."""

    id: Id
    role: Literal["decision_maker", "champion", "influencer"]
    title: Text
    segments: list[Id] = Field(default_factory=list)
    """Segment ids; empty = every segment."""
    duties: list[Text] = Field(default_factory=list)
    pains: list[Text] = Field(default_factory=list)
    decision_criteria: list[Text] = Field(default_factory=list)


class TargetMarket(Section):
    segments: list[Segment] = Field(default_factory=list)
    personas: list[Persona] = Field(default_factory=list)


Channel = Literal[
    "email", "phone", "social", "events", "webinar", "referral", "partner", "in_person",
    "video", "chat", "content", "ads",
]  # fmt: skip
TacticKind = Literal[
    "social_selling", "referrals", "existing_customers", "multi_touch_cadence",
    "events_webinars", "outbound_prospecting", "partners", "content", "other",
]  # fmt: skip


class TouchCadence(Section):
    """A multi-touch follow-up sequence: `touches` contacts spread over `days` days."""

    touches: int = Field(ge=1)
    days: int = Field(ge=1)
    steps: list[Text] = Field(default_factory=list)


class Tactic(Section):
    kind: TacticKind
    channels: list[Channel] = Field(default_factory=list)
    description: str | None = None
    cadence: TouchCadence | None = None
    kpi: Id | None = None
    """A KPI id (analytics/kpis.yaml) the tactic is judged by."""


class Strategy(Section):
    """How one segment (or every segment when `segment` is empty) is reached and converted."""

    id: Id
    segment: Id | None = None
    objective: Text
    tactics: list[Tactic] = Field(default_factory=list)


Operator = Literal["eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "contains", "exists"]
Scalar = str | int | Number | bool
RECORDS = ("lead", "opportunity", "account")


class Condition(Section):
    """`field operator value`, e.g. `lead.company_size in [51-500, 500+]`.

    `field` is `record.column` with record lead, opportunity or account (docs/data-model.md).
    `in`/`not_in` take a list; `exists` takes true or false; the others one value.
    """

    field: str
    operator: Operator
    value: Scalar | list[Scalar] | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        record, _, column = self.field.partition(".")
        if record not in RECORDS or not column:
            raise rule_error(
                N_("{value} is not a field; write record.column with record one of: {choices}."),
                value=self.field,
                choices=", ".join(RECORDS),
            )
        wants_list = self.operator in ("in", "not_in")
        if wants_list != isinstance(self.value, list) or (
            self.value is None and self.operator != "exists"
        ):
            raise rule_error(
                N_("The operator {operator} needs {expected}."),
                operator=self.operator,
                expected="a list of values" if wants_list else "one value",
            )
        return self


class PriorityRule(Section):
    """Leads matching every condition get `priority` (1 = work first) and go to `route_to`."""

    name: Text
    when: list[Condition] = Field(min_length=1)
    priority: int = Field(ge=1, le=5)
    route_to: Id | None = None
    """A team role id (team.roles[].id)."""


class Qualification(Section):
    criteria: list[Condition] = Field(default_factory=list)
    """A lead is qualified when it meets every criterion."""
    priority_rules: list[PriorityRule] = Field(default_factory=list)


class Guardrail(Section):
    """Limits a promotion must respect so it does not erode value (fractions 0–1)."""

    max_discount: Fraction | None = Field(default=None, ge=0, le=1)
    min_margin: Fraction | None = Field(default=None, ge=0, le=1)
    approval: str | None = None
    """Who approves an exception."""


class Promotion(Section):
    id: Id
    kind: Literal["free_trial", "time_limited_discount", "subscription", "bundle", "other"]
    name: Text
    description: str | None = None
    segments: list[Id] = Field(default_factory=list)
    starts: Date | None = None
    ends: Date | None = None
    trial_days: int | None = Field(default=None, ge=1)
    discount: Fraction | None = Field(default=None, ge=0, le=1)
    guardrail: Guardrail = Field(default_factory=Guardrail)
    metric: Id | None = None
    """The KPI id the promotion must move (e.g. win_rate, sales_cycle)."""
    expected_lift: Number | None = None
    """Change of `metric`, in its unit (0.03 = +3 points of a rate)."""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        if self.kind == "free_trial" and self.trial_days is None:
            raise rule_error(N_("A free trial needs trial_days."))
        if self.kind == "time_limited_discount" and (self.ends is None or self.discount is None):
            raise rule_error(N_("A time-limited discount needs a discount and an end date (ends)."))
        cap = self.guardrail.max_discount
        if self.discount is not None and cap is not None and self.discount > cap:
            raise rule_error(
                N_("The discount {discount} is above the guardrail's max_discount {cap}."),
                discount=str(self.discount),
                cap=str(cap),
            )
        if self.starts and self.ends and self.ends < self.starts:
            raise rule_error(
                N_("The end date {ends} is before the start date {starts}."),
                ends=self.ends.isoformat(),
                starts=self.starts.isoformat(),
            )
        return self


class Pricing(Section):
    notes: str | None = None
    promotions: list[Promotion] = Field(default_factory=list)


class Competitor(Section):
    name: Text
    pricing: str | None = None
    features: list[Text] = Field(default_factory=list)
    messaging: str | None = None
    strengths: list[Text] = Field(default_factory=list)
    weaknesses: list[Text] = Field(default_factory=list)
    updated: Date | None = None


class Market(Section):
    trends: list[Text] = Field(default_factory=list)
    demand_signals: list[Text] = Field(default_factory=list)
    """Signs that demand is falling or rising, and where to watch them."""
    competitors: list[Competitor] = Field(default_factory=list)
