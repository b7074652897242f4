"""Goals and budget: the target by quarter, month and region, the reverse funnel, capacity.

Monthly figures put the target (targets.split), last year's actual bookings and the monthly
forecast with its P10–P90 band side by side; coverage is the open pipeline expected to close
in a month divided by that month's target.
"""

from __future__ import annotations

from salesplan.documents.inputs import ReportInputs
from salesplan.documents.model import (
    Block,
    Column,
    Facts,
    Figure,
    Label,
    Missing,
    Money,
    Month,
    Number,
    Percent,
    Quarter,
    Section,
    Table,
    Value,
    _t,
)
from salesplan.documents.plan_sections import budget_section
from salesplan.documents.summary import NO_TARGETS, TARGETS_COMMAND
from salesplan.i18n import N_


def monthly_rows(x: ReportInputs) -> list[dict[str, object]]:
    """Chart rows: one per month and series (target, actual, forecast with p10/p90)."""
    rows: list[dict[str, object]] = []
    for year, month, minor in x.actuals:
        if year >= x.year - 1:
            rows.append({"month": f"{year}-{month:02d}", "series": "actual", "value": minor})
    if x.targets is not None:
        for m, minor in enumerate(x.targets.split.months, start=1):
            rows.append({"month": f"{x.year}-{m:02d}", "series": "target", "value": minor})
    for f in x.months:
        rows.append(
            {
                "month": f"{f.year}-{f.month:02d}",
                "series": "forecast",
                "value": f.expected_minor,
                "p10": f.p10_minor,
                "p90": f.p90_minor,
            }
        )
    return rows


def months_table(x: ReportInputs) -> Table | None:
    tg = x.targets
    if tg is None:
        return None
    forecast = {(f.year, f.month): f for f in x.months}
    rows: list[list[Value]] = []
    for m, target in enumerate(tg.split.months, start=1):
        f = forecast.get((x.year, m))
        pipeline = x.open_pipeline.get((x.year, m), 0)
        rows.append(
            [
                Month(x.year, m),
                Money(target),
                Money(f.expected_minor) if f else None,
                Money(f.p10_minor) if f else None,
                Money(f.p90_minor) if f else None,
                Money(pipeline),
                Number(pipeline / target, 2) if target else None,
            ]
        )
    return Table(
        "months",
        N_("Target and forecast by month"),
        [
            Column(N_("Month")),
            Column(N_("Target"), True),
            Column(N_("Expected"), True),
            Column(N_("P10"), True),
            Column(N_("P90"), True),
            Column(N_("Open pipeline"), True),
            Column(N_("Coverage"), True),
        ],
        rows,
        _t(
            "P10 is the amount we beat in nine cases out of ten, P90 in one out of ten. "
            "Coverage is the open pipeline expected to close in the month divided by its target."
        ),
    )


def _targets_blocks(x: ReportInputs) -> list[Block]:
    tg = x.targets
    assert tg is not None
    weights = tg.methods[-1].inputs.get("weights", {})
    methods = Table(
        "target_methods",
        N_("Target by method"),
        [Column(N_("Method")), Column(N_("Target"), True), Column(N_("Weight in the blend"), True)],
        [
            [
                Label(m.method, "method"),
                Money(m.target_minor) if m.target_minor is not None else None,
                Percent(float(weights[m.method]), 0) if m.method in weights else None,
            ]
            for m in tg.methods
        ],
        _t("The plan uses the {method} target.", method=Label(tg.inputs.method, "method")),
    )
    quarters = Table(
        "quarters",
        N_("Target by quarter"),
        [Column(N_("Quarter")), Column(N_("Target"), True), Column(N_("Share"), True)],
        [
            [Quarter(x.year, q), Money(v), Percent(v / tg.target_minor if tg.target_minor else 0)]
            for q, v in enumerate(tg.split.quarters, start=1)
        ],
    )
    blocks: list[Block] = [methods, quarters]
    blocks.append(
        Figure("monthly", N_("Monthly bookings: target, actual and forecast"), monthly_rows(x))
    )
    table = months_table(x)
    if table is not None:
        blocks.append(table)
    if tg.groups:
        blocks.append(
            Table(
                "regions",
                N_("Target by region"),
                [Column(N_("Region")), Column(N_("Share"), True), Column(N_("Target"), True)],
                [
                    [Label(g.key, "region"), Percent(g.share), Money(g.target_minor)]
                    for g in tg.groups
                ],
            )
        )
    return blocks


