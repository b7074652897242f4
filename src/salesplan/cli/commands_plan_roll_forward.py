"""`salesplan plan roll-forward --year YYYY`: next year's plan from this year's plan and results."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import settings
from salesplan.cli.commands_plan import AuthorOption, plan_app
from salesplan.cli.output import (
    Column,
    Kind,
    OutputFormat,
    Result,
    TableResult,
    parse_format,
    render,
)
from salesplan.cli.plan_tables import DECISIONS, SECTIONS, version_payload
from salesplan.documents.labels import LABELS
from salesplan.domain.plan_diff import plain
from salesplan.domain.plan_lessons import Lessons
from salesplan.i18n import N_, translator
from salesplan.i18n.money import decimal_to_minor
from salesplan.planning.roll_forward import PendingDecision
from salesplan.services.plan_roll_forward import RollForwardResult, roll_forward_plan

SCOPES = {"year": N_("Year"), "quarter": N_("Quarter"), "goal": N_("Goal")}
KPI_STATES = {
    "on_track": N_("On track for the year"),
    "at_risk": N_("At risk for the year"),
    "off_track": N_("Off track for the year"),
    "no_data": N_("No data for the year"),
}
KINDS = {"rate": Kind.RATE, "money": Kind.MONEY, "date": Kind.DATE}
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


def _cell(value: Any, kind: str, currency: str) -> Any:
    """Table value of a decision or KPI figure: money in minor units, rates as floats."""
    if value is None:
        return None
    if kind == "money":
        return decimal_to_minor(value, currency)
    if kind == "rate":
        return float(value)
    return value


def _kind(unit: str | None) -> str:
    return unit if unit in KINDS else "text"


def decisions_table(decisions: list[PendingDecision], currency: str) -> TableResult:
    rows = []
    for d in decisions:
        kind = "date" if d.section in ("initiatives", "actions") else _kind(d.unit)
        rows.append(
            {
                "section": d.section,
                "id": d.id,
                "decide": d.code,
                "kind": kind,
                "old": _cell(d.old, kind, currency),
                "proposed": _cell(d.proposed, kind, currency),
            }
        )
    return TableResult(
        title=N_("Needs a decision"),
        columns=[
            Column("section", N_("Section"), labels=SECTIONS),
            Column("id", N_("Id")),
            Column("decide", N_("To decide"), labels=DECISIONS),
            Column("old", N_("Last year"), Kind.PER_ROW),
            Column("proposed", N_("Proposed"), Kind.PER_ROW),
        ],
        rows=rows,
    )


def lesson_tables(lessons: Lessons, currency: str) -> list[TableResult]:
    results = TableResult(
        title=N_("Last year against target"),
        columns=[
            Column("scope", N_("Scope"), labels=SCOPES),
            Column("id", N_("Id")),
            Column("segment", N_("Segment")),
            Column("target", N_("Target"), Kind.MONEY),
            Column("actual", N_("Actual"), Kind.MONEY),
            Column("shortfall", N_("Shortfall"), Kind.MONEY),
            Column("note", N_("Note"), labels={"so_far": N_("So far (period not over)")}),
        ],
        rows=[
            {
                "scope": r.scope,
                "id": r.id,
                "segment": r.segment,
                "target": decimal_to_minor(r.target, currency),
                "actual": decimal_to_minor(r.actual, currency),
                "shortfall": decimal_to_minor(r.shortfall, currency),
                "note": None if r.complete else "so_far",
            }
            for r in lessons.results
        ],
    )
    kpis = TableResult(
        title=N_("KPIs last year"),
        columns=[
            Column("id", N_("KPI")),
            Column("target", N_("Target"), Kind.PER_ROW),
            Column("actual", N_("Actual"), Kind.PER_ROW),
            Column("state", N_("State"), labels=KPI_STATES),
        ],
        rows=[
            {
                "id": k.id,
                "kind": _kind(k.unit),
                "target": _cell(k.target, _kind(k.unit), currency),
                "actual": _cell(k.actual, _kind(k.unit), currency),
                "state": k.state,
            }
            for k in lessons.kpis
        ],
    )
    items = TableResult(
        title=N_("Initiatives and action items last year"),
        columns=[
            Column(
                "kind",
                N_("Kind"),
                labels={"initiative": N_("Initiative"), "action": N_("Action item")},
            ),
            Column("id", N_("Id")),
            Column("title", N_("Title")),
            Column("status", N_("Status"), labels=LABELS["status"]),
            Column("carried", N_("This year"), labels={"yes": N_("Carried"), "no": N_("Left out")}),
        ],
        rows=[
            {
                "kind": kind,
                "id": i.id,
                "title": i.title,
                "status": i.status,
                "carried": "yes" if i.carried else "no",
            }
            for kind, group in (("initiative", lessons.initiatives), ("action", lessons.actions))
            for i in group
        ],
    )
    return [results, kpis, items]


def roll_forward_payload(result: RollForwardResult) -> dict[str, Any]:
    lessons = result.lessons.model_dump(mode="json")  # money and numbers as decimal strings
    for row, model in zip(lessons["results"], result.lessons.results, strict=True):
        row["missed"] = model.complete and model.shortfall > 0
    return {
        "from": version_payload(result.source),
        "to": version_payload(result.version),
        "file": str(result.path),
        "from_year": result.from_year,
        "year": result.year,
        "decisions": [
            {
                "section": d.section,
                "id": d.id,
                "decide": d.code,
                "old": plain(d.old),
                "proposed": plain(d.proposed),
            }
            for d in result.decisions
        ],
        "dropped": [{"section": s, "id": i} for s, i in result.dropped],
        "lessons": lessons,
    }


@plan_app.command("roll-forward")
def plan_roll_forward_command(
    year: Annotated[int, typer.Option("--year", help="The new plan's year, e.g. 2027.")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the new plan here (default: plan-YEAR.yaml)."),
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (stored with it).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the --out file.")] = False,
    author: AuthorOption = None,
    fmt: FormatOption = "table",
) -> None:
    """Start next year's plan from this one: carried goals, KPIs and open items marked
    needs_decision, proposed targets beside last year's, and last year's lessons."""
    output = parse_format(fmt, (OutputFormat.TABLE, OutputFormat.JSON))
    s = settings()
    t = translator(s.locale)
    result = roll_forward_plan(s, year, out=out, reason=reason, author=author, force=force)
    tables = [
        decisions_table(result.decisions, s.currency),
        *lesson_tables(result.lessons, s.currency),
    ]
    report = Result(
        "plan_roll_forward",
        roll_forward_payload(result),
        tables,
        s.currency,
        s.locale,
        result.lessons.as_of,
        [
            {"code": code, "message": t.gettext(msgid, **params)}
            for code, msgid, params in result.warnings
        ],
    )
    render(report, output, t)
    if output.value == "table":
        typer.echo(
            t.gettext(
                "Wrote {path} and stored it as plan version {version} ({year}); {count} items "
                "need a decision.",
                path=str(result.path),
                version=result.version.number,
                year=result.year,
                count=len(result.decisions),
            )
        )
