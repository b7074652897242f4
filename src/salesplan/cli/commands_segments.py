"""`salesplan segments`: candidate segments ranked by ICP fit with n and Wilson intervals."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from salesplan.analytics.rates import LOW_CONFIDENCE_N
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json
from salesplan.cli.options import FormatOption, OutOption, PeriodOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.segments import (
    SegmentsReport,
    compute_segments,
    parse_segment_dimensions,
)

DIMENSION_LABELS = {
    "segment": N_("Segment"),
    "industry": N_("Industry"),
    "company_size": N_("Company size"),
    "region": N_("Region"),
    "source": N_("Source"),
}


def segments_payload(report: SegmentsReport) -> dict[str, Any]:
    """The `segments` JSON object (docs/market.md)."""
    c = report.currency
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "by": report.by,
        "low_confidence_n": LOW_CONFIDENCE_N,
        "candidates": [
            {
                "dimension": r.dimension,
                "value": r.value,
                "rank": r.rank,
                "fit": r.fit,
                "score": r.score,
                "win_rate": rate_json(r.win_rate),
                "win_rate_shrunk": r.win_rate_shrunk,
                "avg_deal": money(r.avg_deal_minor, c),
                "cycle_median_days": r.cycle_median_days,
                "bookings": money(r.bookings_minor, c),
                "revenue_share": r.revenue_share,
                "ltv_proxy": money(r.ltv_proxy_minor, c),
            }
            for r in report.candidates
        ],
        "icp": [
            {
                "dimension": i.dimension,
                "value": i.value,
                "fit": i.fit,
                "n": i.n,
                "low_confidence": i.low_confidence,
            }
            for i in report.icp
        ],
    }


def segments_tables(report: SegmentsReport) -> list[TableResult]:
    ranking = TableResult(
        title=N_("Candidate segments"),
        columns=[
            Column("dimension", N_("Dimension"), labels=DIMENSION_LABELS),
            Column("value", N_("Value")),
            Column("rank", N_("Rank"), Kind.INT),
            Column("fit", N_("ICP fit"), Kind.RATE),
            Column("n", N_("Closed deals"), Kind.INT),
            Column("win_rate", N_("Win rate"), Kind.RATE),
            Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
            Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
            Column("avg_deal", N_("Average deal size"), Kind.MONEY),
            Column("cycle", N_("Sales cycle, median days"), Kind.INT),
            Column("ltv", N_("Lifetime value proxy"), Kind.MONEY),
        ],
        rows=[
            {
                "dimension": r.dimension,
                "value": r.value,
                "rank": r.rank,
                "fit": r.fit,
                "n": r.win_rate.n,
                "win_rate": r.win_rate.rate,
                "win_low": r.win_rate.low,
                "win_high": r.win_rate.high,
                "avg_deal": r.avg_deal_minor,
                "cycle": r.cycle_median_days,
                "ltv": r.ltv_proxy_minor,
            }
            for r in report.candidates
        ],
    )
    icp = TableResult(
        title=N_("Proposed ideal customer profile"),
        columns=[
            Column("dimension", N_("Dimension"), labels=DIMENSION_LABELS),
            Column("value", N_("Value")),
            Column("fit", N_("ICP fit"), Kind.RATE),
            Column("n", N_("Closed deals"), Kind.INT),
        ],
        rows=[
            {"dimension": i.dimension, "value": i.value, "fit": i.fit, "n": i.n} for i in report.icp
        ],
    )
    return [ranking, icp]


@app.command("segments")
def segments(
    period: PeriodOption = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Any of segment, industry, company_size, region, source."),
    ] = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Rank candidate segments by ICP fit and propose an ideal customer profile."""
    output = parse_format(fmt)
    dimensions = parse_segment_dimensions(by)
    s = settings()
    report = compute_segments(s, period=period, by=dimensions)
    emit(
        "segments",
        segments_payload(report),
        segments_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )
