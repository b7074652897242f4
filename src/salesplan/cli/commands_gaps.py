"""`salesplan gaps`: the gaps to the target ranked by revenue at stake, and their initiatives."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.documents.labels import LABELS
from salesplan.i18n import N_, Translator, translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.planning.gaps import Gap
from salesplan.services.gaps import GapsReport, compute_gaps, parse_dimensions

TYPE_LABELS = LABELS["gap"]
SOURCE_LABELS = {
    "target": N_("target"),
    "reverse_funnel": N_("reverse funnel"),
    "required_coverage": N_("required coverage"),
    "median_segment": N_("median segment"),
    "median_region": N_("median region"),
    "median_rep": N_("median rep"),
    "last_year": N_("last year"),
    "other_sources": N_("other sources"),
    "team": N_("team"),
    "clean_pipeline": N_("clean pipeline"),
    "plan": N_("recorded in the plan"),
}
CONFIDENCE_LABELS = {"high": N_("high"), "low": N_("low")}
FORMULAS = {
    "funnel_impact": N_(
        "{entries} entries × ({benchmark} − {actual}) × {downstream_win_rate} downstream win "
        "rate × {avg_deal} average deal"
    ),
    "slip_impact": N_("{bookings} bookings × {excess_days} extra days ÷ {days_per_year}"),
    "forecast_shortfall": N_("target {target} − P50 {p50} (P10 {p10}, P90 {p90})"),
    "capacity_shortfall": N_("target {target} − capacity {capacity}"),
    "pipeline_creation": N_(
        "(required {required} − created {created} in {created_in}) × {win_rate_value} win rate "
        "by value"
    ),
    "pipeline_coverage": N_(
        "(required {required} − open {open}) × {win_rate_value} win rate by value"
    ),
    "follow_up": N_("{flagged} on flagged deals × {win_rate_value} win rate by value"),
    "lead_impact": N_("{leads} leads × ({benchmark} − {actual}) × {avg_deal} average deal"),
    "retention": N_(
        "{customers_at_start} customers × ({churn} − {churn_last_year}) churn × "
        "{bookings_per_customer} per customer"
    ),
    "estimate": N_("estimate recorded in the plan: {estimate}"),
    "none": N_("no estimate recorded"),
}

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]


def _money(minor: float | int | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(round(minor), currency))


def _terms_json(gap: Gap, currency: str) -> dict[str, Any]:
    """Terms with money (`*_minor`) as decimal strings under the name without the suffix."""
    result: dict[str, Any] = {}
    for key, value in gap.terms.items():
        if key.endswith("_minor") and isinstance(value, int | float):
            result[key.removesuffix("_minor")] = _money(value, currency)
        else:
            result[key] = value
    return result


def _number(value: Any, key: str, t: Translator, currency: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if key.endswith("_minor"):
        return t.money(round(value), currency, minor=True)
    if isinstance(value, float) and 0 <= value <= 1 and key not in ("extra_deals",):
        return t.percent(value)
    return t.number(round(value, 1) if isinstance(value, float) else value)


def formula_text(gap: Gap, t: Translator, currency: str) -> str:
    params = {k.removesuffix("_minor"): _number(v, k, t, currency) for k, v in gap.terms.items()}
    return t.gettext(FORMULAS.get(gap.formula, FORMULAS["none"]), **params)


def _value(gap: Gap, value: float | None, currency: str) -> Any:
    if value is None:
        return None
    return _money(value, currency) if gap.unit == "money" else value


def gap_json(gap: Gap, rank: int, t: Translator, currency: str, play: str | None) -> dict[str, Any]:
    return {
        "rank": rank,
        "id": gap.id,
        "type": gap.type.value,
        "period": gap.period,
        "scope": gap.scope,
        "metric": gap.metric,
        "unit": gap.unit,
        "actual": _value(gap, gap.actual, currency),
        "benchmark": _value(gap, gap.benchmark, currency),
        "benchmark_source": gap.benchmark_source,
        "benchmarks": gap.benchmarks,
        "n": gap.n,
        "benchmark_n": gap.benchmark_n,
        "interval": None
        if gap.interval is None
        else [_value(gap, gap.interval[0], currency), _value(gap, gap.interval[1], currency)],
        "confidence": gap.confidence.value,
        "at_stake": _money(gap.at_stake_minor, currency),
        "formula": gap.formula,
        "formula_text": formula_text(gap, t, currency),
        "terms": _terms_json(gap, currency),
        "window": gap.window,
        "note": gap.note,
        "play": play,
    }


def gaps_payload(report: GapsReport, t: Translator) -> dict[str, Any]:
    c = report.currency
    return {
        "year": report.year,
        "period": None if report.period is None else report.period.label,
        "by": ["owner" if b == "owner_id" else b for b in report.by],
        "target": _money(report.target_minor, c),
        "target_source": report.target_source,
        "forecast_method": report.forecast_method,
        "items": [
            gap_json(g, i + 1, t, c, report.plays.get(g.id)) for i, g in enumerate(report.gaps)
        ],
        "proposals": [
            {
                "id": d.id,
                "gap": d.gap,
                "play": d.play,
                "title": d.title,
                "change": d.change,
                "kpi": d.kpi,
                "expected_lift": None if d.expected_lift is None else str(d.expected_lift),
                "expected_revenue": _money(d.expected_revenue_minor, c),
                "lift_guidance": d.lift_guidance,
                "stakeholders": [{"function": f, "role": r} for f, r in d.stakeholders],
                "segment": d.segment,
                "status": "draft",
            }
            for d in report.proposals
        ],
        "written": report.written,
    }


def _scope_text(gap: Gap, report: GapsReport) -> str:
    parts = []
    for key, value in gap.scope.items():
        if key == "owner_id":
            parts.append(report.owners.get(value, value))
        elif key != "note":
            parts.append(value)
    return " · ".join(parts) or "–"


def _display_value(gap: Gap, value: float | None) -> tuple[str, Any]:
    if value is None:
        return "text", None
    if gap.unit == "money":
        return "money", round(value)
    if gap.unit == "rate":
        return "rate", value
    if gap.unit == "days":
        return "int", value
    return "text", f"{value:.2f}×"


def gaps_tables(report: GapsReport, t: Translator) -> list[TableResult]:
    rows = []
    for i, gap in enumerate(report.gaps):
        kind, actual = _display_value(gap, gap.actual)
        _, benchmark = _display_value(gap, gap.benchmark)
        rows.append(
            {
                "rank": i + 1,
                "type": gap.type.value,
                "period": gap.period,
                "scope": _scope_text(gap, report),
                "kind": kind,
                "actual": actual if gap.note is None else gap.note,
                "benchmark": benchmark,
                "benchmark_source": gap.benchmark_source,
                "n": gap.n,
                "confidence": gap.confidence.value,
                "at_stake": gap.at_stake_minor,
                "id": gap.id,
            }
        )
    main = TableResult(
        title=N_("Gaps ranked by revenue at stake"),
        columns=[
            Column("rank", N_("Rank"), Kind.INT),
            Column("type", N_("Gap"), labels=TYPE_LABELS),
            Column("period", N_("Period")),
            Column("scope", N_("Where")),
            Column("actual", N_("Actual"), Kind.PER_ROW),
            Column("benchmark", N_("Benchmark"), Kind.PER_ROW),
            Column("benchmark_source", N_("Benchmark from"), labels=SOURCE_LABELS),
            Column("n", N_("Sample"), Kind.INT),
            Column("confidence", N_("Confidence"), labels=CONFIDENCE_LABELS),
            Column("at_stake", N_("Revenue at stake"), Kind.MONEY),
            Column("id", N_("Gap id")),
        ],
        rows=rows,
    )
    tables = [main]
    if report.proposals:
        tables.append(
            TableResult(
                title=N_("Proposed initiatives (drafts)"),
                columns=[
                    Column("id", N_("Initiative")),
                    Column("title", N_("Title")),
                    Column("kpi", N_("KPI")),
                    Column("expected_lift", N_("Expected lift")),
                    Column("expected_revenue", N_("Expected revenue"), Kind.MONEY),
                    Column("stakeholders", N_("Stakeholders")),
                    Column("gap", N_("Gap id")),
                ],
                rows=[
                    {
                        "id": d.id,
                        "title": d.title,
                        "kpi": d.kpi,
                        "expected_lift": None if d.expected_lift is None else str(d.expected_lift),
                        "expected_revenue": d.expected_revenue_minor,
                        "stakeholders": ", ".join(f for f, _ in d.stakeholders),
                        "gap": d.gap,
                    }
                    for d in report.proposals
                ],
            )
        )
    return tables


@app.command("gaps")
def gaps(
    period: Annotated[
        str | None,
        typer.Option("--period", help="Only outcome gaps inside 2026Q2, 2026-05 or 2026."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Plan year (default: this year; next from Oct).")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Compare and forecast by region, segment, owner.")
    ] = "segment",
    propose: Annotated[
        bool, typer.Option("--propose", help="Draft initiatives for the top gaps.")
    ] = False,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Gaps between the target and the data, ranked by revenue at stake."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    report = compute_gaps(
        s, year=year, period=period, by=parse_dimensions(by), propose_drafts=propose
    )
    result = Result(
        key="gaps",
        payload=gaps_payload(report, t),
        tables=gaps_tables(report, t),
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
        warnings=[
            {"code": n.code, "message": t.gettext(n.message, **n.params)} for n in report.notices
        ],
    )
    render(result, output, t, out)
