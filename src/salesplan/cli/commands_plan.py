"""`salesplan plan new|status|export|import|validate|schema` and `salesplan actions`."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.output import Result, machine_rows, parse_format, render
from salesplan.cli.plan_tables import (
    actions_table,
    decision_problems,
    decisions_payload,
    decisions_table,
    drift_warnings,
    goals_payload,
    goals_table,
    issue_text,
    issues_payload,
    issues_table,
    items_payload,
    items_table,
    rollup_payload,
    steps_payload,
    steps_table,
    version_payload,
)
from salesplan.domain.plan import plan_json_schema
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import translator
from salesplan.services.plan import create_plan, export_plan, import_plan, validate_plan
from salesplan.services.plan_status import list_actions, plan_status
from salesplan.services.plan_store import PlanInvalidError

plan_app = typer.Typer(
    help="Write, store and check the sales plan (plan.yaml).", no_args_is_help=True
)
app.add_typer(plan_app, name="plan")

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
AuthorOption = Annotated[
    str | None,
    typer.Option("--author", help="Who makes the change (default: SALESPLAN_AUTHOR or your user)."),
]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", help="Judge deadlines as of this day (YYYY-MM-DD); default: today."),
]


def _today(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            "Invalid date {value} for {option}; write it as YYYY-MM-DD.",
            value=value,
            option="--today",
        ) from None


def _say(message: str) -> None:
    typer.echo(message)


def _translated(exc: PlanInvalidError) -> DataError:
    t = translator(settings().locale)
    problems = "; ".join(issue_text(i, t) for i in exc.issues)
    return DataError(exc.message_id, **{**exc.params, "problems": problems})


@plan_app.command("new")
def plan_new(
    plan_type: Annotated[
        str,
        typer.Option(
            "--type", help="30-60-90, market-alignment, bd, expansion, new-product or annual."
        ),
    ] = "annual",
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the plan: en or zh.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Start a new plan even if one exists.")
    ] = False,
    author: AuthorOption = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (stored with it).")] = None,
) -> None:
    """Start a plan from a template, filled from the workspace's data; store it as a version."""
    s = settings()
    language = lang or ("zh" if s.locale == "zh_CN" else "en")
    version = create_plan(s, plan_type, language, author=author, reason=reason, force=force)
    t = translator(s.locale)
    _say(
        t.gettext(
            "Stored plan version {version} and wrote {path}.",
            version=version.number,
            path=str(s.workspace / "plan.yaml"),
        )
    )


@plan_app.command("export")
def plan_export(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite edits in plan.yaml that were not imported.")
    ] = False,
) -> None:
    """Write the latest plan version to plan.yaml (or --out)."""
    s = settings()
    result = export_plan(s, out=out, force=force)
    t = translator(s.locale)
    _say(
        t.gettext(
            "Wrote plan version {version} to {path}.",
            version=result.version.number,
            path=str(result.path),
        )
    )


@plan_app.command("import")
def plan_import(
    file: Annotated[Path | None, typer.Argument(help="Plan file (default: plan.yaml).")] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why the plan changes.")] = None,
    author: AuthorOption = None,
) -> None:
    """Validate a plan file and store it as the next version, with its reason."""
    s = settings()
    t = translator(s.locale)
    try:
        result = import_plan(s, file, reason=reason, author=author)
    except PlanInvalidError as exc:
        raise _translated(exc) from exc
    for issue in result.warnings:
        typer.echo("! " + issue_text(issue, t), err=True)
    if result.stored:
        _say(t.gettext("Stored plan version {version}.", version=result.version.number))
    else:
        _say(
            t.gettext(
                "{path} equals plan version {version}; nothing to store.",
                path=str(result.file),
                version=result.version.number,
            )
        )


@plan_app.command("validate")
def plan_validate(
    file: Annotated[Path | None, typer.Argument(help="Plan file (default: plan.yaml).")] = None,
    fmt: FormatOption = "table",
    today: TodayOption = None,
) -> None:
    """Check a plan file: problems with their paths, SMART goals, overdue and ownerless items."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    report = validate_plan(s, file, today=_today(today))
    pending = decision_problems(report.decisions, t)
    payload: dict[str, Any] = {
        "file": report.source,
        "valid": report.valid,
        "problems": issues_payload(report.issues, t) + pending,
        "goals": goals_payload(report.goals, t),
        "items": items_payload(report.items),
        "rollup": rollup_payload(report.rollup),
        "decisions": decisions_payload(report.decisions, t),
    }
    tables = [issues_table(report.issues, t, pending)]
    if report.goals:
        tables += [goals_table(report.goals, t), items_table(report.items)]
    render(Result("validation", payload, tables, s.currency, s.locale, report.as_of), output, t)
    if not report.valid:
        raise typer.Exit(1)


@plan_app.command("status")
def plan_status_command(fmt: FormatOption = "table", today: TodayOption = None) -> None:
    """The nine steps of the planning process: what is done and what is missing."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    status = plan_status(s, today=_today(today))
    payload: dict[str, Any] = {
        "version": version_payload(status.version),
        "plan_file": {"path": str(status.drift.file), "state": status.drift.state},
        "type": status.plan.type if status.plan else None,
        "year": status.plan.year if status.plan else None,
        "steps": steps_payload(status.steps, t),
        "goals": goals_payload(status.goals, t),
        "items": items_payload(status.items),
        "rollup": rollup_payload(status.rollup),
        "decisions": decisions_payload(status.decisions, t),
    }
    tables = [steps_table(status.steps, t)]
    if status.goals:
        tables.append(goals_table(status.goals, t))
    if status.items:
        tables.append(items_table(status.items))
    if status.decisions:
        tables.append(decisions_table(status.decisions, s.currency))
    result = Result(
        "plan_status",
        payload,
        tables,
        s.currency,
        s.locale,
        status.today,
        drift_warnings(status.drift, t),
    )
    render(result, output, t)


@plan_app.command("schema")
def plan_schema(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here.")] = None,
) -> None:
    """The JSON Schema of plan.yaml, for editor completion and checks."""
    text = json.dumps(plan_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    _say(translator(settings().locale).gettext("Wrote {path}", path=str(out)))


@app.command("actions")
def actions(
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this DRI (team member name or id).")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue items.")] = False,
    fmt: FormatOption = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
    today: TodayOption = None,
) -> None:
    """Initiatives and action items of the plan, with their DRI and deadline."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    report = list_actions(s, owner=owner, overdue=overdue, today=_today(today))
    table = actions_table(report.rows)
    payload = {
        "version": report.version.number,
        "filters": {"owner": owner, "overdue": overdue},
        "items": machine_rows(table, s.currency),
    }
    result = Result(
        "actions",
        payload,
        [table],
        s.currency,
        s.locale,
        report.today,
        drift_warnings(report.drift, t),
    )
    render(result, output, t, out)
