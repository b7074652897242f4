"""Tables print data verbatim: square brackets in values are not Rich markup."""

from __future__ import annotations

import pytest

from salesplan.cli.output import Column, OutputFormat, Result, TableResult, render
from salesplan.i18n import translator


def test_brackets_in_values_and_warnings_are_printed_as_written(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = Result(
        key="diff",
        payload={},
        tables=[
            TableResult(
                title="Plan changes",
                columns=[Column("path", "Path")],
                rows=[{"path": "kpis[bookings].target"}, {"path": "[bold]x[/bold]"}],
            )
        ],
        currency="CNY",
        locale="en",
        warnings=[{"code": "w", "message": "see goals[1]"}],
    )
    render(result, OutputFormat.TABLE, translator("en"))
    out = capsys.readouterr().out
    assert "kpis[bookings].target" in out
    assert "[bold]x[/bold]" in out
    assert "! see goals[1]" in out
