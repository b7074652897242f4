"""A ForecastReport as the JSON payload and the tables of `salesplan forecast` (also
printed by `salesplan demo`)."""

from __future__ import annotations

from typing import Any

from salesplan.cli.labels import DIMENSION_HEADERS
from salesplan.cli.output import Column, Kind, TableResult
from salesplan.forecast.breakdown import Line
from salesplan.i18n import N_, Translator
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.forecast import ForecastReport, Notice


def money_text(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(minor_to_decimal(int(minor), currency))


def notice_warnings(notices: list[Notice], t: Translator) -> list[dict[str, str]]:
    return [{"code": n.code, "message": t.gettext(n.message, **n.params)} for n in notices]


def _line_json(line: Line, currency: str) -> dict[str, Any]:
    return {
        "group": line.group,
        "deals": line.deals,
        "amount": money_text(line.amount_minor, currency),
        "expected": money_text(line.expected_minor, currency),
        "p10": money_text(line.p10_minor, currency),
        "p90": money_text(line.p90_minor, currency),
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
        "expected": money_text(r.expected_minor, c),
        "p10": money_text(r.p10_minor, c),
        "p50": money_text(r.p50_minor, c),
        "p90": money_text(r.p90_minor, c),
        "range_method": r.method,
        "sims": r.sims,
        "model_error": report.model_error,
        "interval_calibration": interval_json(report.interval_calibration),
        "components": {
            "closed": money_text(f.closed_minor, c),
            "pipeline": money_text(f.pipeline_expected_minor, c),
            "run_rate": money_text(f.runrate.expected_minor, c),
            "run_rate_method": f.runrate.method,
        },
        "target": money_text(report.target_minor, c),
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
        "backtest": None if report.backtest is None else scores_json(report.backtest),
        "histogram": {"edges": [money_text(e, c) for e in r.edges_minor], "counts": r.counts},
    }


def _deal_json(row: dict[str, Any], report: ForecastReport) -> dict[str, Any]:
    c = report.currency
    return {
        "opportunity_id": row["opportunity_id"],
        "owner_id": row["owner_id"],
        "owner": report.owners.get(str(row["owner_id"])),
        "stage": row["stage"],
        "amount": money_text(row["amount_plan_minor"], c),
        "amount_imputed": row["amount_imputed"],
        "close_date": row["close_date"].isoformat() if row["close_date"] else None,
        "p_win": row["p_win"],
        "p_in_period": row["p_timing"],
        "expected": money_text(round(row["expected_minor"]), c),
    }


def scores_json(report: Any) -> dict[str, Any]:
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
            m: interval_json(cal) for m, cal in report.interval_calibration.items()
        },
    }


def interval_json(cal: Any) -> dict[str, Any]:
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
