"""`salesplan import KIND FILE`: a CRM export into the workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import STATE, app, settings
from salesplan.cli.labels import record_label
from salesplan.cli.output import Column, Result, TableResult, parse_format, render
from salesplan.cli.progress import TerminalProgress
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import N_, Translator, translator
from salesplan.ingest.validate import PRINT_LIMIT, Problem, sort_key
from salesplan.services.imports import ImportReport, import_file, kind_of, suggest_mapping


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            "Invalid date {value} for {option}; write it as YYYY-MM-DD.",
            value=value,
            option="--as-of",
        ) from None


def _problem_rows(problems: list[Problem], t: Translator) -> list[dict[str, Any]]:
    return [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "severity": p.severity,
            "code": p.code,
            "message": p.message(t.gettext),
        }
        for p in problems
    ]


def _payload(report: ImportReport, t: Translator) -> dict[str, Any]:
    shown = sorted(report.errors, key=sort_key)[:PRINT_LIMIT]
    return {
        "kind": report.kind,
        "file": str(report.file.resolve()),
        "preset": report.preset,
        "preset_detected": report.preset_detected,
        "encoding": report.encoding,
        "sheet": report.sheet,
        "rows_read": report.rows_read,
        "rows_written": report.rows_written,
        "rejected": report.rejected,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "events_written": report.events_written,
        "stages_replaced": report.stages_replaced,
        "batch_id": report.batch_id,
        "dry_run": report.dry_run,
        "report": str(report.report_path.resolve()) if report.report_path else None,
        "rejects": str(report.rejects_path.resolve()) if report.rejects_path else None,
        "problems": _problem_rows(shown, t),
    }


def _problems_table(report: ImportReport, t: Translator) -> TableResult:
    shown = sorted(report.errors, key=sort_key)[:PRINT_LIMIT]
    return TableResult(
        title=N_("Problems"),
        columns=[
            Column("row", N_("Row")),
            Column("column", N_("Column")),
            Column("value", N_("Value")),
            Column("message", N_("Problem")),
        ],
        rows=[
            {"row": p.row, "column": p.column, "value": p.value, "message": p.message(t.gettext)}
            for p in shown
        ],
    )


def _summary_lines(report: ImportReport, t: Translator) -> list[str]:
    lines = []
    if report.preset_detected:
        lines.append(
            t.gettext("Preset {preset} (detected from the headers).", preset=report.preset)
        )
    if report.dry_run and report.ok:
        lines.append(
            t.gettext(
                "Dry run: {rows} rows of {kind} are valid; nothing was written.",
                rows=report.rows_read - report.rejected,
                kind=t.gettext(record_label(report.kind)),
            )
        )
    elif report.batch_id is not None:
        lines.append(
            t.gettext(
                "Imported {rows} rows of {kind} as batch {batch}.",
                rows=report.rows_written,
                kind=t.gettext(record_label(report.kind)),
                batch=report.batch_id,
            )
        )
    if report.events_written:
        lines.append(t.gettext("Recorded {count} stage events.", count=report.events_written))
    if report.stages_replaced and not report.dry_run:
        lines.append(
            t.gettext("The workspace now uses the stage list of {preset}.", preset=report.preset)
        )
    if report.rejects_path is not None:
        lines.append(
            t.gettext(
                "Skipped {count} invalid rows; they are in {path} with the reasons.",
                count=report.rejected,
                path=str(report.rejects_path),
            )
        )
    return lines


@app.command("import")
def import_command(
    kind: Annotated[
        str,
        typer.Argument(
            help="opportunities, accounts, leads, activities, stage-history, team, products "
            "or rates."
        ),
    ],
    file: Annotated[Path, typer.Argument(help="The export: CSV, TSV, TXT or XLSX.")],
    preset: Annotated[
        str | None,
        typer.Option(
            "--preset",
            help="salesforce, salesforce-api, hubspot, pipedrive, dynamics, odoo, zoho, zh or "
            "generic; default: detected from the headers.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="A mapping file (YAML), see docs/importing.md.")
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="The XLSX sheet to read.")] = None,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="The file's encoding; default: detected.")
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date the export was taken (YYYY-MM-DD); default: today."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the file and report; write nothing.")
    ] = False,
    skip_invalid: Annotated[
        Path | None,
        typer.Option("--skip-invalid", help="Import the valid rows; write the others here."),
    ] = None,
    suggest: Annotated[
        Path | None,
        typer.Option(
            "--suggest-mapping", help="Write a starting mapping file here; import nothing."
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Output format: table, json or csv.")
    ] = "table",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the result to this file.")
    ] = None,
) -> None:
    """Import a CRM export (Salesforce, HubSpot, Pipedrive, Odoo, Zoho, Chinese CRMs, sheets)."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    kind_of(kind)
    if suggest is not None:
        suggested = suggest_mapping(
            s, kind, file, suggest, preset=preset, sheet=sheet, encoding=encoding
        )
        if not STATE.quiet:
            typer.echo(t.gettext("Wrote {path}", path=str(suggested.path)))
        return
    with TerminalProgress(t, 3, quiet=STATE.quiet) as progress:
        report = import_file(
            s,
            kind,
            file,
            preset=preset,
            mapping_path=mapping,
            sheet=sheet,
            encoding=encoding,
            as_of=_as_of(as_of),
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=progress,
        )
    result = Result(
        key="import",
        payload=_payload(report, t),
        tables=[_problems_table(report, t)] if report.errors else [],
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
        warnings=[{"code": w.code, "message": w.message(t.gettext)} for w in report.warnings],
    )
    render(result, output, t, out)
    if output.value == "table" and out is None and not STATE.quiet:
        for line in _summary_lines(report, t):
            typer.echo(line)
    if not report.ok:
        raise DataError(
            "{count} problems in {file}; nothing was imported. The full report is in {path}.",
            count=len(report.errors),
            file=report.file.name,
            path=str(report.report_path),
        )
