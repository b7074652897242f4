"""`salesplan targets --format xlsx`: a workbook a finance team can read.

One sheet per table, headers translated, money in the plan currency with two decimals (or the
currency's digits), rates as percentages, and every total a formula (=SUM over the cells it
totals) with its computed value cached, so viewers that do not recalculate show it too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.utility import xl_rowcol_to_cell  # type: ignore[import-untyped]
from xlsxwriter.workbook import Workbook  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from salesplan.cli.output import Kind, Result, TableResult
from salesplan.files import replacing
from salesplan.i18n import N_, Translator
from salesplan.i18n.money import currency_exponent, minor_to_decimal
from salesplan.services.targets import TargetsReport

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class _Formats:
    def __init__(self, book: Workbook, currency: str) -> None:
        digits = currency_exponent(currency)
        money = "#,##0" + ("." + "0" * digits if digits else "")
        self.header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.money = book.add_format({"num_format": money})
        self.money_total = book.add_format({"num_format": money, "bold": True, "top": 1})
        self.rate = book.add_format({"num_format": "0.0%"})
        self.int = book.add_format({"num_format": "#,##0"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})
        self.bold = book.add_format({"bold": True})
        self.total_label = book.add_format({"bold": True, "top": 1})


def _sheet(book: Workbook, title: str, used: set[str]) -> Worksheet:
    name = _BAD_SHEET_CHARS.sub(" ", title)[:31].strip() or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return book.add_worksheet(name)


def _write_cell(
    ws: Worksheet, row: int, col: int, value: Any, kind: Kind, f: _Formats, currency: str
) -> None:
    if value is None:
        return
    if kind is Kind.MONEY:
        ws.write_number(row, col, float(minor_to_decimal(int(value), currency)), f.money)
    elif kind is Kind.RATE:
        ws.write_number(row, col, float(value), f.rate)
    elif kind is Kind.INT:
        ws.write_number(row, col, float(value), f.int)
    elif kind is Kind.DATE and isinstance(value, dt.date):
        ws.write_datetime(row, col, dt.datetime.combine(value, dt.time()), f.date)
    else:
        ws.write(row, col, value)


def _write_table(
    book: Workbook,
    table: TableResult,
    t: Translator,
    f: _Formats,
    currency: str,
    used: set[str],
    total_columns: tuple[str, ...] = (),
) -> None:
    """The table as a sheet; `total_columns` (money or int) get a SUM row below."""
    ws = _sheet(book, t.gettext(table.title), used)
    keys = [c.key for c in table.columns]
    for col, column in enumerate(table.columns):
        ws.write(0, col, t.gettext(column.header), f.header)
        ws.set_column(col, col, 16 if col else 28)
    for r, row in enumerate(table.rows, start=1):
        for col, column in enumerate(table.columns):
            kind = Kind(row["kind"]) if column.kind is Kind.PER_ROW else column.kind
            value = row.get(column.key)
            if column.labels is not None and isinstance(value, str) and value in column.labels:
                value = t.gettext(column.labels[value])
            _write_cell(ws, r, col, value, kind, f, currency)
    if total_columns and table.rows:
        last = len(table.rows) + 1
        ws.write(last, 0, t.gettext(N_("Total")), f.total_label)
        for key in total_columns:
            col = keys.index(key)
            cells = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(last - 1, col)}"
            total = sum(int(row.get(key) or 0) for row in table.rows)
            money = table.columns[col].kind is Kind.MONEY
            cached = float(minor_to_decimal(total, currency)) if money else total
            ws.write_formula(last, col, f"=SUM({cells})", f.money_total, cached)
    ws.freeze_panes(1, 1)


def _write_periods(
    book: Workbook, report: TargetsReport, t: Translator, f: _Formats, used: set[str]
) -> None:
    """Months under their quarter; each quarter and the year are SUM formulas."""
    c, year = report.currency, report.inputs.year
    ws = _sheet(book, t.gettext(N_("Target by period")), used)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 20)
    ws.write(0, 0, t.gettext(N_("Period")), f.header)
    ws.write(0, 1, t.gettext(N_("Target")), f.header)
    row, quarter_cells = 1, []
    for q in range(4):
        first = row
        for m in range(3 * q, 3 * q + 3):
            ws.write(row, 0, f"{year}-{m + 1:02d}")
            _write_cell(ws, row, 1, report.split.months[m], Kind.MONEY, f, c)
            row += 1
        ws.write(row, 0, f"{year}Q{q + 1}", f.total_label)
        cells = f"{xl_rowcol_to_cell(first, 1)}:{xl_rowcol_to_cell(row - 1, 1)}"
        cached = float(minor_to_decimal(report.split.quarters[q], c))
        ws.write_formula(row, 1, f"=SUM({cells})", f.money_total, cached)
        quarter_cells.append(xl_rowcol_to_cell(row, 1))
        row += 1
    ws.write(row, 0, str(year), f.total_label)
    cached = float(minor_to_decimal(report.target_minor, c))
    ws.write_formula(row, 1, "=" + "+".join(quarter_cells), f.money_total, cached)
    ws.freeze_panes(1, 1)


def _write_groups(
    book: Workbook, report: TargetsReport, t: Translator, f: _Formats, used: set[str]
) -> None:
    """Group × month grid; row totals and column totals are SUM formulas."""
    c, year = report.currency, report.inputs.year
    ws = _sheet(book, t.gettext(N_("Target by group")), used)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 13, 16)
    ws.write(0, 0, t.gettext(N_("Group")), f.header)
    for m in range(12):
        ws.write(0, m + 1, f"{year}-{m + 1:02d}", f.header)
    ws.write(0, 13, t.gettext(N_("Total")), f.header)
    for r, group in enumerate(report.groups, start=1):
        ws.write(r, 0, group.key or "–")
        for m, amount in enumerate(group.months):
            _write_cell(ws, r, m + 1, amount, Kind.MONEY, f, c)
        cells = f"{xl_rowcol_to_cell(r, 1)}:{xl_rowcol_to_cell(r, 12)}"
        cached = float(minor_to_decimal(group.target_minor, c))
        ws.write_formula(r, 13, f"=SUM({cells})", f.money_total, cached)
    last = len(report.groups) + 1
    ws.write(last, 0, t.gettext(N_("Total")), f.total_label)
    for col in range(1, 14):
        cells = f"{xl_rowcol_to_cell(1, col)}:{xl_rowcol_to_cell(last - 1, col)}"
        amount = report.target_minor if col == 13 else report.split.months[col - 1]
        cached = float(minor_to_decimal(amount, c))
        ws.write_formula(last, col, f"=SUM({cells})", f.money_total, cached)
    ws.freeze_panes(1, 1)


_TOTALS: dict[str, tuple[str, ...]] = {
    "Team capacity": ("quota", "capacity"),
    "Pipeline to create, by month": ("target", "won", "opportunities", "pipeline"),
}


def write_workbook(report: TargetsReport, result: Result, t: Translator, out: Path) -> None:
    """Write the targets, methods, groups, capacity and funnel tables to `out` (.xlsx)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(out) as tmp:
        _write(report, result, t, tmp)


def _write(report: TargetsReport, result: Result, t: Translator, out: Path) -> None:
    book = xlsxwriter.Workbook(str(out))
    try:
        f = _Formats(book, report.currency)
        used: set[str] = set()
        _write_periods(book, report, t, f, used)
        if report.groups:
            _write_groups(book, report, t, f, used)
        skip = {N_("Target by period"), N_("Target by group")}
        for table in result.tables:
            if table.title in skip:
                continue
            _write_table(book, table, t, f, result.currency, used, _TOTALS.get(table.title, ()))
    finally:
        book.close()
