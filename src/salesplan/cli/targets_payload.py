"""The JSON contract of `salesplan targets` (key `targets`) and its capacity and funnel tables.

Money is a decimal string of the plan currency, rates are fractions 0–1, months ISO dates
or `YYYY-MM` labels; see docs/targets.md for an example.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from typing import Any

from salesplan.cli.output import Column, Kind, TableResult
from salesplan.i18n import N_
from salesplan.i18n.money import minor_to_decimal
from salesplan.planning.targets import MethodResult
from salesplan.services.targets import TargetsReport

ACTIVITY_LABELS = {
    "call": N_("Calls"),
    "email": N_("Emails"),
    "meeting": N_("Meetings"),
    "demo": N_("Demos"),
    "social": N_("Social touches"),
    "event": N_("Events"),
    "other": N_("Other activities"),
}


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(int(minor), currency))


def _month(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.year}-{day.month:02d}"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | Fraction):
        return float(value)
    return value


def _method_json(result: MethodResult, currency: str, weights: dict[str, Any]) -> dict[str, Any]:
    inputs: dict[str, Any] = {}
    for key, value in result.inputs.items():
        if key.endswith("_minor"):
            inputs[key.removesuffix("_minor")] = _money(value, currency)
        elif isinstance(value, dict):
            inputs[key] = {k: _plain(v) for k, v in value.items()}
        else:
            inputs[key] = _plain(value)
    return {
        "method": result.method,
        "target": _money(result.target_minor, currency),
        "available": result.target_minor is not None,
        "note": result.note,
        "weight": weights.get(result.method),
        "inputs": inputs,
    }


def targets_payload(report: TargetsReport) -> dict[str, Any]:
    c, x, year = report.currency, report.inputs, report.inputs.year
    weights = report.methods[-1].inputs.get("weights", {})
    return {
        "year": year,
        "method": x.method,
        "target": _money(report.target_minor, c),
        "baseline_period": {
            "label": report.baseline_period.label,
            "start": report.baseline_period.start.isoformat(),
            "end_exclusive": report.baseline_period.end.isoformat(),
        },
        "methods": [_method_json(m, c, weights) for m in report.methods],
        "seasonality": {"source": report.seasonality_source, "weights": report.month_weights},
        "quarters": [
            {"period": f"{year}Q{q + 1}", "target": _money(v, c)}
            for q, v in enumerate(report.split.quarters)
        ],
        "months": [
            {
                "period": f"{year}-{m + 1:02d}",
                "target": _money(v, c),
                "locked": m + 1 in x.locked_months,
            }
            for m, v in enumerate(report.split.months)
        ],
        "breakdown": None
        if not report.groups
        else {
            "by": x.by,
            "basis": report.basis,
            "groups": [
                {
                    "key": g.key,
                    "share": g.share,
                    "target": _money(g.target_minor, c),
                    "locked": g.locked,
                    "months": [_money(v, c) for v in g.months],
                }
                for g in report.groups
            ],
        },
        "capacity": _capacity_json(report),
        "hiring": _hiring_json(report),
        "reverse_funnel": _funnel_json(report),
        "reverse_funnel_by_segment": [
            {
                "segment": sf.segment,
                "target": _money(sf.target_minor, report.currency),
                "won_deals": None if sf.funnel is None else sf.funnel.won,
                "opportunities": None if sf.funnel is None else sf.funnel.opportunities,
                "pipeline": None if sf.funnel is None else _money(sf.funnel.pipeline_minor, c),
                "sql": None if sf.funnel is None else sf.funnel.sql,
                "mql": None if sf.funnel is None else sf.funnel.mql,
                "leads": None if sf.funnel is None else sf.funnel.leads,
                "coverage_quarter": None if sf.funnel is None else sf.funnel.coverage_quarter,
                "activities_per_rep_week": (
                    None if sf.funnel is None else sf.funnel.activities_per_rep_week
                ),
            }
            for sf in report.segment_funnels
        ],
    }


def _capacity_json(report: TargetsReport) -> dict[str, Any] | None:
    cap, c = report.capacity, report.currency
    if cap is None:
        return None
    return {
        "total": _money(cap.total_minor, c),
        "attainment": float(cap.attainment),
        "attrition": float(cap.attrition),
        "months": [_money(v, c) for v in cap.monthly_minor],
        "members": [
            {
                "id": r.member.id,
                "name": r.member.name,
                "role": r.member.role,
                "planned": r.member.planned,
                "start": r.member.start.isoformat() if r.member.start else None,
                "end": r.member.end.isoformat() if r.member.end else None,
                "quota": _money(r.member.annual_quota_minor, c),
                "ramp_months": r.member.ramp_months,
                "ramped_months": float(r.ramped_months),
                "capacity": _money(r.capacity_minor, c),
            }
            for r in cap.members
        ],
    }


def _hiring_json(report: TargetsReport) -> dict[str, Any] | None:
    h, c = report.hiring, report.currency
    if h is None:
        return None
    return {
        "gap": _money(h.gap_minor, c),
        "quota_per_hire": _money(h.quota_minor, c),
        "ramp_months": h.ramp_months,
        "reps_needed_ramped": h.reps_needed_ramped,
        "reps_available_ramped": h.reps_available_ramped,
        "earliest_start": _month(h.earliest_start),
        "capacity_per_hire": _money(h.per_hire_minor, c),
        "hires_needed": h.hires_needed,
        "latest_start": _month(h.latest_start),
        "latest_requisition": _month(h.latest_requisition),
    }


def _funnel_json(report: TargetsReport) -> dict[str, Any] | None:
    f, c, b = report.funnel, report.currency, report.baseline
    if f is None:
        return None
    return {
        "avg_deal": _money(b.avg_deal_minor, c),
        "win_rate": b.win_rate.rate,
        "win_rate_value": b.win_rate_value,
        "cycle_days": b.cycle_median_days,
        "won_deals": f.won,
        "opportunities": f.opportunities,
        "pipeline": _money(f.pipeline_minor, c),
        "stages": [
            {"stage": s, "conversion": conv, "entries": n} for s, conv, n in f.stage_entries
        ],
        "sql": f.sql,
        "mql": f.mql,
        "leads": f.leads,
        "activities": f.activities,
        "activities_per_rep_week": f.activities_per_rep_week,
        "shift_months": f.shift_months,
        "coverage": {"quarter": f.coverage_quarter, "month": f.coverage_month},
        "months": [
            {
                "close_month": _month(m.close_month),
                "target": _money(m.target_minor, c),
                "won_deals": m.won,
                "opportunities": m.opportunities,
                "pipeline": _money(m.pipeline_minor, c),
                "create_in": _month(m.create_in),
            }
            for m in f.months
        ],
    }


def team_tables(report: TargetsReport) -> list[TableResult]:
    cap, h = report.capacity, report.hiring
    if cap is None:
        return []
    members = TableResult(
        title=N_("Team capacity"),
        columns=[
            Column("id", N_("Member")),
            Column("role", N_("Role")),
            Column("start", N_("Start"), Kind.DATE),
            Column("end", N_("End"), Kind.DATE),
            Column("quota", N_("Annual quota"), Kind.MONEY),
            Column("ramped", N_("Ramped months"), Kind.TEXT),
            Column("capacity", N_("Capacity"), Kind.MONEY),
        ],
        rows=[
            {
                "id": r.member.name or r.member.id,
                "role": r.member.role,
                "start": r.member.start,
                "end": r.member.end,
                "quota": r.member.annual_quota_minor,
                "ramped": f"{float(r.ramped_months):.2f}",
                "capacity": r.capacity_minor,
            }
            for r in cap.members
        ],
    )
    if h is None:
        return [members]
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Gap to the target"), Kind.MONEY, h.gap_minor),
        (N_("Reps needed, fully ramped"), Kind.TEXT, f"{h.reps_needed_ramped:.1f}"),
        (N_("Reps available, fully ramped"), Kind.TEXT, f"{h.reps_available_ramped:.1f}"),
        (N_("Capacity of one hire from the earliest start"), Kind.MONEY, h.per_hire_minor),
        (N_("Earliest start"), Kind.TEXT, _month(h.earliest_start)),
        (N_("Hires needed"), Kind.INT, h.hires_needed),
        (N_("Latest start"), Kind.TEXT, _month(h.latest_start)),
        (N_("Latest month to open the requisitions"), Kind.TEXT, _month(h.latest_requisition)),
    ]
    return [members, _metric_table(N_("Hiring plan"), rows)]


def _metric_table(title: str, rows: list[tuple[str, Kind, Any]]) -> TableResult:
    return TableResult(
        title=title,
        columns=[
            Column("metric", N_("Metric"), labels={name: name for name, _, _ in rows}),
            Column("value", N_("Value"), Kind.PER_ROW),
        ],
        rows=[{"metric": name, "kind": kind, "value": value} for name, kind, value in rows],
    )


def segment_funnel_table(report: TargetsReport) -> TableResult:
    """The reverse funnel per segment: what each segment's share of the target needs."""
    return TableResult(
        title=N_("Reverse funnel by segment"),
        columns=[
            Column("segment", N_("Segment")),
            Column("target", N_("Target"), Kind.MONEY),
            Column("won", N_("Deals to win"), Kind.INT),
            Column("opportunities", N_("Opportunities needed"), Kind.INT),
            Column("pipeline", N_("Pipeline value to create"), Kind.MONEY),
            Column("leads", N_("Leads"), Kind.INT),
        ],
        rows=[
            {
                "segment": sf.segment,
                "target": sf.target_minor,
                "won": None if sf.funnel is None else sf.funnel.won,
                "opportunities": None if sf.funnel is None else sf.funnel.opportunities,
                "pipeline": None if sf.funnel is None else sf.funnel.pipeline_minor,
                "leads": None if sf.funnel is None else sf.funnel.leads,
            }
            for sf in report.segment_funnels
        ],
    )


