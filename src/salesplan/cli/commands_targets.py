"""`salesplan targets`: every method side by side, the split, capacity and the reverse funnel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.budget_payload import budget_payload, budget_table, budget_warnings
from salesplan.cli.output import Column, Kind, OutputFormat, Result, TableResult, render
from salesplan.cli.targets_payload import funnel_tables, targets_payload, team_tables
from salesplan.errors import ConfigError
from salesplan.i18n import N_, translator
from salesplan.services.budget import compute_budget
from salesplan.services.target_options import inputs_from_options
from salesplan.services.targets import TargetsReport, compute_targets

METHOD_LABELS = {
    "yoy": N_("Year over year"),
    "capacity": N_("Team capacity"),
    "trend": N_("Trend"),
    "blend": N_("Blend"),
}
VALUE_LABELS = {
    "holt-winters": N_("Holt-Winters (trend and seasonality)"),
    "linear": N_("Linear trend"),
}


def _period_table(report: TargetsReport, split: str) -> TableResult:
    year = report.inputs.year
    total = report.target_minor
    rows: list[dict[str, Any]] = [
        {"period": str(year), "target": total, "share": 1.0 if total else None, "locked": ""}
    ]
    for q, amount in enumerate(report.split.quarters):
        rows.append(
            {
                "period": f"{year}Q{q + 1}",
                "target": amount,
                "share": _share(amount, total),
                "locked": "",
            }
        )
        if split == "month":
            for m in range(3 * q, 3 * q + 3):
                amount_m = report.split.months[m]
                rows.append(
                    {
                        "period": f"{year}-{m + 1:02d}",
                        "target": amount_m,
                        "share": _share(amount_m, total),
                        "locked": "locked" if m + 1 in report.inputs.locked_months else "",
                    }
                )
    return TableResult(
        title=N_("Target by period"),
        columns=[
            Column("period", N_("Period")),
            Column("target", N_("Target"), Kind.MONEY),
            Column("share", N_("Share of the year"), Kind.RATE),
            Column("locked", N_("Locked"), labels={"locked": N_("locked")}),
        ],
        rows=rows,
    )


def _share(amount: int, total: int) -> float | None:
    return amount / total if total else None


def _group_table(report: TargetsReport, split: str) -> TableResult:
    year = report.inputs.year
    if split == "month":
        labels = [f"{year}-{m:02d}" for m in range(1, 13)]
        cells = [list(g.months) for g in report.groups]
    else:
        labels = [f"{year}Q{q}" for q in range(1, 5)]
        cells = [[sum(g.months[3 * q : 3 * q + 3]) for q in range(4)] for g in report.groups]
    return TableResult(
        title=N_("Target by group"),
        columns=[
            Column("group", N_("Group")),
            Column("share", N_("Share"), Kind.RATE),
            Column("target", N_("Target"), Kind.MONEY),
            *(Column(label, label, Kind.MONEY) for label in labels),
        ],
        rows=[
            {
                "group": g.key or "–",
                "share": g.share,
                "target": g.target_minor,
                **dict(zip(labels, cells[i], strict=True)),
            }
            for i, g in enumerate(report.groups)
        ],
    )


_METHOD_ROWS: list[tuple[str, str, Kind]] = [
    ("target", N_("Target"), Kind.MONEY),
    ("weight", N_("Weight in the blend"), Kind.RATE),
    ("basis", N_("Bookings period"), Kind.TEXT),
    ("base_bookings_minor", N_("Bookings in that period"), Kind.MONEY),
    ("growth", N_("Growth"), Kind.RATE),
    ("members", N_("Quota carriers"), Kind.INT),
    ("planned_hires", N_("Planned hires"), Kind.INT),
    ("attainment", N_("Expected attainment"), Kind.RATE),
    ("attrition", N_("Attrition per year"), Kind.RATE),
    ("model", N_("Model"), Kind.TEXT),
    ("months_of_history", N_("Months of history"), Kind.INT),
    ("fitted_year_minor", N_("Fitted bookings of the year"), Kind.MONEY),
    ("market_growth", N_("Market growth"), Kind.RATE),
]


def _methods_table(report: TargetsReport) -> TableResult:
    blend = report.methods[-1].inputs.get("weights", {})
    rows = []
    for key, label, kind in _METHOD_ROWS:
        row: dict[str, Any] = {"metric": label, "kind": kind}
        for result in report.methods:
            if key == "target":
                value: Any = result.target_minor
            elif key == "weight":
                value = blend.get(result.method) if result.method != "blend" else None
            else:
                value = result.inputs.get(key)
            row[result.method] = float(value) if isinstance(value, Decimal) else value
        rows.append(row)
    return TableResult(
        title=N_("Methods side by side"),
        columns=[
            Column("metric", N_("Metric"), labels={label: label for _, label, _ in _METHOD_ROWS}),
            *(
                Column(m.method, METHOD_LABELS[m.method], Kind.PER_ROW, labels=VALUE_LABELS)
                for m in report.methods
            ),
        ],
        rows=rows,
    )


def targets_tables(report: TargetsReport, split: str) -> list[TableResult]:
    tables = [_period_table(report, split), _methods_table(report)]
    if report.groups:
        tables.insert(0, _group_table(report, split))
    return [*tables, *team_tables(report), *funnel_tables(report)]


@app.command("targets")
def targets(
    year: Annotated[int, typer.Option("--year", help="The plan year, e.g. 2027.")],
    method: Annotated[
        str, typer.Option("--method", help="yoy, capacity, trend or blend.")
    ] = "blend",
    growth: Annotated[str | None, typer.Option("--growth", help="yoy growth, e.g. 25%.")] = None,
    market_growth: Annotated[
        str | None, typer.Option("--market-growth", help="Added to the trend, e.g. 5%.")
    ] = None,
    attainment: Annotated[
        str | None, typer.Option("--attainment", help="Expected quota attainment (80%).")
    ] = None,
    attrition: Annotated[
        str | None, typer.Option("--attrition", help="Quota carriers leaving per year (0%).")
    ] = None,
    hire: Annotated[
        list[str] | None,
        typer.Option("--hire", help="Planned hire START[:ROLE[:COUNT]], e.g. 2027-04:ae:2."),
    ] = None,
    hiring_lead: Annotated[
        int | None, typer.Option("--hiring-lead", help="Months from requisition to start (3).")
    ] = None,
    weights: Annotated[
        str | None, typer.Option("--weights", help="Blend weights, yoy=0.4,capacity=0.3,trend=0.3.")
    ] = None,
    split: Annotated[str, typer.Option("--split", help="quarter or month.")] = "month",
    distribution: Annotated[
        str | None,
        typer.Option("--distribution", help="Twelve month percentages summing to 100."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Split by region, segment, product or owner.")
    ] = None,
    basis: Annotated[
        str | None, typer.Option("--basis", help="history, capacity or explicit shares.")
    ] = None,
    shares: Annotated[
        str | None, typer.Option("--shares", help="Explicit group shares, east=0.6,west=0.4.")
    ] = None,
    lock: Annotated[
        list[str] | None,
        typer.Option("--lock", help="Fix a month (2027-03=500000) or group (east=1000000)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, csv or xlsx.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """Revenue targets: year-over-year, capacity, trend and blend, split and explained."""
    xlsx = fmt.lower() == "xlsx"
    output = OutputFormat.TABLE if xlsx else _format(fmt)
    if split not in ("quarter", "month"):
        raise ConfigError(
            "Unknown value {value} for {option}; use one of: {choices}.",
            value=split,
            option="--split",
            choices="quarter, month",
        )
    if xlsx and out is None:
        raise ConfigError("The format {format} needs --out FILE.", format="xlsx")
    s = settings()
    inputs = inputs_from_options(
        year=year,
        currency=s.currency,
        method=method,
        growth=growth,
        market_growth=market_growth,
        attainment=attainment,
        attrition=attrition,
        weights=weights,
        hires=hire or (),
        hiring_lead=hiring_lead,
        distribution=distribution,
        by=by,
        basis=basis,
        shares=shares,
        locks=lock or (),
    )
    report = compute_targets(s, inputs=inputs)
    budget = compute_budget(s, report)
    t = translator(s.locale)
    payload = targets_payload(report)
    payload["budget"] = None if budget is None else budget_payload(budget, s.currency)
    tables = targets_tables(report, split)
    warnings = [
        {"code": w.code, "message": t.gettext(w.message, **w.params)} for w in report.warnings
    ]
    if budget is not None:
        tables.append(budget_table(budget))
        warnings += budget_warnings(budget, t, s.currency)
    result = Result(
        key="targets",
        payload=payload,
        tables=tables,
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
        warnings=warnings,
    )
    if xlsx:
        from salesplan.cli.targets_workbook import write_workbook

        assert out is not None
        write_workbook(report, result, t, out)
        typer.echo(t.gettext("Wrote {path}", path=str(out)))
        return
    render(result, output, t, out)


def _format(value: str) -> OutputFormat:
    try:
        return OutputFormat(value.lower())
    except ValueError:
        raise ConfigError(
            "Unknown output format {value}; use one of: {choices}.",
            value=value,
            choices="table, json, csv, xlsx",
        ) from None
