"""`salesplan forecast [backtest|hygiene]`: expected bookings and ranges, accuracy, hygiene."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from salesplan.cli.app import app, settings
from salesplan.cli.labels import DIMENSION_HEADERS
from salesplan.cli.output import Column, Kind, Result, TableResult, parse_format, render
from salesplan.forecast.breakdown import Line
from salesplan.forecast.hygiene import FLAGS
from salesplan.i18n import N_, Translator, translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.forecast import (
    BacktestResult,
    ForecastReport,
    HygieneReport,
    Notice,
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


def _money(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(int(minor), currency))


def _warnings(notices: list[Notice], t: Translator) -> list[dict[str, str]]:
    return [{"code": n.code, "message": t.gettext(n.message, **n.params)} for n in notices]


def _line_json(line: Line, currency: str) -> dict[str, Any]:
    return {
        "group": line.group,
        "deals": line.deals,
        "amount": _money(line.amount_minor, currency),
        "expected": _money(line.expected_minor, currency),
        "p10": _money(line.p10_minor, currency),
        "p90": _money(line.p90_minor, currency),
    }


def forecast_payload(report: ForecastReport, t: Translator) -> dict[str, Any]:
    c, f = report.currency, report.forecast
    r = f.range
    cal = report.calibration
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "method": report.method,
        "requested_method": report.requested,
        "method_reason": t.gettext(report.reason, **report.reason_params),
        "expected": _money(r.expected_minor, c),
        "p10": _money(r.p10_minor, c),
        "p50": _money(r.p50_minor, c),
        "p90": _money(r.p90_minor, c),
        "range_method": r.method,
        "sims": r.sims,
        "model_error": report.model_error,
        "interval_calibration": _interval_json(report.interval_calibration),
        "components": {
            "closed": _money(f.closed_minor, c),
            "pipeline": _money(f.pipeline_expected_minor, c),
            "run_rate": _money(f.runrate.expected_minor, c),
            "run_rate_method": f.runrate.method,
        },
        "target": _money(report.target_minor, c),
        "target_source": report.target_source,
        "probability_of_target": report.probability_of_target,
        "open_deals": f.deals.height,
        "imputed_amounts": int(f.deals["amount_imputed"].is_not_null().sum()),
        "hygiene_flagged_share": report.hygiene_flagged_share,
        "categories": [_line_json(line, c) for line in report.categories],
        "by": report.by,
        "groups": [_line_json(line, c) for line in report.groups],
        "top_deals": [_deal_json(row, report) for row in report.top.iter_rows(named=True)],
        "calibration": None
        if cal is None
        else {
            "brier": cal.brier,
            "ece": cal.ece,
            "n": cal.n,
            "bins": [
                {
                    "low": b.low,
                    "high": b.high,
                    "n": b.n,
                    "predicted": b.predicted,
                    "observed": b.observed,
                }
                for b in cal.bins
            ],
        },
        "backtest": None if report.backtest is None else _scores_json(report.backtest),
        "histogram": {"edges": [_money(e, c) for e in r.edges_minor], "counts": r.counts},
    }


def _deal_json(row: dict[str, Any], report: ForecastReport) -> dict[str, Any]:
    c = report.currency
    return {
        "opportunity_id": row["opportunity_id"],
        "owner_id": row["owner_id"],
        "owner": report.owners.get(str(row["owner_id"])),
        "stage": row["stage"],
        "amount": _money(row["amount_plan_minor"], c),
        "amount_imputed": row["amount_imputed"],
        "close_date": row["close_date"].isoformat() if row["close_date"] else None,
        "p_win": row["p_win"],
        "p_in_period": row["p_timing"],
        "expected": _money(round(row["expected_minor"]), c),
    }


def _scores_json(report: Any) -> dict[str, Any]:
    return {
        "grain": report.grain,
        "chosen": report.chosen,
        "scores": [
            {
                "method": s.method,
                "n": s.n,
                "wape": s.wape,
                "mape": s.mape,
                "bias": s.bias,
                "coverage_p10_p90": s.coverage,
            }
            for s in report.scores
        ],
        "model_error": report.model_error,
        "interval_calibration": {
            m: _interval_json(cal) for m, cal in report.interval_calibration.items()
        },
    }


def _interval_json(cal: Any) -> dict[str, Any]:
    """P10/P90 factors (simulation.IntervalCalibration) and the past cutoffs behind them."""
    return {
        "p10_factor": round(cal.lower, 3),
        "p90_factor": round(cal.upper, 3),
        "cutoffs": cal.n,
    }


_TARGET_LABELS = {
    "plan_period": N_("Target (written in the plan for this period)"),
    "plan_goal_split": N_("Target (the plan's annual goal split by seasonality)"),
}


def forecast_tables(report: ForecastReport, t: Translator) -> list[TableResult]:
    f = report.forecast
    rows: list[tuple[str, Kind, Any]] = [
        (N_("Expected bookings"), Kind.MONEY, f.range.expected_minor),
        (N_("P10 (9 in 10 chance to beat)"), Kind.MONEY, f.range.p10_minor),
        (N_("P50"), Kind.MONEY, f.range.p50_minor),
        (N_("P90 (1 in 10 chance to beat)"), Kind.MONEY, f.range.p90_minor),
        (N_("Already won in the period"), Kind.MONEY, f.closed_minor),
        (N_("From the open pipeline"), Kind.MONEY, f.pipeline_expected_minor),
        (N_("Run-rate (deals not yet created)"), Kind.MONEY, f.runrate.expected_minor),
        (N_("Open deals"), Kind.INT, f.deals.height),
        (N_("Method"), Kind.TEXT, report.method),
    ]
    if report.target_minor is not None:
        label = _TARGET_LABELS.get(report.target_source or "", N_("Target"))
        rows.append((label, Kind.MONEY, report.target_minor))
        rows.append((N_("Chance to reach the target"), Kind.RATE, report.probability_of_target))
    summary = TableResult(
        title=N_("Forecast"),
        columns=[
            Column("metric", N_("Metric"), labels={name: name for name, _, _ in rows}),
            Column("value", N_("Value"), Kind.PER_ROW),
        ],
        rows=[{"metric": n, "kind": k, "value": v} for n, k, v in rows],
    )
    categories = TableResult(
        title=N_("By CRM forecast category"),
        columns=[
            Column("forecast_category", N_("Category"), labels=_CATEGORY_LABELS),
            Column("deals", N_("Deals"), Kind.INT),
            Column("amount", N_("Amount"), Kind.MONEY),
            Column("expected", N_("Expected"), Kind.MONEY),
        ],
        rows=[
            {
                **line.group,
                "deals": line.deals,
                "amount": line.amount_minor,
                "expected": line.expected_minor,
            }
            for line in report.categories
        ],
    )
    top = TableResult(
        title=N_("Deals that matter most"),
        columns=[
            Column("opportunity_id", N_("Deal")),
            Column("owner", N_("Owner")),
            Column("stage", N_("Stage")),
            Column("amount", N_("Amount"), Kind.MONEY),
            Column("p_win", N_("P(win)"), Kind.RATE),
            Column("p_in_period", N_("P(in period)"), Kind.RATE),
            Column("expected", N_("Expected"), Kind.MONEY),
        ],
        rows=[
            {
                "opportunity_id": r["opportunity_id"],
                "owner": report.owners.get(str(r["owner_id"]), r["owner_id"]),
                "stage": r["stage"],
                "amount": r["amount_plan_minor"],
                "p_win": r["p_win"],
                "p_in_period": r["p_timing"],
                "expected": round(r["expected_minor"]),
            }
            for r in report.top.iter_rows(named=True)
        ],
    )
    tables = [summary, categories]
    if report.groups:
        tables.append(
            TableResult(
                title=N_("By group"),
                columns=[
                    *(Column(k, DIMENSION_HEADERS.get(k, k)) for k in report.by),
                    Column("deals", N_("Deals"), Kind.INT),
                    Column("expected", N_("Expected"), Kind.MONEY),
                    Column("p10", N_("P10"), Kind.MONEY),
                    Column("p90", N_("P90"), Kind.MONEY),
                ],
                rows=[
                    {
                        **line.group,
                        "deals": line.deals,
                        "expected": line.expected_minor,
                        "p10": line.p10_minor,
                        "p90": line.p90_minor,
                    }
                    for line in report.groups
                ],
            )
        )
    tables.append(top)
    return tables


_CATEGORY_LABELS = {
    "closed": N_("Closed"),
    "commit": N_("Commit"),
    "best_case": N_("Best case"),
    "pipeline": N_("Pipeline"),
    "omitted": N_("Omitted"),
}


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
        warnings=_warnings(report.notices, t),
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
        rows=_scores_json(report)["scores"],
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
        **_scores_json(report),
        "reason": t.gettext(report.reason, **report.reason_params),
        "cutoffs": [
            {
                "cutoff": r.cutoff.isoformat(),
                "end_exclusive": r.end.isoformat(),
                "actual": _money(r.actual_minor, c),
                "forecasts": {m: _money(v, c) for m, v in r.forecasts.items()},
                "p10": {m: _money(v, c) for m, v in r.p10.items()},
                "p90": {m: _money(v, c) for m, v in r.p90.items()},
                "interval_calibration": {m: _interval_json(v) for m, v in r.interval.items()},
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
                "amount": _money(r["amount_plan_minor"], c),
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
