"""`salesplan baseline`: win rates, deal size, cycle, conversion, seasonality and the rest.

The sections beyond the original ones (leads, activities, retention, losses, reps, trends,
segments, findings) are shaped in cli/baseline_sections.py and cli/baseline_tables.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.analytics.baseline import GroupBaseline
from salesplan.analytics.rates import LOW_CONFIDENCE_N
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json, sections_payload
from salesplan.cli.baseline_tables import sections_tables
from salesplan.cli.labels import DIMENSION_HEADERS
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.i18n import N_, Translator, translator
from salesplan.services.baseline import BaselineReport, compute_baseline, parse_dimensions

_rate_json = rate_json
_money = money


def _group_json(g: GroupBaseline, currency: str) -> dict[str, Any]:
    return {
        "group": g.group,
        "won": g.won,
        "lost": g.lost,
        "win_rate": _rate_json(g.win_rate),
        "win_rate_shrunk": g.win_rate_shrunk,
        "win_rate_value": g.win_rate_value,
        "bookings": _money(g.bookings_minor, currency),
        "avg_deal": _money(g.avg_deal_minor, currency),
        "median_deal": _money(g.median_deal_minor, currency),
        "cycle_days": {
            "median": g.cycle_median_days,
            "p75": g.cycle_p75_days,
            "p90": g.cycle_p90_days,
        },
        "pipeline_created": {"count": g.created, "amount": _money(g.created_minor, currency)},
    }


def baseline_payload(report: BaselineReport, t: Translator | None = None) -> dict[str, Any]:
    """The `baseline` JSON object; finding messages in t's language (English by default)."""
    c = report.currency
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "by": report.by,
        "low_confidence_n": LOW_CONFIDENCE_N,
        "overall": _group_json(report.overall, c),
        "previous_year": _group_json(report.previous_year, c),
        "groups": [_group_json(g, c) for g in report.groups],
        "stages": [
            {
                "stage": s.stage,
                "stage_code": s.stage_code,
                "entered": s.entered,
                "advanced": s.advanced,
                "died": s.died,
                "unresolved": s.unresolved,
                "conversion": _rate_json(s.conversion),
                "median_days_in_stage": s.median_days_in_stage,
                "p75_days_in_stage": s.p75_days_in_stage,
            }
            for s in report.stages
        ],
        "seasonality": {
            "index": list(report.seasonality.index),
            "years": list(report.seasonality.years),
            "method": report.seasonality.method,
        },
        **sections_payload(report, t or translator("en")),
    }


def _metric_rows(report: BaselineReport) -> list[dict[str, Any]]:
    now, before = report.overall, report.previous_year
    rows: list[tuple[str, Kind, Any, Any]] = [
        (N_("Win rate (count)"), Kind.RATE, now.win_rate.rate, before.win_rate.rate),
        (N_("Win rate (value)"), Kind.RATE, now.win_rate_value, before.win_rate_value),
        (N_("Deals won"), Kind.INT, now.won, before.won),
        (N_("Deals lost"), Kind.INT, now.lost, before.lost),
        (N_("Bookings"), Kind.MONEY, now.bookings_minor, before.bookings_minor),
        (N_("Average deal size"), Kind.MONEY, now.avg_deal_minor, before.avg_deal_minor),
        (N_("Median deal size"), Kind.MONEY, now.median_deal_minor, before.median_deal_minor),
        (N_("Sales cycle, median days"), Kind.INT, now.cycle_median_days, before.cycle_median_days),
        (N_("Pipeline created"), Kind.MONEY, now.created_minor, before.created_minor),
    ]
    return [
        {"metric": name, "kind": kind, "value": value, "previous_year": previous}
        for name, kind, value, previous in rows
    ]


def baseline_tables(report: BaselineReport, t: Translator | None = None) -> list[TableResult]:
    rows = _metric_rows(report)
    labels = {row["metric"]: row["metric"] for row in rows}
    metrics = TableResult(
        title=N_("Baseline"),
        columns=[
            Column("metric", N_("Metric"), labels=labels),
            Column("value", N_("This period"), Kind.PER_ROW),
            Column("previous_year", N_("Same period last year"), Kind.PER_ROW),
        ],
        rows=rows,
    )
    stages = TableResult(
        title=N_("Stage conversion"),
        columns=[
            Column("stage", N_("Stage")),
            Column("entered", N_("Entered"), Kind.INT),
            Column("conversion", N_("Converted to a later stage"), Kind.RATE),
            Column("median_days", N_("Median days in stage"), Kind.INT),
        ],
        rows=[
            {
                "stage": s.stage,
                "entered": s.entered,
                "conversion": s.conversion.rate,
                "median_days": s.median_days_in_stage,
            }
            for s in report.stages
        ],
    )
    tables = [metrics, stages]
    if report.groups:
        tables.append(
            TableResult(
                title=N_("By group"),
                columns=[
                    *(Column(key, DIMENSION_HEADERS.get(key, key)) for key in report.by),
                    Column("won", N_("Won"), Kind.INT),
                    Column("lost", N_("Lost"), Kind.INT),
                    Column("win_rate", N_("Win rate"), Kind.RATE),
                    Column("win_rate_shrunk", N_("Win rate, shrunk"), Kind.RATE),
                    Column("avg_deal", N_("Average deal size"), Kind.MONEY),
                    Column("bookings", N_("Bookings"), Kind.MONEY),
                ],
                rows=[
                    {
                        **g.group,
                        "won": g.won,
                        "lost": g.lost,
                        "win_rate": g.win_rate.rate,
                        "win_rate_shrunk": g.win_rate_shrunk,
                        "avg_deal": g.avg_deal_minor,
                        "bookings": g.bookings_minor,
                    }
                    for g in report.groups
                ],
            )
        )
    return tables + sections_tables(report, t or translator("en"))


@app.command("baseline")
def baseline(
    period: Annotated[
        str | None,
        typer.Option("--period", help="2026, 2026Q1, 2026-03 or last-12m (default)."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by", help="Break down by segment, region, owner, industry, source, product, type."
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")] = None,
) -> None:
    """The baseline from history: win rates, deal size, cycle, conversion, seasonality."""
    output = parse_format(fmt)
    s = settings()
    report = compute_baseline(s, period=period, by=parse_dimensions(by))
    t = translator(s.locale)
    result = Result(
        key="baseline",
        payload=baseline_payload(report, t),
        tables=baseline_tables(report, t),
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
    )
    render(result, output, t, out)
