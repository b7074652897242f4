"""`salesplan competitors`: win rate against each competitor beside the plan's notes, loss
reasons where they were present, deal profile with and without them, and the trend."""

from __future__ import annotations

from typing import Any

from salesplan.analytics.competition import DealProfile
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json
from salesplan.cli.options import FormatOption, OutOption, PeriodOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.documents.labels import LABELS
from salesplan.i18n import N_
from salesplan.services.competitors import CompetitorRow, CompetitorsReport, compute_competitors

NO_COMPETITOR = ""
"""The last row of the competitor table: closed deals that name no competitor."""
NO_COMPETITOR_LABEL = {NO_COMPETITOR: N_("No competitor named")}


def _notes(row: CompetitorRow) -> dict[str, Any] | None:
    n = row.notes
    if n is None:
        return None
    return {
        "pricing": n.pricing,
        "features": list(n.features),
        "messaging": n.messaging,
        "strengths": list(n.strengths),
        "weaknesses": list(n.weaknesses),
        "updated": n.updated.isoformat() if n.updated else None,
    }


def _profile(p: DealProfile | None, c: str) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "deals": p.deals,
        "sized": p.sized,
        "avg_deal": money(p.avg_minor, c),
        "median_deal": money(p.median_minor, c),
        "cycle_median_days": p.cycle_median_days,
    }


def competitors_payload(report: CompetitorsReport) -> dict[str, Any]:
    """The `competitors` JSON object (docs/market.md)."""
    c = report.currency
    rows = []
    for row in report.rows:
        k = row.numbers
        rows.append(
            {
                "competitor": row.competitor,
                "deals": k.won + k.lost if k else 0,
                "won": k.won if k else 0,
                "lost": k.lost if k else 0,
                "win_rate": rate_json(k.win_rate) if k else None,
                "won_amount": money(k.won_minor if k else 0, c),
                "lost_amount": money(k.lost_minor if k else 0, c),
                "share_of_losses": k.share_of_losses if k else None,
                "loss_reasons": [
                    {
                        "reason": r.reason,
                        "lost": r.lost,
                        "share": r.share,
                        "cumulative_share": r.cumulative_share,
                    }
                    for r in (k.reasons if k else [])
                ],
                "present": _profile(k.present if k else None, c),
                "trend": [
                    {
                        "period": t.label,
                        "start": t.start.isoformat(),
                        "win_rate": rate_json(t.win_rate),
                    }
                    for t in (k.trend if k else [])
                ],
                "plan": _notes(row),
            }
        )
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "plan": report.has_plan,
        "competitive_share": rate_json(report.competitive_share),
        "absent": _profile(report.absent, c),
        "competitors": rows,
    }


def competitors_tables(report: CompetitorsReport) -> list[TableResult]:
    rows = []
    for row in report.rows:
        k, n = row.numbers, row.notes
        rows.append(
            {
                "competitor": row.competitor,
                "deals": k.won + k.lost if k else 0,
                "win_rate": k.win_rate.rate if k else None,
                "win_low": k.win_rate.low if k else None,
                "win_high": k.win_rate.high if k else None,
                "lost_amount": k.lost_minor if k else 0,
                "avg_deal": k.present.avg_minor if k else None,
                "median_deal": k.present.median_minor if k else None,
                "cycle": k.present.cycle_median_days if k else None,
                "pricing": n.pricing if n else None,
                "messaging": n.messaging if n else None,
            }
        )
    return [
        TableResult(
            title=N_("Competitors"),
            columns=[
                Column("competitor", N_("Competitor"), labels=NO_COMPETITOR_LABEL),
                Column("deals", N_("Deals"), Kind.INT),
                Column("win_rate", N_("Win rate against them"), Kind.RATE),
                Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
                Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
                Column("lost_amount", N_("Value lost to them"), Kind.MONEY),
                Column("avg_deal", N_("Average deal size"), Kind.MONEY),
                Column("median_deal", N_("Median deal size"), Kind.MONEY),
                Column("cycle", N_("Sales cycle, median days"), Kind.INT),
                Column("pricing", N_("Their pricing (plan)")),
                Column("messaging", N_("Their messaging (plan)")),
            ],
            rows=[*rows, _absent_row(report.absent)],
        ),
        _reasons_table(report),
        _trend_table(report),
    ]


def _absent_row(p: DealProfile) -> dict[str, Any]:
    """The no-competitor baseline as the table's last row (deal count, sizes, cycle)."""
    return {
        "competitor": NO_COMPETITOR,
        "deals": p.deals,
        "avg_deal": p.avg_minor,
        "median_deal": p.median_minor,
        "cycle": p.cycle_median_days,
    }


def _reasons_table(report: CompetitorsReport) -> TableResult:
    return TableResult(
        title=N_("Loss reasons where the competitor was present"),
        columns=[
            Column("competitor", N_("Competitor")),
            Column("reason", N_("Loss reason"), labels=LABELS["reason"]),
            Column("lost", N_("Deals lost"), Kind.INT),
            Column("share", N_("Share"), Kind.RATE),
            Column("cumulative", N_("Cumulative share"), Kind.RATE),
        ],
        rows=[
            {
                "competitor": row.competitor,
                "reason": r.reason,
                "lost": r.lost,
                "share": r.share,
                "cumulative": r.cumulative_share,
            }
            for row in report.rows
            if row.numbers is not None
            for r in row.numbers.reasons
        ],
    )


def _trend_table(report: CompetitorsReport) -> TableResult:
    return TableResult(
        title=N_("Win rate against competitors by half-year"),
        columns=[
            Column("competitor", N_("Competitor")),
            Column("period", N_("Half-year")),
            Column("deals", N_("Deals"), Kind.INT),
            Column("win_rate", N_("Win rate against them"), Kind.RATE),
            Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
            Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
        ],
        rows=[
            {
                "competitor": row.competitor,
                "period": t.label,
                "deals": t.win_rate.n,
                "win_rate": t.win_rate.rate,
                "win_low": t.win_rate.low,
                "win_high": t.win_rate.high,
            }
            for row in report.rows
            if row.numbers is not None
            for t in row.numbers.trend
        ],
    )


@app.command("competitors")
def competitors(
    period: PeriodOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Win rate against each competitor, deals and value lost, beside the plan's notes."""
    output = parse_format(fmt)
    s = settings()
    report = compute_competitors(s, period=period)
    emit(
        "competitors",
        competitors_payload(report),
        competitors_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )
