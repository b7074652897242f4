"""`salesplan segments`: candidate segments ranked by ICP fit with n and Wilson intervals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesplan.analytics.rates import LOW_CONFIDENCE_N
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json
from salesplan.cli.options import FormatOption, OutOption, PeriodOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.segments import (
    SegmentsReport,
    compute_segments,
    parse_segment_dimensions,
)
from salesplan.services.segments_apply import IcpApplied, apply_icp

DIMENSION_LABELS = {
    "segment": N_("Segment"),
    "industry": N_("Industry"),
    "company_size": N_("Company size"),
    "region": N_("Region"),
    "source": N_("Source"),
}
ACTIONS = {"written": N_("written"), "kept": N_("kept (the plan's value)")}


def applied_json(applied: IcpApplied | None) -> dict[str, Any] | None:
    """What `--apply` wrote into the plan (None without --apply)."""
    if applied is None:
        return None
    version = applied.version
    return {
        "version": None if version is None else version.number,
        "reason": None if version is None else version.reason,
        "segment_id": applied.segment_id,
        "created": applied.created,
        "written": [
            {"field": w.field, "dimension": w.dimension, "value": w.value} for w in applied.written
        ],
        "kept": [
            {"field": k.field, "dimension": k.dimension, "plan": k.value, "proposed": k.proposed}
            for k in applied.kept
        ],
        "not_stored": [{"dimension": c.dimension, "value": c.value} for c in applied.not_stored],
    }


def segments_payload(report: SegmentsReport, applied: IcpApplied | None = None) -> dict[str, Any]:
    """The `segments` JSON object (docs/market.md, docs/customers.md)."""
    c = report.currency
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "by": report.by,
        "low_confidence_n": LOW_CONFIDENCE_N,
        "candidates": [
            {
                "dimension": r.dimension,
                "value": r.value,
                "rank": r.rank,
                "fit": r.fit,
                "score": r.score,
                "win_rate": rate_json(r.win_rate),
                "win_rate_shrunk": r.win_rate_shrunk,
                "avg_deal": money(r.avg_deal_minor, c),
                "cycle_median_days": r.cycle_median_days,
                "bookings": money(r.bookings_minor, c),
                "revenue_share": r.revenue_share,
                "ltv_proxy": money(r.ltv_proxy_minor, c),
            }
            for r in report.candidates
        ],
        "icp": [
            {
                "dimension": i.dimension,
                "value": i.value,
                "fit": i.fit,
                "n": i.n,
                "low_confidence": i.low_confidence,
            }
            for i in report.icp
        ],
        "applied": applied_json(applied),
    }


def segments_tables(report: SegmentsReport) -> list[TableResult]:
    ranking = TableResult(
        title=N_("Candidate segments"),
        columns=[
            Column("dimension", N_("Dimension"), labels=DIMENSION_LABELS),
            Column("value", N_("Value")),
            Column("rank", N_("Rank"), Kind.INT),
            Column("fit", N_("ICP fit"), Kind.RATE),
            Column("n", N_("Closed deals"), Kind.INT),
            Column("win_rate", N_("Win rate"), Kind.RATE),
            Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
            Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
            Column("avg_deal", N_("Average deal size"), Kind.MONEY),
            Column("cycle", N_("Sales cycle, median days"), Kind.INT),
            Column("ltv", N_("Lifetime value proxy"), Kind.MONEY),
        ],
        rows=[
            {
                "dimension": r.dimension,
                "value": r.value,
                "rank": r.rank,
                "fit": r.fit,
                "n": r.win_rate.n,
                "win_rate": r.win_rate.rate,
                "win_low": r.win_rate.low,
                "win_high": r.win_rate.high,
                "avg_deal": r.avg_deal_minor,
                "cycle": r.cycle_median_days,
                "ltv": r.ltv_proxy_minor,
            }
            for r in report.candidates
        ],
    )
    icp = TableResult(
        title=N_("Proposed ideal customer profile"),
        columns=[
            Column("dimension", N_("Dimension"), labels=DIMENSION_LABELS),
            Column("value", N_("Value")),
            Column("fit", N_("ICP fit"), Kind.RATE),
            Column("n", N_("Closed deals"), Kind.INT),
        ],
        rows=[
            {"dimension": i.dimension, "value": i.value, "fit": i.fit, "n": i.n} for i in report.icp
        ],
    )
    return [ranking, icp]


def applied_table(applied: IcpApplied) -> TableResult:
    rows = [
        {"field": w.field, "action": "written", "value": _shown(w.value), "proposed": None}
        for w in applied.written
    ]
    rows += [
        {
            "field": k.field,
            "action": "kept",
            "value": _shown(k.value),
            "proposed": _shown(k.proposed),
        }
        for k in applied.kept
    ]
    return TableResult(
        title=N_("Proposed ICP written to the plan as a draft"),
        columns=[
            Column("field", N_("Field")),
            Column("action", N_("Action"), labels=ACTIONS),
            Column("value", N_("In the plan")),
            Column("proposed", N_("Proposed")),
        ],
        rows=rows,
    )


def _shown(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)


@app.command("segments")
def segments(
    period: PeriodOption = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Any of segment, industry, company_size, region, source."),
    ] = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
    apply: Annotated[
        bool, typer.Option("--apply", help="Write the proposed ICP into the plan as a draft.")
    ] = False,
    reason: Annotated[
        str | None, typer.Option("--reason", help="Why the plan changes (with --apply).")
    ] = None,
) -> None:
    """Rank candidate segments by ICP fit and propose an ideal customer profile."""
    output = parse_format(fmt)
    dimensions = parse_segment_dimensions(by)
    s = settings()
    report = compute_segments(s, period=period, by=dimensions)
    applied = apply_icp(s, report, reason) if apply else None
    tables = segments_tables(report)
    if applied is not None:
        tables.append(applied_table(applied))
    emit(
        "segments",
        segments_payload(report, applied),
        tables,
        as_of=report.as_of,
        output=output,
        out=out,
    )
