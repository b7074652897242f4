"""The plan's numbers as an Excel workbook: one sheet per section that has tables.

Cells hold numbers, not text: money in major units of the plan currency with the currency's
decimals, rates as percentages, counts as integers, so finance can recompute anything.
Headers, titles and labels are in the report's language.
"""

from __future__ import annotations

import re
from pathlib import Path

from xlsxwriter import Workbook  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from salesplan.documents.model import (
    Day,
    Facts,
    Money,
    Number,
    Percent,
    Report,
    Section,
    Table,
    Value,
)
from salesplan.documents.present import Presenter
from salesplan.i18n import Translator
from salesplan.i18n.money import currency_exponent, minor_to_decimal

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _tables(section: Section) -> list[Table | Facts]:
    found: list[Table | Facts] = [b for b in section.blocks if isinstance(b, Table | Facts)]
    for sub in section.subsections:
        found += _tables(sub)
    return found


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title).strip()[:28] or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:26]} {n}", n + 1
    used.add(name.lower())
    return name


class _Writer:
    def __init__(self, book: Workbook, p: Presenter) -> None:
        digits = currency_exponent(p.currency)
        self.p = p
        self.title = book.add_format({"bold": True, "font_size": 12, "font_color": "#1f3a5f"})
        self.header = book.add_format(
            {"bold": True, "bottom": 1, "text_wrap": True, "bg_color": "#e8edf3"}
        )
        self.money = book.add_format(
            {"num_format": "#,##0" + ("." + "0" * digits if digits else "")}
        )
        self.rate = book.add_format({"num_format": "0.0%"})
        self.int = book.add_format({"num_format": "#,##0"})
        self.decimal = book.add_format({"num_format": "#,##0.00"})
        self.date = book.add_format({"num_format": "yyyy-mm-dd"})

    def cell(self, ws: Worksheet, row: int, col: int, value: Value) -> None:
        if isinstance(value, Money):
            amount = minor_to_decimal(value.minor, self.p.currency)
            ws.write_number(row, col, float(amount), self.money)
        elif isinstance(value, Percent):
            ws.write_number(row, col, value.fraction, self.rate)
        elif isinstance(value, Number):
            fmt: Format = self.int if value.digits in (None, 0) else self.decimal
            ws.write_number(row, col, float(value.value), fmt)
        elif isinstance(value, Day):
            ws.write_datetime(row, col, value.value, self.date)
        else:
            ws.write_string(row, col, self.p.value(value))

    def block(self, ws: Worksheet, row: int, block: Table | Facts) -> int:
        ws.write_string(row, 0, self.p(block.title), self.title)
        row += 1
        if isinstance(block, Facts):
            for label, value in block.rows:
                ws.write_string(row, 0, self.p(label))
                self.cell(ws, row, 1, value)
                row += 1
            return row + 1
        for col, column in enumerate(block.columns):
            ws.write_string(row, col, self.p(column.header), self.header)
        row += 1
        for values in block.rows:
            for col, value in enumerate(values):
                self.cell(ws, row, col, value)
            row += 1
        if block.note:
            ws.write_string(row, 0, self.p.text(block.note))
            row += 1
        return row + 1


def write_xlsx(report: Report, t: Translator, out: Path) -> Path:
    """Write the workbook to `out` and return it."""
    p = Presenter(t, report.currency)
    book = Workbook(str(out))
    writer = _Writer(book, p)
    used: set[str] = set()
    try:
        for section in report.sections:
            blocks = _tables(section)
            if not blocks:
                continue
            ws = book.add_worksheet(_sheet_name(p(section.title), used))
            ws.set_column(0, 0, 34)
            ws.set_column(1, 8, 16)
            row = 0
            for block in blocks:
                row = writer.block(ws, row, block)
    finally:
        book.close()
    return out