def funnel_tables(report: TargetsReport) -> list[TableResult]:
    f = report.funnel
    if f is None:
        return []
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Deals to win"), Kind.INT, f.won),
        (N_("Opportunities needed"), Kind.INT, f.opportunities),
        (N_("Pipeline value to create"), Kind.MONEY, f.pipeline_minor),
        (N_("Sales qualified leads"), Kind.INT, f.sql),
        (N_("Marketing qualified leads"), Kind.INT, f.mql),
        (N_("Leads"), Kind.INT, f.leads),
        (N_("Required coverage, quarter"), Kind.TEXT, f"{f.coverage_quarter:.2f}x"),
        (N_("Months between creating and closing"), Kind.INT, f.shift_months),
    ]
    summary = _metric_table(N_("Reverse funnel"), rows)
    stages = TableResult(
        title=N_("Deals that must enter each stage"),
        columns=[
            Column("stage", N_("Stage")),
            Column("conversion", N_("Converted to a later stage"), Kind.RATE),
            Column("entries", N_("Entered"), Kind.INT),
        ],
        rows=[{"stage": s, "conversion": conv, "entries": n} for s, conv, n in f.stage_entries],
    )
    activities = TableResult(
        title=N_("Activities"),
        columns=[
            Column("type", N_("Activity"), labels=ACTIVITY_LABELS),
            Column("total", N_("Needed in the year"), Kind.INT),
            Column("per_rep_week", N_("Per rep per week"), Kind.TEXT),
        ],
        rows=[
            {
                "type": kind,
                "total": total,
                "per_rep_week": (
                    f"{f.activities_per_rep_week[kind]:.1f}"
                    if kind in f.activities_per_rep_week
                    else None
                ),
            }
            for kind, total in f.activities.items()
        ],
    )
    schedule = TableResult(
        title=N_("Pipeline to create, by month"),
        columns=[
            Column("close_month", N_("Close month")),
            Column("target", N_("Target"), Kind.MONEY),
            Column("won", N_("Deals to win"), Kind.INT),
            Column("opportunities", N_("Opportunities needed"), Kind.INT),
            Column("pipeline", N_("Pipeline value to create"), Kind.MONEY),
            Column("create_in", N_("Create in")),
        ],
        rows=[
            {
                "close_month": _month(m.close_month),
                "target": m.target_minor,
                "won": m.won,
                "opportunities": m.opportunities,
                "pipeline": m.pipeline_minor,
                "create_in": _month(m.create_in),
            }
            for m in f.months
        ],
    )
    by_segment = [segment_funnel_table(report)] if report.segment_funnels else []
    return [summary, stages, activities, schedule, *by_segment]
