"""`salesplan demand`: demand-decline signals (leads, pipeline created) for the plan."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesplan.analytics.demand import (
    DEFAULT_MIN_RUN,
    DEFAULT_THRESHOLD,
    DemandDecline,
    DemandPoint,
    findings,
)
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money
from salesplan.cli.options import FormatOption, OutOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.demand import DemandReport, compute_demand

TABLE_MONTHS = 12
"""The table shows the last year of judged months; JSON has every month."""
METRIC_LABELS = {"leads": N_("Leads"), "pipeline": N_("Pipeline created")}
YES_NO = {"yes": N_("yes"), "no": N_("no")}


def _amount(metric: str, value: float | None, currency: str) -> Any:
    """Leads stay counts (expected rounded to 0.1); pipeline money is a decimal string."""
    if value is None:
        return None
    if metric == "pipeline":
        return money(round(value), currency)
    return value if isinstance(value, int) else round(value, 1)


def _point(p: DemandPoint, c: str) -> dict[str, Any]:
    return {
        "month": p.month.isoformat(),
        "actual": _amount(p.metric, p.actual, c),
        "expected": _amount(p.metric, p.expected, c),
        "low": _amount(p.metric, p.low, c),
        "ratio": p.ratio,
        "below": p.below,
    }


def _decline(d: DemandDecline, c: str) -> dict[str, Any]:
    return {
        "metric": d.metric,
        "months": [m.isoformat() for m in d.months],
        "actual": _amount(d.metric, d.actual, c),
        "expected": _amount(d.metric, d.expected, c),
        "shortfall": _amount(d.metric, d.shortfall, c),
        "shortfall_share": d.shortfall_share,
        "ongoing": d.ongoing,
    }


def demand_payload(report: DemandReport) -> dict[str, Any]:
    """The `demand` JSON object (docs/market.md)."""
    c, result = report.currency, report.demand
    return {
        "threshold": result.threshold,
        "min_run": result.min_run,
        "series": [
            {
                "metric": s.metric,
                "seasonality": {"method": s.method, "index": list(s.index)},
                "months": [_point(p, c) for p in s.points],
            }
            for s in result.series
        ],
        "declines": [_decline(d, c) for d in result.declines],
        "findings": [
            {
                "code": f.code,
                "kind": f.kind,
                "subject": f.subject,
                "value": f.value,
                "benchmark": f.benchmark,
                "n": f.n,
            }
            for f in findings(result)
        ],
    }


def demand_tables(report: DemandReport) -> list[TableResult]:
    by_month: dict[Any, dict[str, Any]] = {}
    for s in report.demand.series:
        for p in s.points:
            if p.expected is None:
                continue
            row = by_month.setdefault(p.month, {"month": f"{p.month:%Y-%m}"})
            row[s.metric] = p.actual
            row[f"{s.metric}_expected"] = round(p.expected)
            row[f"{s.metric}_ratio"] = p.ratio
            row[f"{s.metric}_below"] = "yes" if p.below else "no"
    months = TableResult(
        title=N_("Demand against its seasonal expectation"),
        columns=[
            Column("month", N_("Month")),
            Column("leads", N_("Leads"), Kind.INT),
            Column("leads_expected", N_("Leads expected"), Kind.INT),
            Column("leads_ratio", N_("Leads ÷ expected"), Kind.RATE),
            Column("leads_below", N_("Below"), labels=YES_NO),
            Column("pipeline", N_("Pipeline created"), Kind.MONEY),
            Column("pipeline_expected", N_("Pipeline expected"), Kind.MONEY),
            Column("pipeline_ratio", N_("Pipeline ÷ expected"), Kind.RATE),
            Column("pipeline_below", N_("Below"), labels=YES_NO),
        ],
        rows=[by_month[m] for m in sorted(by_month)][-TABLE_MONTHS:],
    )
    declines = TableResult(
        title=N_("Demand declines (consecutive months below expectation)"),
        columns=[
            Column("metric", N_("Measure"), labels=METRIC_LABELS),
            Column("first", N_("From"), Kind.DATE),
            Column("last", N_("To"), Kind.DATE),
            Column("actual", N_("Actual"), Kind.PER_ROW),
            Column("expected", N_("Expected"), Kind.PER_ROW),
            Column("shortfall_share", N_("Shortfall"), Kind.RATE),
            Column("ongoing", N_("Ongoing"), labels=YES_NO),
        ],
        rows=[
            {
                "kind": "money" if d.metric == "pipeline" else "int",
                "metric": d.metric,
                "first": d.months[0],
                "last": d.months[-1],
                "actual": d.actual,
                "expected": round(d.expected),
                "shortfall_share": d.shortfall_share,
                "ongoing": "yes" if d.ongoing else "no",
            }
            for d in report.demand.declines
        ],
    )
    return [months, declines]


@app.command("demand")
def demand(
    threshold: Annotated[
        float,
        typer.Option(help="Flag a month this far below expectation (fraction, 0.15 = 15 %)."),
    ] = DEFAULT_THRESHOLD,
    min_run: Annotated[
        int, typer.Option(help="Consecutive months below that make a decline.")
    ] = DEFAULT_MIN_RUN,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Leads and pipeline created against their seasonal expectation; declines to act on."""
    output = parse_format(fmt)
    s = settings()
    report = compute_demand(s, threshold=threshold, min_run=min_run)
    emit(
        "demand",
        demand_payload(report),
        demand_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )
