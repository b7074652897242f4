"""`salesplan leads score`: the plan's qualification criteria and priority rules per lead."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import rate_json
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.i18n import N_, translator
from salesplan.services.qualification import LeadScoresReport, score_leads

leads_app = typer.Typer(help="Leads against the plan's qualification rules.", no_args_is_help=True)
app.add_typer(leads_app, name="leads")

ANSWERS = {"yes": N_("yes"), "no": N_("no")}
GROUPS = {"qualified": N_("Qualified"), "unqualified": N_("Not qualified")}


def lead_scores_payload(report: LeadScoresReport) -> dict[str, Any]:
    """The `lead_scores` JSON object (docs/market.md)."""
    r = report.result
    return {
        "criteria": report.criteria,
        "priority_rules": report.rules,
        "skipped": r.skipped,
        "qualified": sum(s.qualified for s in r.leads),
        "unqualified": sum(not s.qualified for s in r.leads),
        "qualified_conversion": rate_json(r.qualified_conversion),
        "unqualified_conversion": rate_json(r.unqualified_conversion),
        "failures": [{"criterion": f.criterion, "leads": f.failed_first} for f in r.failures],
        "model": (
            None
            if report.model is None
            else {
                "method": "naive_bayes",
                "prior": report.model.prior,
                "converted": report.model.n_converted,
                "disqualified": report.model.n_lost,
            }
        ),
        "leads": [
            {
                "id": s.lead_id,
                "qualified": s.qualified,
                "failed": s.failed,
                "priority": s.priority,
                "band": s.band,
                "rule": s.rule,
                "route_to": s.route_to,
                "converted": s.converted,
                "conversion_score": _score(report, s.lead_id),
                "top_factors": [
                    {"attribute": a, "value": v, "weight": w}
                    for a, v, w in report.scores.get(s.lead_id, (0.0, []))[1]
                ],
            }
            for s in r.leads
        ],
    }


def _score(report: LeadScoresReport, lead_id: str) -> float | None:
    found = report.scores.get(lead_id)
    return None if found is None else found[0]


def lead_scores_tables(report: LeadScoresReport) -> list[TableResult]:
    r = report.result
    per_lead = TableResult(
        title=N_("Leads against the qualification rules"),
        columns=[
            Column("id", N_("Lead")),
            Column("qualified", N_("Qualified"), labels=ANSWERS),
            Column("failed", N_("Failed criterion")),
            Column("band", N_("Priority")),
            Column("route_to", N_("Route to")),
            Column("score", N_("Conversion score"), Kind.RATE),
        ],
        rows=[
            {
                "id": s.lead_id,
                "qualified": "yes" if s.qualified else "no",
                "failed": s.failed,
                "band": s.band,
                "route_to": s.route_to,
                "score": _score(report, s.lead_id),
            }
            for s in r.leads
        ],
    )
    summary = TableResult(
        title=N_("Do the rules separate leads that convert?"),
        columns=[
            Column("group", N_("Leads"), labels=GROUPS),
            Column("n", N_("Count"), Kind.INT),
            Column("rate", N_("Converted"), Kind.RATE),
            Column("low", N_("Low (95%)"), Kind.RATE),
            Column("high", N_("High (95%)"), Kind.RATE),
        ],
        rows=[
            {"group": group, "n": c.n, "rate": c.rate, "low": c.low, "high": c.high}
            for group, c in (
                ("qualified", r.qualified_conversion),
                ("unqualified", r.unqualified_conversion),
            )
        ],
    )
    return [per_lead, summary]


@leads_app.command("score")
def score(
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Qualify each imported lead by the plan's criteria and give its priority band."""
    output = parse_format(fmt)
    s = settings()
    report = score_leads(s)
    result = Result(
        key="lead_scores",
        payload=lead_scores_payload(report),
        tables=lead_scores_tables(report),
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
    )
    render(result, output, translator(s.locale), out)
