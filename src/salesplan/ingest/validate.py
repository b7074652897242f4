"""Row-level problems: what is wrong, where (row, column, value) and why, as an i18n message.

A `Problem` is an error (the row cannot be imported) or a warning (worth knowing, imported
anyway). Rows are numbered as the user sees them in the file: 1-based, the header counted.
Reports are written as CSV by `write_report`, translated by the caller's `translate`.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

Severity = Literal["error", "warning"]
Translate = Callable[..., str]

PRINT_LIMIT: Final = 20
"""How many problems the CLI prints; the CSV report has them all."""


def N_(msgid: str, /) -> str:
    """Mark a message id translated later (the catalogue test sees it)."""
    return msgid


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message_id: str
    params: Mapping[str, Any] = field(default_factory=dict)
    row: int | None = None
    column: str | None = None
    value: str | None = None
    severity: Severity = "error"

    def message(self, translate: Translate) -> str:
        return translate(self.message_id, **self.params)


def errors(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "warning"]


def rows_with_errors(problems: Iterable[Problem]) -> set[int]:
    return {p.row for p in problems if p.severity == "error" and p.row is not None}


def sort_key(problem: Problem) -> tuple[int, str]:
    return (problem.row if problem.row is not None else 0, problem.column or "")


REPORT_COLUMNS: Final = ("file", "row", "column", "value", "severity", "code", "problem")


def report_rows(
    problems: Sequence[Problem], file: str, translate: Translate
) -> list[dict[str, Any]]:
    return [
        {
            "file": file,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "severity": p.severity,
            "code": p.code,
            "problem": p.message(translate),
        }
        for p in sorted(problems, key=sort_key)
    ]


def write_report(path: Path, problems: Sequence[Problem], file: str, translate: Translate) -> None:
    """All problems as CSV (UTF-8 with BOM, so Excel opens Chinese text correctly)."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=REPORT_COLUMNS)
        writer.writeheader()
        writer.writerows(report_rows(problems, file, translate))


def write_rejects(
    path: Path,
    headers: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    problems: Sequence[Problem],
    translate: Translate,
) -> None:
    """The rejected rows as they were in the file, each with its row number and reasons."""
    reasons: dict[int, list[str]] = {}
    for p in sorted(problems, key=sort_key):
        if p.severity == "error" and p.row is not None:
            where = f"{p.column}: " if p.column else ""
            reasons.setdefault(p.row, []).append(where + p.message(translate))
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", *headers, "problems"])
        for row in rows:
            number = int(row["row"])
            writer.writerow(
                [number, *(row.get(h) for h in headers), "; ".join(reasons.get(number, []))]
            )
