"""Printing results as a table (localised), JSON (the stable contract) or CSV.

JSON is one object: `as_of`, `currency`, `locale`, the result under its named key, and
`warnings`; money as decimal strings, rates as fractions, dates ISO 8601. CSV has the same
machine values as JSON (main table only, English snake_case headers). Only the table is
translated and formatted for the locale.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from salesplan import files
from salesplan.errors import ConfigError
from salesplan.i18n import Translator
from salesplan.i18n.money import minor_to_decimal


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class Kind(StrEnum):
    TEXT = "text"
    INT = "int"
    MONEY = "money"  # integer minor units of the result's currency
    RATE = "rate"  # fraction 0-1
    DATE = "date"
    PER_ROW = "per_row"  # the row's own "kind" entry says how to show this cell


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str  # i18n message id
    kind: Kind = Kind.TEXT
    labels: Mapping[str, str] | None = None
    """For coded text values: value → i18n message id shown in tables (JSON keeps the code)."""


@dataclass(frozen=True, slots=True)
class TableResult:
    title: str  # i18n message id
    columns: Sequence[Column]
    rows: Sequence[Mapping[str, Any]]


@dataclass
class Result:
    """What a command prints: a JSON document and the tables that show it to a person."""

    key: str
    payload: Any
    tables: list[TableResult]
    currency: str
    locale: str
    as_of: dt.date | None = None
    warnings: list[dict[str, str]] = field(default_factory=list)


def parse_format(
    value: str, allowed: tuple[OutputFormat, ...] = tuple(OutputFormat)
) -> OutputFormat:
    """`--format`'s value; `allowed` narrows it for output that has no table form of CSV."""
    try:
        chosen = OutputFormat(value.lower())
    except ValueError:
        chosen = None
    if chosen is None or chosen not in allowed:
        raise ConfigError(
            "Unknown output format {value}; use one of: {choices}.",
            value=value,
            choices=", ".join(f.value for f in allowed),
        )
    return chosen


def json_value(value: Any, kind: Kind, currency: str, row: Mapping[str, Any] | None = None) -> Any:
    """The machine form of one value: money as a decimal string, dates ISO, others as is."""
    if value is None:
        return None
    if kind is Kind.PER_ROW and row is not None:
        kind = Kind(row["kind"])
    if kind is Kind.MONEY:
        return str(minor_to_decimal(int(value), currency))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def machine_rows(table: TableResult, currency: str) -> list[dict[str, Any]]:
    return [
        {c.key: json_value(row.get(c.key), c.kind, currency, row) for c in table.columns}
        for row in table.rows
    ]


def _display(
    value: Any, column: Column, t: Translator, currency: str, row: Mapping[str, Any]
) -> str:
    kind = Kind(row["kind"]) if column.kind is Kind.PER_ROW else column.kind
    if value is None:
        return "–"
    if column.labels is not None and value in column.labels:
        return t.gettext(column.labels[value])
    if kind is Kind.MONEY:
        return t.money(int(value), currency, minor=True)
    if kind is Kind.RATE:
        return t.percent(float(value))
    if kind is Kind.INT:
        return t.number(round(value))
    if kind is Kind.DATE and isinstance(value, dt.date):
        return t.date(value)
    return str(value)


def render(result: Result, fmt: OutputFormat, t: Translator, out: Path | None = None) -> None:
    """Print (or write to `out`) the result in the chosen format."""
    if fmt is OutputFormat.JSON:
        text = json.dumps(_envelope(result), ensure_ascii=False, indent=2) + "\n"
    elif fmt is OutputFormat.CSV:
        text = _csv(result)
    else:
        text = _tables(result, t, width=None if out is None else 120)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        files.write_text(out, text)


def _envelope(result: Result) -> dict[str, Any]:
    return {
        "as_of": result.as_of.isoformat() if result.as_of else None,
        "currency": result.currency,
        "locale": result.locale,
        result.key: result.payload,
        "warnings": result.warnings,
    }


def _csv(result: Result) -> str:
    buffer = io.StringIO()
    if result.tables:
        main = result.tables[0]
        writer = csv.DictWriter(buffer, fieldnames=[c.key for c in main.columns])
        writer.writeheader()
        writer.writerows(machine_rows(main, result.currency))
    return buffer.getvalue()


def _tables(result: Result, t: Translator, width: int | None) -> str:
    console = Console(file=io.StringIO(), width=width or 120, force_terminal=False)
    for table in result.tables:
        # Text(...) everywhere: data such as `kpis[bookings]` or a file name must never be
        # read as Rich markup.
        rich_table = Table(title=Text(t.gettext(table.title)), title_justify="left")
        for column in table.columns:
            left = column.kind in (Kind.TEXT, Kind.DATE)
            rich_table.add_column(
                Text(t.gettext(column.header)), justify="left" if left else "right"
            )
        for row in table.rows:
            rich_table.add_row(
                *(Text(_display(row.get(c.key), c, t, result.currency, row)) for c in table.columns)
            )
        console.print(rich_table)
    for warning in result.warnings:
        console.print(Text(f"! {warning['message']}"))
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue()
