"""Sections people write in the plan (mission, roles, resources, strategy, actions, budget).

Their words come from the plan model (domain/plan.py) and are shown as written; the gaps
come from services/gaps.py. Without a plan or gaps these sections say so and name the
command that fills them. Team composition comes from the data either way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from salesplan.documents.inputs import ReportInputs
from salesplan.documents.model import (
    Block,
    Bullets,
    Column,
    Day,
    Label,
    Missing,
    Money,
    Msg,
    Number,
    Paragraph,
    Section,
    Table,
    Value,
    _t,
)
from salesplan.domain.plan import Plan
from salesplan.i18n import N_
from salesplan.i18n.money import decimal_to_minor, round_to_currency
from salesplan.planning.gaps_model import Gap
from salesplan.services.gaps import GapsReport

NO_PLAN = N_("No plan yet")
PLAN_COMMAND = "salesplan plan new"
NO_GAPS = N_("No gap analysis yet")
GAPS_COMMAND = "salesplan gaps"
SCOPE_KINDS = {"segment": "segment", "region": "region", "stage": "stage", "source": "source"}


def _join(items: Sequence[object]) -> str:
    return " · ".join(str(i) for i in items)


def _where(gap: Gap, owners: dict[str, str]) -> Value:
    parts: list[Value] = []
    for key, value in gap.scope.items():
        if key == "owner_id":
            parts.append(owners.get(value, value))
        else:
            parts.append(Label(value, SCOPE_KINDS.get(key, "")))
    if not parts:
        return _t("Whole team")
    if len(parts) == 1:
        return parts[0]
    return _t("{first} · {second}", first=parts[0], second=parts[1])


def gap_items(report: GapsReport, limit: int | None = None) -> list[Msg | str]:
    """One sentence per gap, largest revenue at stake first."""
    return [
        _t(
            "{gap} ({where}, {period}): {amount} at stake.",
            gap=Label(g.type.value, "gap"),
            where=_where(g, report.owners),
            period=g.period,
            amount=Money(g.at_stake_minor, compact=True),
        )
        for g in report.gaps[:limit]
    ]


def gaps_table(report: GapsReport, limit: int = 15) -> Table:
    return Table(
        "gaps",
        N_("Gaps ranked by revenue at stake"),
        [
            Column(N_("Gap")),
            Column(N_("Where")),
            Column(N_("Period")),
            Column(N_("Revenue at stake"), True),
            Column(N_("Confidence")),
        ],
        [
            [
                Label(g.type.value, "gap"),
                _where(g, report.owners),
                g.period,
                Money(g.at_stake_minor),
                _t("high") if g.confidence.value == "high" else _t("low"),
            ]
            for g in report.gaps[:limit]
        ],
        _t(
            "The {shown} largest of {total} gaps; `salesplan gaps` lists all of them with "
            "their formulas and samples.",
            shown=Number(min(limit, len(report.gaps))),
            total=Number(len(report.gaps)),
        ),
    )


def initiative_items(plan: Plan) -> list[Msg | str]:
    return [
        _t(
            "{initiative} (owner: {owner}, due {due})",
            initiative=i.title,
            owner=i.owner or "–",
            due=Day(i.deadline) if i.deadline else "–",
        )
        for i in plan.initiatives
        if i.status not in ("dropped", "done")
    ]


def mission_section(x: ReportInputs) -> Section:
    mission = x.plan.mission if x.plan is not None else None
    blocks: list[Block] = [Paragraph(mission)] if mission else [Missing(NO_PLAN, PLAN_COMMAND)]
    return Section("mission", N_("Mission"), blocks)


def team_table(x: ReportInputs) -> Table | None:
    cap = x.targets.capacity if x.targets is not None else None
    if cap is None:
        return None
    by_role: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for r in cap.members:
        row = by_role[r.member.role]
        row[1 if r.member.planned else 0] += 1
        row[2] += r.member.annual_quota_minor or 0
        row[3] += r.capacity_minor
    rows: list[list[Value]] = [
        [Label(role, "role"), Number(v[0]), Number(v[1]), Money(v[2]), Money(v[3])]
        for role, v in sorted(by_role.items(), key=lambda kv: -kv[1][3])
    ]
    total = [sum(v[i] for v in by_role.values()) for i in range(4)]
    rows.append([_t("Total"), Number(total[0]), Number(total[1]), Money(total[2]), Money(total[3])])
    return Table(
        "team",
        N_("Quota-carrying team"),
        [
            Column(N_("Role")),
            Column(N_("People"), True),
            Column(N_("Planned hires"), True),
            Column(N_("Annual quotas"), True),
            Column(N_("Capacity"), True),
        ],
        rows,
        _t(
            "Capacity assumes {attainment}% of quota attainment once ramped, with ramp-up "
            "for new starters.",
            attainment=Number(float(cap.attainment) * 100, 0),
        ),
    )


def team_section(x: ReportInputs) -> Section:
    blocks: list[Block] = []
    table = team_table(x)
    if table is not None:
        blocks.append(table)
    plan: Plan | None = x.plan
    if plan is not None and plan.team.roles:
        blocks.append(
            Table(
                "roles",
                N_("Roles and responsibilities"),
                [Column(N_("Role")), Column(N_("Owns")), Column(N_("Responsibilities"))],
                [
                    [r.title, Label(r.owns, "owns"), _join(r.responsibilities)]
                    for r in plan.team.roles
                ],
            )
        )
        titles = {r.id: r.title for r in plan.team.roles}
        if plan.team.handoffs:
            blocks.append(Paragraph(_t("Hand-offs between roles:")))
            blocks.append(
                Bullets(
                    [
                        _t(
                            "{source} → {target}: {trigger} (within {hours} hours)",
                            source=titles.get(h.from_role, h.from_role),
                            target=titles.get(h.to_role, h.to_role),
                            trigger=h.trigger,
                            hours=Number(h.sla_hours),
                        )
                        for h in plan.team.handoffs
                    ]
                )
            )
    else:
        blocks.append(Paragraph(_t("Responsibilities and hand-offs between roles:")))
        blocks.append(Missing(NO_PLAN, PLAN_COMMAND))
    return Section("team", N_("Team roles and responsibilities"), blocks)


def resources_section(x: ReportInputs) -> Section:
    plan: Plan | None = x.plan
    if plan is None or not plan.resources:
        return Section("resources", N_("Tools and resources"), [Missing(NO_PLAN, PLAN_COMMAND)])
    table = Table(
        "resources",
        N_("Tools and resources"),
        [
            Column(N_("Kind")),
            Column(N_("Name")),
            Column(N_("Owner")),
            Column(N_("Refresh")),
            Column(N_("How it is used")),
        ],
        [
            [
                Label(r.kind, "resource"),
                r.name,
                r.owner,
                Label(r.refresh, "cadence") if r.refresh else None,
                r.usage,
            ]
            for r in plan.resources
        ],
    )
    return Section("resources", N_("Tools and resources"), [table])


def action_section(x: ReportInputs) -> Section:
    gaps: list[Block] = [Missing(NO_GAPS, GAPS_COMMAND)] if x.gaps is None else [gaps_table(x.gaps)]
    plan: Plan | None = x.plan
    blocks: list[Block] = []
    if plan is not None and plan.initiatives:
        blocks.append(
            Table(
                "initiatives",
                N_("Initiatives"),
                [
                    Column(N_("Initiative")),
                    Column(N_("DRI")),
                    Column(N_("Deadline")),
                    Column(N_("KPI")),
                    Column(N_("Status")),
                ],
                [
                    [
                        i.title,
                        i.owner,
                        Day(i.deadline) if i.deadline else None,
                        i.kpi,
                        Label(i.status, "status"),
                    ]
                    for i in plan.initiatives
                ],
            )
        )
    if plan is not None and plan.actions:
        blocks.append(
            Table(
                "action_items",
                N_("Action items"),
                [
                    Column(N_("Action")),
                    Column(N_("DRI")),
                    Column(N_("Deadline")),
                    Column(N_("Status")),
                ],
                [
                    [
                        a.title,
                        a.owner,
                        Day(a.deadline) if a.deadline else None,
                        Label(a.status, "status"),
                    ]
                    for a in plan.actions
                ],
            )
        )
    if not blocks:
        blocks = [Missing(NO_PLAN, PLAN_COMMAND)]
    return Section(
        "actions",
        N_("Action plan"),
        [],
        [
            Section("actions_gaps", N_("Gaps to close"), gaps),
            Section("actions_initiatives", N_("Initiatives and action items"), blocks),
        ],
    )


def budget_section(x: ReportInputs) -> Section:
    plan: Plan | None = x.plan
    if plan is None or not plan.budget:
        return Section("budget", N_("Budget"), [Missing(NO_PLAN, PLAN_COMMAND)])
    c = x.currency

    def minor(amount: Decimal) -> int:
        return decimal_to_minor(round_to_currency(amount, c), c)

    total = minor(plan.budget_total())
    rows: list[list[Value]] = [
        [Label(b.category, "budget"), b.description, b.owner, Money(minor(b.amount))]
        for b in plan.budget
    ]
    rows.append([_t("Total"), None, None, Money(total)])
    blocks: list[Block] = [
        Table(
            "budget",
            N_("Budget"),
            [
                Column(N_("Category")),
                Column(N_("Description")),
                Column(N_("Owner")),
                Column(N_("Amount"), True),
            ],
            rows,
        )
    ]
    if x.forecast is not None and x.forecast.forecast.range.expected_minor > 0:
        expected = x.forecast.forecast.range.expected_minor
        blocks.append(
            Paragraph(
                _t(
                    "The budget of {total} is {share} of the {expected} of bookings we "
                    "expect in {year}.",
                    total=Money(total, compact=True),
                    share=Number(total / expected * 100, 1),
                    expected=Money(expected, compact=True),
                    year=str(x.year),
                )
            )
        )
    return Section("budget", N_("Budget"), blocks)
