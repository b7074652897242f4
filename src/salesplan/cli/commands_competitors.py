"""`salesplan competitors`: win rate against each competitor beside the plan's notes."""

from __future__ import annotations

from typing import Any

from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json
from salesplan.cli.options import FormatOption, OutOption, PeriodOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.competitors import CompetitorRow, CompetitorsReport, compute_competitors


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
                "lost_amount": money(k.lost_minor if k else 0, c),
                "share_of_losses": k.share_of_losses if k else None,
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
                "pricing": n.pricing if n else None,
                "messaging": n.messaging if n else None,
            }
        )
    return [
        TableResult(
            title=N_("Competitors"),
            columns=[
                Column("competitor", N_("Competitor")),
                Column("deals", N_("Deals"), Kind.INT),
                Column("win_rate", N_("Win rate against them"), Kind.RATE),
                Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
                Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
                Column("lost_amount", N_("Value lost to them"), Kind.MONEY),
                Column("pricing", N_("Their pricing (plan)")),
                Column("messaging", N_("Their messaging (plan)")),
            ],
            rows=rows,
        )
    ]


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
