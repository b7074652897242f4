"""`salesplan forecast [backtest|hygiene]`: expected bookings and ranges, accuracy, hygiene."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.forecast_output import (
    forecast_payload,
    forecast_tables,
    interval_json,
    money_text,
    notice_warnings,
    scores_json,
)
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.forecast.hygiene import FLAGS
from salesplan.i18n import N_, translator
from salesplan.services.forecast import (
    BacktestResult,
    HygieneReport,
    compute_backtest,
    compute_forecast,
    compute_hygiene,
    parse_group_dimensions,
)

forecast_app = typer.Typer(
    help="Forecast bookings: expected value and range, backtest, pipeline hygiene.",
    invoke_without_command=True,
)
app.add_typer(forecast_app, name="forecast")

FormatOption = Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")]
OutOption = Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file.")]


@forecast_app.callback(invoke_without_command=True)
def forecast(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option("--period", help="2026Q1, 2026-03 or 2026 (default: the next quarter)."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Break down by region, segment, owner, type.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="auto (best backtest), stage or calibrated.")
    ] = "auto",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulation.")] = 0,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Expected bookings of a period with P10/P50/P90 and the deals that matter most."""
    if ctx.invoked_subcommand is not None:
        return
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    report = compute_forecast(s, period, method.lower(), by=parse_group_dimensions(by), seed=seed)
    result = Result(
        key="forecast",
        payload=forecast_payload(report, t),
        tables=forecast_tables(report, t),
        currency=s.currency,
        locale=s.locale,
        as_of=report.as_of,
        warnings=notice_warnings(report.notices, t),
    )
    render(result, output, t, out)


def backtest_tables(result: BacktestResult) -> list[TableResult]:
    report = result.report
    scores = TableResult(
        title=N_("Backtest accuracy"),
        columns=[
            Column("method", N_("Method")),
            Column("n", N_("Periods"), Kind.INT),
            Column("wape", N_("WAPE"), Kind.RATE),
            Column("mape", N_("MAPE"), Kind.RATE),
            Column("bias", N_("Bias"), Kind.RATE),
            Column("coverage_p10_p90", N_("P10–P90 coverage"), Kind.RATE),
        ],
        rows=scores_json(report)["scores"],
    )
    methods = list(report.cutoffs[0].forecasts) if report.cutoffs else []
    periods = TableResult(
        title=N_("Forecast and actual per period"),
        columns=[
            Column("cutoff", N_("Period start"), Kind.DATE),
            Column("actual", N_("Actual"), Kind.MONEY),
            *(Column(m, m, Kind.MONEY) for m in methods),
        ],
        rows=[
            {"cutoff": c.cutoff, "actual": c.actual_minor, **c.forecasts} for c in report.cutoffs
        ],
    )
    return [scores, periods]


@forecast_app.command("backtest")
def backtest(
    grain: Annotated[str, typer.Option("--grain", help="month or quarter.")] = "month",
    cutoffs: Annotated[int, typer.Option("--cutoffs", help="How many past periods.")] = 6,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Forecast past periods from the pipeline as it stood and compare with real bookings."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    result = compute_backtest(s, grain=grain.lower(), cutoffs=cutoffs)
    report = result.report
    c = s.currency
    payload = {
        **scores_json(report),
        "reason": t.gettext(report.reason, **report.reason_params),
        "cutoffs": [
            {
                "cutoff": r.cutoff.isoformat(),
                "end_exclusive": r.end.isoformat(),
                "actual": money_text(r.actual_minor, c),
                "forecasts": {m: money_text(v, c) for m, v in r.forecasts.items()},
                "p10": {m: money_text(v, c) for m, v in r.p10.items()},
                "p90": {m: money_text(v, c) for m, v in r.p90.items()},
                "interval_calibration": {m: interval_json(v) for m, v in r.interval.items()},
            }
            for r in report.cutoffs
        ],
    }
    render(
        Result("backtest", payload, backtest_tables(result), c, s.locale, result.as_of),
        output,
        t,
        out,
    )


@forecast_app.command("hygiene")
def hygiene(
    owner: Annotated[str | None, typer.Option("--owner", help="One owner's name or id.")] = None,
    inactive_days: Annotated[
        int, typer.Option("--inactive-days", help="Days without activity that count as stale.")
    ] = 30,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Open deals with missing next steps, past close dates, stale stages and more."""
    output = parse_format(fmt)
    s = settings()
    t = translator(s.locale)
    report = compute_hygiene(s, owner=owner, inactive_days=inactive_days)
    render(
        Result("hygiene", hygiene_payload(report), hygiene_tables(report), s.currency, s.locale,
               report.as_of),
        output, t, out,
    )  # fmt: skip


def hygiene_payload(report: HygieneReport) -> dict[str, Any]:
    h, c = report.hygiene, report.currency
    return {
        "owner": report.owner,
        "inactive_days": h.inactive_days,
        "flagged_share": h.flagged_share,
        "flags": list(FLAGS),
        "owners": [
            {
                "owner_id": r["owner_id"],
                "owner": report.owners.get(str(r["owner_id"])),
                "open": r["open"],
                "flagged": r["flagged"],
                **{f: r[f] for f in FLAGS},
            }
            for r in h.owners.iter_rows(named=True)
        ],
        "deals": [
            {
                "opportunity_id": r["opportunity_id"],
                "owner_id": r["owner_id"],
                "amount": money_text(r["amount_plan_minor"], c),
                "close_date": r["close_date"].isoformat() if r["close_date"] else None,
                "days_in_stage": r["days_in_stage"],
                "close_date_pushes": r["pushes"],
                "flags": [f for f in FLAGS if r[f]],
            }
            for r in h.deals.filter(h.deals["issues"] > 0).iter_rows(named=True)
        ],
    }


_FLAG_HEADERS = {
    "no_next_step": N_("No next step"),
    "past_close_date": N_("Close date passed"),
    "stale_in_stage": N_("Stale in stage"),
    "no_recent_activity": N_("No recent activity"),
    "close_date_pushed": N_("Close date pushed ≥ 2×"),
    "missing_amount": N_("No amount"),
}


def hygiene_tables(report: HygieneReport) -> list[TableResult]:
    h = report.hygiene
    return [
        TableResult(
            title=N_("Pipeline hygiene by owner"),
            columns=[
                Column("owner", N_("Owner")),
                Column("open", N_("Open deals"), Kind.INT),
                Column("flagged", N_("With issues"), Kind.INT),
                *(Column(f, _FLAG_HEADERS[f], Kind.INT) for f in FLAGS),
            ],
            rows=[
                {**r, "owner": report.owners.get(str(r["owner_id"]), r["owner_id"])}
                for r in h.owners.iter_rows(named=True)
            ],
        )
    ]