def _funnel_blocks(x: ReportInputs) -> list[Block]:
    tg = x.targets
    f = tg.funnel if tg is not None else None
    if f is None:
        return []
    facts = Facts(
        "reverse_funnel",
        N_("Reverse funnel: what the target takes"),
        [
            (N_("Deals to win"), Number(f.won)),
            (N_("Opportunities needed"), Number(f.opportunities)),
            (N_("Pipeline value to create"), Money(f.pipeline_minor, compact=True)),
            (N_("Sales qualified leads"), Number(f.sql) if f.sql is not None else None),
            (N_("Marketing qualified leads"), Number(f.mql) if f.mql is not None else None),
            (N_("Leads"), Number(f.leads) if f.leads is not None else None),
            (N_("Required pipeline coverage per quarter"), Number(f.coverage_quarter, 2)),
        ],
    )
    stages = [{"stage": s, "conversion": c, "entries": n} for s, c, n in f.stage_entries]
    stages.append({"stage": "won", "conversion": None, "entries": f.won})
    coverage = [
        {
            "month": f"{x.year}-{m:02d}",
            "coverage": x.open_pipeline.get((x.year, m), 0) / target if target else 0.0,
            "required": f.coverage_month,
        }
        for m, target in enumerate(tg.split.months, start=1)  # type: ignore[union-attr]
    ]
    return [
        facts,
        Figure("funnel", N_("Deals that must enter each stage, with conversion rates"), stages),
        Figure(
            "coverage",
            N_("Pipeline coverage by month"),
            coverage,
            _t(
                "Open pipeline expected to close in each month ÷ that month's target; the line "
                "is the coverage the win rate requires ({required}).",
                required=Number(f.coverage_month, 2),
            ),
        ),
    ]


def _capacity_blocks(x: ReportInputs) -> list[Block]:
    tg = x.targets
    if tg is None or tg.capacity is None:
        return []
    cap = tg.capacity
    blocks: list[Block] = [
        Figure(
            "capacity",
            N_("Team capacity and target by month"),
            [
                {"month": f"{x.year}-{m:02d}", "capacity": c, "target": t}
                for m, (c, t) in enumerate(zip(cap.monthly_minor, tg.split.months, strict=True), 1)
            ],
        )
    ]
    h = tg.hiring
    if h is not None:
        rows: list[tuple[str, Value]] = [
            (N_("Team capacity"), Money(cap.total_minor, compact=True)),
            (N_("Gap to the target"), Money(h.gap_minor, compact=True)),
            (N_("Hires needed"), Number(h.hires_needed) if h.hires_needed is not None else None),
            (
                N_("Latest start"),
                Month(h.latest_start.year, h.latest_start.month) if h.latest_start else None,
            ),
            (
                N_("Latest month to open the requisitions"),
                Month(h.latest_requisition.year, h.latest_requisition.month)
                if h.latest_requisition
                else None,
            ),
        ]
        blocks.append(Facts("hiring", N_("Capacity and hiring"), rows))
    return blocks


def goals_section(x: ReportInputs) -> Section:
    budget = budget_section(x)
    if x.targets is None:
        return Section(
            "goals", N_("Goals and budget"), [Missing(NO_TARGETS, TARGETS_COMMAND)], [budget]
        )
    return Section(
        "goals",
        N_("Goals and budget"),
        [],
        [
            Section("targets", N_("Targets by quarter, month and region"), _targets_blocks(x)),
            Section("funnel", N_("Reverse funnel and pipeline coverage"), _funnel_blocks(x)),
            Section("capacity", N_("Capacity"), _capacity_blocks(x)),
            budget,
        ],
    )
