"""`salesplan leads score` (the plan's rules and a conversion score per lead) and
`salesplan leads calibration` (how far the score can be trusted, on leads held back)."""

from __future__ import annotations

from typing import Annotated

import typer

from salesplan.analytics.lead_scoring_choice import ScoreChoice
from salesplan.cli.app import app, settings
from salesplan.cli.leads_payload import lead_calibration_payload, lead_scores_payload, score_of
from salesplan.cli.options import FormatOption, OutOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.qualification import (
    CalibrationReport,
    LeadScoresReport,
    check_model,
    lead_calibration,
    score_leads,
)

leads_app = typer.Typer(help="Leads against the plan's qualification rules.", no_args_is_help=True)
app.add_typer(leads_app, name="leads")

ANSWERS = {"yes": N_("yes"), "no": N_("no")}
GROUPS = {
    "qualified": N_("Qualified"),
    "unqualified": N_("Not qualified"),
    "qualified_decided": N_("Qualified by attributes (decided leads)"),
    "unqualified_decided": N_("Not qualified by attributes (decided leads)"),
}
CALIBRATIONS = {"platt": N_("Platt scaling")}
METHODS = {"naive_bayes": N_("Naive Bayes"), "logistic": N_("Logistic regression")}
SELECTED_BY = {
    "option": N_("chosen with --model"),
    "lower_log_loss": N_("lower log loss on held-back leads"),
    "lower_brier": N_("lower Brier score on held-back leads"),
    "tie": N_("tie on held-back leads"),
    "no_holdout": N_("too few decided leads to hold any back"),
}
VERDICTS = {
    "agrees": N_("agrees"),
    "contradicts": N_("contradicts"),
    "unclear": N_("unclear"),
}
FLAGS = {
    "rejected_but_likely": N_("rejected, but likely to convert"),
    "qualified_but_unlikely": N_("qualified, but unlikely to convert"),
}
ModelOption = Annotated[
    str,
    typer.Option("--model", help="auto (lower held-out log loss), naive-bayes or logistic."),
]


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
            Column("disagreement", N_("Rules vs data"), labels=FLAGS),
        ],
        rows=[
            {
                "id": s.lead_id,
                "qualified": "yes" if s.qualified else "no",
                "failed": s.failed,
                "band": s.band,
                "route_to": s.route_to,
                "score": score_of(report, s.lead_id),
                "disagreement": report.disagreements.get(s.lead_id),
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
                ("qualified_decided", report.decided_qualified),
                ("unqualified_decided", report.decided_unqualified),
            )
        ],
    )
    criteria = TableResult(
        title=N_("Each criterion against the conversion history (decided leads)"),
        columns=[
            Column("criterion", N_("Criterion")),
            Column("meeting_n", N_("Meeting it"), Kind.INT),
            Column("meeting", N_("Converted"), Kind.RATE),
            Column("failing_n", N_("Failing it"), Kind.INT),
            Column("failing", N_("Converted"), Kind.RATE),
            Column("verdict", N_("Verdict"), labels=VERDICTS),
        ],
        rows=[
            {
                "criterion": c.criterion,
                "meeting_n": c.meeting.n,
                "meeting": c.meeting.rate,
                "failing_n": c.failing.n,
                "failing": c.failing.rate,
                "verdict": c.verdict,
            }
            for c in report.checks
        ],
    )
    return [per_lead, summary, criteria, _model_table(report.choice)]


def _model_table(choice: ScoreChoice) -> TableResult:
    rows = []
    for c in choice.checks:
        h = c.held_out
        rows.append(
            {
                "method": c.method,
                "chosen": "yes" if c.method == choice.method else "no",
                "why": choice.selected_by if c.method == choice.method else None,
                "calibrated_by": c.calibrated_by,
                "n": h.n if h else None,
                "ece": h.ece if h else None,
                "brier": f"{h.brier:.4f}" if h else None,
                "log_loss": f"{h.log_loss:.4f}" if h else None,
            }
        )
    return TableResult(
        title=N_("Conversion models on the newest leads held back"),
        columns=[
            Column("method", N_("Model"), labels=METHODS),
            Column("chosen", N_("Chosen"), labels=ANSWERS),
            Column("why", N_("Why"), labels=SELECTED_BY),
            Column("calibrated_by", N_("Calibrated by"), labels=CALIBRATIONS),
            Column("n", N_("Held-back leads"), Kind.INT),
            Column("ece", N_("ECE"), Kind.RATE),
            Column("brier", N_("Brier score")),
            Column("log_loss", N_("Log loss")),
        ],
        rows=rows,
    )


def lead_calibration_tables(report: CalibrationReport) -> list[TableResult]:
    bins = TableResult(
        title=N_("Reliability table: predicted against observed conversion"),
        columns=[
            Column("model", N_("Model"), labels=METHODS),
            Column("bin", N_("Predicted")),
            Column("n", N_("Leads"), Kind.INT),
            Column("mean_predicted", N_("Mean predicted"), Kind.RATE),
            Column("observed", N_("Observed"), Kind.RATE),
        ],
        rows=[
            {
                "model": c.method,
                "bin": f"{b.low:.1f}–{b.high:.1f}",
                "n": b.n,
                "mean_predicted": b.mean_predicted,
                "observed": b.observed,
            }
            for c in report.choice.checks
            if c.held_out is not None
            for b in c.held_out.bins
        ],
    )
    return [bins, _model_table(report.choice)]


@leads_app.command("score")
def score(
    model: ModelOption = "auto",
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Qualify each imported lead by the plan's criteria and score its chance to convert."""
    output = parse_format(fmt)
    check_model(model)
    report = score_leads(settings(), model)
    emit(
        "lead_scores",
        lead_scores_payload(report),
        lead_scores_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )


@leads_app.command("calibration")
def calibration(fmt: FormatOption = "table", out: OutOption = None) -> None:
    """Reliability table, ECE and Brier score of both conversion models on held-back leads."""
    output = parse_format(fmt)
    report = lead_calibration(settings())
    emit(
        "lead_calibration",
        lead_calibration_payload(report),
        lead_calibration_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )
