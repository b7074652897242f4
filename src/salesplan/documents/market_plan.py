"""The plan's own words for the market sections: personas, pricing, competitors, strategy,
qualification and cadences (domain/plan_market.py), shown as written beside the data."""

from __future__ import annotations

from salesplan.documents.inputs import ReportInputs
from salesplan.documents.model import (
    Block,
    Bullets,
    Column,
    Label,
    Missing,
    Msg,
    Number,
    Paragraph,
    Percent,
    Section,
    Table,
    Value,
    _t,
)
from salesplan.documents.plan_sections import NO_PLAN, PLAN_COMMAND
from salesplan.domain.plan import Plan
from salesplan.domain.plan_market import Tactic
from salesplan.i18n import N_

CHANNELS = ("", "{c0}", "{c0}, {c1}", "{c0}, {c1}, {c2}")


def _join(items: list[str]) -> str:
    return " · ".join(items)


def _missing(key: str, title: str) -> Section:
    return Section(key, title, [Missing(NO_PLAN, PLAN_COMMAND)])


def personas_section(x: ReportInputs) -> Section:
    title = N_("Buyer personas")
    plan: Plan | None = x.plan
    if plan is None or not plan.target_market.personas:
        return _missing("personas", title)
    blocks: list[Block] = []
    if plan.target_market.segments:
        blocks.append(
            Bullets(
                [
                    _t("{segment}: {pains}", segment=s.name, pains=_join(s.pain_points) or "–")
                    for s in plan.target_market.segments
                ]
            )
        )
    blocks.append(
        Table(
            "personas",
            title,
            [
                Column(N_("Persona")),
                Column(N_("Role in the decision")),
                Column(N_("Duties")),
                Column(N_("Pains")),
                Column(N_("Decision criteria")),
            ],
            [
                [
                    p.title,
                    Label(p.role, "persona"),
                    _join(p.duties),
                    _join(p.pains),
                    _join(p.decision_criteria),
                ]
                for p in plan.target_market.personas
            ],
        )
    )
    return Section("personas", title, blocks)


def pricing_section(x: ReportInputs) -> Section:
    title = N_("Pricing and promotions")
    plan: Plan | None = x.plan
    if plan is None or not (plan.pricing.promotions or plan.pricing.notes):
        return _missing("pricing", title)
    blocks: list[Block] = [Paragraph(plan.pricing.notes)] if plan.pricing.notes else []
    if plan.pricing.promotions:
        rows: list[list[Value]] = [
            [
                p.name,
                Label(p.kind, "promotion"),
                Percent(float(p.discount), 0) if p.discount is not None else None,
                Number(p.trial_days) if p.trial_days else None,
                Percent(float(p.guardrail.max_discount), 0)
                if p.guardrail.max_discount is not None
                else None,
                p.metric,
            ]
            for p in plan.pricing.promotions
        ]
        blocks.append(
            Table(
                "promotions",
                N_("Promotions and their guardrails"),
                [
                    Column(N_("Promotion")),
                    Column(N_("Kind")),
                    Column(N_("Discount"), True),
                    Column(N_("Trial days"), True),
                    Column(N_("Maximum discount"), True),
                    Column(N_("Metric it must move")),
                ],
                rows,
            )
        )
    return Section("pricing", title, blocks)


def competitor_table(x: ReportInputs) -> Table | None:
    plan: Plan | None = x.plan
    if plan is None or not plan.market.competitors:
        return None
    return Table(
        "competitor_notes",
        N_("How we compare"),
        [
            Column(N_("Competitor")),
            Column(N_("Pricing")),
            Column(N_("Messaging")),
            Column(N_("Their strengths")),
            Column(N_("Their weaknesses")),
        ],
        [
            [c.name, c.pricing, c.messaging, _join(c.strengths), _join(c.weaknesses)]
            for c in plan.market.competitors
        ],
    )


def trend_notes(x: ReportInputs) -> list[Block]:
    plan: Plan | None = x.plan
    if plan is None or not (plan.market.trends or plan.market.demand_signals):
        return []
    items: list[Msg | str] = [*plan.market.trends, *plan.market.demand_signals]
    return [Paragraph(_t("What the team sees in the market:")), Bullets(items)]


def strategy_blocks(x: ReportInputs) -> list[Block]:
    plan: Plan | None = x.plan
    if plan is None or not plan.strategies:
        return [Missing(NO_PLAN, PLAN_COMMAND)]
    segments = {s.id: s.name for s in plan.target_market.segments}
    rows: list[list[Value]] = []
    for s in plan.strategies:
        tactics: list[Tactic | None] = [*s.tactics] or [None]
        for tactic in tactics:
            rows.append(
                [
                    s.objective,
                    segments.get(s.segment or "", s.segment),
                    Label(tactic.kind, "tactic") if tactic else None,
                    Msg(
                        CHANNELS[len(tactic.channels[:3])],
                        {f"c{i}": Label(c, "channel") for i, c in enumerate(tactic.channels[:3])},
                    )
                    if tactic and tactic.channels
                    else None,
                ]
            )
    return [
        Table(
            "strategies",
            N_("Strategies and tactics"),
            [
                Column(N_("Objective")),
                Column(N_("Segment")),
                Column(N_("Tactic")),
                Column(N_("Channels")),
            ],
            rows,
        )
    ]


def qualification_section(x: ReportInputs) -> Section:
    title = N_("Qualification criteria and priority rules")
    plan: Plan | None = x.plan
    q = plan.qualification if plan is not None else None
    if q is None or not (q.criteria or q.priority_rules):
        return _missing("qualification", title)
    blocks: list[Block] = []
    if q.criteria:
        blocks.append(Paragraph(_t("A lead is qualified when all of these hold:")))
        blocks.append(Bullets([f"{c.field} {c.operator} {c.value}" for c in q.criteria]))
    if q.priority_rules:
        blocks.append(
            Bullets(
                [
                    _t("Priority {priority}: {rule}", priority=Number(r.priority), rule=r.name)
                    for r in q.priority_rules
                ]
            )
        )
    return Section("qualification", title, blocks)


def cadence_section(x: ReportInputs) -> Section:
    title = N_("Follow-up cadence")
    plan: Plan | None = x.plan
    items: list[Msg | str] = []
    for s in plan.strategies if plan is not None else []:
        for tactic in s.tactics:
            if tactic.cadence is not None:
                items.append(
                    _t(
                        "{tactic}: {touches} touches in {days} days ({steps})",
                        tactic=Label(tactic.kind, "tactic"),
                        touches=Number(tactic.cadence.touches),
                        days=Number(tactic.cadence.days),
                        steps=" → ".join(tactic.cadence.steps) or "–",
                    )
                )
    return Section("cadence", title, [Bullets(items)]) if items else _missing("cadence", title)
