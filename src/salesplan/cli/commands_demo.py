"""`salesplan demo` and `salesplan demo-data`: the sample workspace."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import STATE, app, settings
from salesplan.cli.commands_baseline import baseline_payload, baseline_tables
from salesplan.cli.commands_gaps import gaps_payload, gaps_tables
from salesplan.cli.commands_targets import targets_tables
from salesplan.cli.forecast_output import forecast_payload, forecast_tables
from salesplan.cli.labels import RECORD_LABELS
from salesplan.cli.output import (
    Column,
    Kind,
    Result,
    TableResult,
    machine_rows,
    parse_format,
    render,
)
from salesplan.cli.progress import TerminalProgress
from salesplan.cli.targets_payload import targets_payload
from salesplan.i18n import N_, translator
from salesplan.services.demo import LOAD_ORDER, DemoLoadResult, load_demo_data, run_demo
from salesplan.services.overview import Overview

DEFAULT_DEMO_WORKSPACE = Path("salesplan-demo")
DEMO_TOP_GAPS = 10


def _top_rows(tables: list[TableResult], n: int) -> list[TableResult]:
    """The tables with only their first `n` rows (the demo shows the top of long lists)."""
    return [TableResult(table.title, table.columns, table.rows[:n]) for table in tables]


FormatOption = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table, json or csv.")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", "-o", help="Write the result to this file.")
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="The demo's 'today' (YYYY-MM-DD); default: today."),
]
SeedOption = Annotated[int, typer.Option("--seed", help="Random seed; same seed, same data.")]


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        from salesplan.errors import ConfigError

        raise ConfigError(
            "Invalid date {value} for {option}; write it as YYYY-MM-DD.",
            value=value,
            option="--as-of",
        ) from None


def _rows_table(loaded: DemoLoadResult) -> TableResult:
    return TableResult(
        title=N_("Records"),
        columns=[
            Column("kind", N_("Kind"), labels=RECORD_LABELS),
            Column("rows", N_("Rows"), Kind.INT),
        ],
        rows=[{"kind": k, "rows": n} for k, n in loaded.rows.items()],
    )


def _overview_tables(overview: Overview) -> list[TableResult]:
    years = TableResult(
        title=N_("Opportunities"),
        columns=[
            Column("year", N_("Year")),
            Column("won", N_("Won"), Kind.INT),
            Column("lost", N_("Lost"), Kind.INT),
            Column("win_rate", N_("Win rate"), Kind.RATE),
            Column("bookings", N_("Bookings (won, plan currency)"), Kind.MONEY),
        ],
        rows=[
            {
                "year": str(y.year),
                "won": y.won,
                "lost": y.lost,
                "win_rate": y.win_rate,
                "bookings": y.bookings_minor,
            }
            for y in overview.years
        ],
    )
    pipeline = TableResult(
        title=N_("Open pipeline"),
        columns=[
            Column("open", N_("Open"), Kind.INT),
            Column("amount", N_("Open pipeline"), Kind.MONEY),
        ],
        rows=[{"open": overview.open_deals, "amount": overview.open_pipeline_minor}],
    )
    return [years, pipeline]


def _loaded_payload(loaded: DemoLoadResult) -> dict[str, Any]:
    return {
        "workspace": str(loaded.workspace.resolve()),
        "size": loaded.size,
        "seed": loaded.seed,
        "rows": loaded.rows,
        "truth_files": [str(p.resolve()) for p in loaded.truth_files],
    }


def _overview_payload(overview: Overview, tables: list[TableResult]) -> dict[str, Any]:

    return {
        "counts": overview.counts,
        "years": machine_rows(tables[0], overview.currency),
        "open_pipeline": machine_rows(tables[1], overview.currency)[0],
    }


@app.command("demo-data")
def demo_data(
    size: Annotated[str, typer.Option("--size", help="small, medium or 1m.")] = "small",
    seed: SeedOption = 7,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Generate the synthetic demo dataset into the workspace's database."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    with TerminalProgress(t, len(LOAD_ORDER) + 1, quiet=STATE.quiet) as progress:
        loaded = load_demo_data(s, size=size, seed=seed, as_of=_as_of(as_of), progress=progress)
    result = Result(
        key="demo_data",
        payload=_loaded_payload(loaded),
        tables=[_rows_table(loaded)],
        currency=s.currency,
        locale=s.locale,
        as_of=loaded.as_of,
    )
    render(result, output, t, out)


@app.command("demo")
def demo(
    seed: SeedOption = 7,
    as_of: AsOfOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Build a sample workspace and run everything salesplan can do on it (the main job)."""
    output = parse_format(fmt)
    s = settings()
    if STATE.settings is not None and "workspace" not in STATE.settings.model_fields_set:
        s = s.model_copy(update={"workspace": DEFAULT_DEMO_WORKSPACE.resolve()})
    t = translator(s.locale)
    with TerminalProgress(t, len(LOAD_ORDER) + 7, quiet=STATE.quiet) as progress:
        report = run_demo(s, seed=seed, as_of=_as_of(as_of), progress=progress)
    tables = _overview_tables(report.overview)
    result = Result(
        key="demo",
        payload={
            **_loaded_payload(report.loaded),
            "overview": _overview_payload(report.overview, tables),
            "baseline": baseline_payload(report.baseline),
            "targets": targets_payload(report.targets),
            "forecast": forecast_payload(report.forecast, t),
            "plan_version": report.plan_version,
            "gaps": gaps_payload(report.gaps, t),
            "documents": [str(path.resolve()) for path in report.documents],
        },
        tables=[
            _rows_table(report.loaded),
            *tables,
            *baseline_tables(report.baseline),
            *targets_tables(report.targets, "quarter")[:2],
            *forecast_tables(report.forecast, t),
            *_top_rows(gaps_tables(report.gaps, t)[:1], DEMO_TOP_GAPS),
        ],
        currency=s.currency,
        locale=s.locale,
        as_of=report.loaded.as_of,
    )
    render(result, output, t, out)
    if output.value == "table" and out is None and not STATE.quiet:
        for path in [s.workspace / "plan.yaml", *report.documents]:
            typer.echo(t.gettext("Wrote {path}", path=str(path)))
        typer.echo(t.gettext("Demo workspace ready: {path}", path=str(s.workspace)))
