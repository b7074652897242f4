"""Options and the print step shared by commands that show one result."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import settings
from salesplan.cli.output import OutputFormat, Result, TableResult, render
from salesplan.i18n import translator

PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="2026, 2026Q1, 2026-03 or last-12m (default)."),
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]


def emit(
    key: str,
    payload: Any,
    tables: list[TableResult],
    *,
    as_of: dt.date | None,
    output: OutputFormat,
    out: Path | None,
) -> None:
    """Render one result in the workspace's currency and language (see cli/output.py)."""
    s = settings()
    result = Result(
        key=key,
        payload=payload,
        tables=tables,
        currency=s.currency,
        locale=s.locale,
        as_of=as_of,
    )
    render(result, output, translator(s.locale), out)
