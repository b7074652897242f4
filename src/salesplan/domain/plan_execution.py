"""Who does what and with which means: team roles and hand-offs, resources and tools,
initiatives, action items, stakeholders, budget and the review cadence (the guide's 团队结构与角色,
资源, 把缺口转化为具体举措, 引入相关方, 行动项, 截止日期与 DRI sections).

An initiative or action item has exactly one DRI: `owner` is one team member id or name,
never a list. A missing owner is allowed while drafting and reported as a finding
(plan_checks.item_findings), so `gaps --propose` can add drafts nobody owns yet.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator, Field

from salesplan.domain.plan_types import (
    N_,
    Cadence,
    Date,
    Decision,
    GrowthPath,
    Id,
    Money,
    Number,
    Section,
    Text,
    rule_error,
)


def _one_owner(value: object) -> object:
    if isinstance(value, list | tuple):
        raise rule_error(N_("Name exactly one DRI (a team member id or name), not a list."))
    if isinstance(value, str) and not value.strip():
        return None
    return value


Owner = Annotated[str | None, BeforeValidator(_one_owner)]
"""The DRI: one team member id or name."""

RoleFunction = Literal["sdr", "bdr", "ae", "am", "csm", "manager", "ops", "partner", "other"]


class Role(Section):
    """A role (SDR/BDR own pipeline, AE closing, AM/CS retention, ops systems and reports)."""

    id: Id
    function: RoleFunction
    title: Text
    owns: Literal["pipeline", "closing", "retention", "operations", "management", "other"]
    responsibilities: list[Text] = Field(default_factory=list)
    members: list[Id] = Field(default_factory=list)
    """Team member ids (the workspace's team_member records)."""
    kpis: list[Id] = Field(default_factory=list)


class Handoff(Section):
    """A lead or customer passing between roles, with the time the receiver has to act."""

    from_role: Id
    to_role: Id
    trigger: Text
    sla_hours: int = Field(ge=0)


class Team(Section):
    roles: list[Role] = Field(default_factory=list)
    handoffs: list[Handoff] = Field(default_factory=list)


class Resource(Section):
    """A tool or asset, who keeps it useful and how often it must be refreshed."""

    id: Id
    kind: Literal[
        "crm", "enablement", "project_tool", "training", "collateral", "incentive",
        "design_tool", "other",
    ]  # fmt: skip
    name: Text
    owner: Owner = None
    refresh: Cadence | None = None
    usage: str | None = None
    """What using it means, e.g. "next step and date on every open deal"."""


Function = Literal[
    "marketing", "product", "management", "enablement", "finance", "sales",
    "customer_success", "partners", "operations", "other",
]  # fmt: skip


class Stakeholder(Section):
    id: Id
    name: Text
    function: Function
    involvement: str | None = None
    sign_off: list[Text] = Field(default_factory=list)
    """Plan sections this stakeholder signs off (e.g. pricing, budget)."""


class Involvement(Section):
    """A stakeholder's part in one initiative (RACI-like)."""

    stakeholder: Id
    """A stakeholders[].id, or a function such as marketing."""
    role: Literal["approver", "contributor", "consulted", "informed"]


InitiativeStatus = Literal["draft", "planned", "in_progress", "blocked", "done", "dropped"]

GapKind = Literal[
    "stale_collateral", "inconsistent_messaging", "weak_demos", "marketing_misalignment", "other"
]


class RecordedGap(Section):
    """A gap people see that the data cannot show (outdated collateral, inconsistent
    messaging, weak demos, misalignment with marketing); `salesplan gaps` ranks it with the
    measured ones and the playbook proposes an initiative for it."""

    id: Id
    kind: GapKind
    description: Text
    segment: str | None = None
    region: str | None = None
    estimate: Money | None = None
    """Revenue at stake as its author estimates it (plan currency); none when unknown."""


class Initiative(Section):
    """A change that closes a gap: what changes, one DRI, a deadline and the KPI it moves."""

    id: Id
    title: Text
    change: str | None = None
    owner: Owner = None
    deadline: Date | None = None
    kpi: Id | None = None
    expected_lift: Number | None = None
    """Change of `kpi` in its unit (0.05 = +5 points of a rate; money in plan currency)."""
    status: InitiativeStatus = "planned"
    stakeholders: list[Involvement] = Field(default_factory=list)
    depends_on: list[Id] = Field(default_factory=list)
    """Ids of initiatives that must land first."""
    gap: str | None = Field(default=None, max_length=255)
    """The gap this initiative answers: its id from `salesplan gaps` (e.g.
    `win_rate/2026Q1/segment=enterprise`)."""
    segment: Id | None = None
    sub_plan: GrowthPath | None = None
    needs_decision: Decision = None


ActionStatus = Literal["todo", "in_progress", "blocked", "done", "dropped"]


class ActionItem(Section):
    id: Id
    title: Text
    owner: Owner = None
    deadline: Date | None = None
    status: ActionStatus = "todo"
    initiative: Id | None = None
    needs_decision: Decision = None


class BudgetLine(Section):
    id: Id
    category: Literal["headcount", "tools", "programs", "promotions", "travel", "training", "other"]
    description: str | None = None
    amount: Money
    """Plan currency, for the plan's year."""
    owner: Owner = None
    initiative: Id | None = None
    sub_plan: GrowthPath | None = None
    needs_decision: Decision = None


class Review(Section):
    """A recurring meeting where the plan is compared with results and adjusted."""

    id: Id
    kind: Literal["pipeline", "forecast", "monthly", "quarterly", "annual_planning", "other"]
    cadence: Cadence
    owner: Owner = None
    attendees: list[Text] = Field(default_factory=list)
    agenda: list[Text] = Field(default_factory=list)
    next_on: Date | None = None


class SubPlan(Section):
    """A growth path (inbound, outbound, BD, channel) with its share of the top target.

    Sub-plans roll up: their targets add up to the top goal's target (plan_checks.rollup).
    """

    path: GrowthPath
    owner: Owner = None
    target: Money | None = None
    """Bookings this path brings, plan currency."""
    goals: list[Id] = Field(default_factory=list)
    strategies: list[Id] = Field(default_factory=list)
    notes: str | None = None
    needs_decision: Decision = None
