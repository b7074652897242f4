"""`salesplan promotions`: promotions against comparable deals, and guardrail breaches."""

from __future__ import annotations

from typing import Any

from salesplan.analytics.promotions import NO_PROMOTION, Margin
from salesplan.cli.app import app, settings
from salesplan.cli.baseline_sections import money, rate_json
from salesplan.cli.options import FormatOption, OutOption, PeriodOption, emit
from salesplan.cli.output import Column, Kind, TableResult, parse_format
from salesplan.i18n import N_
from salesplan.services.promotions import PromotionsReport, compute_promotions

MARGIN_STATUS = {
    "measured": N_("measured"),
    "needs_input": N_("needs input: the data has no cost per deal"),
}


def _margin(m: Margin | None, c: str, floor: float | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "deals": m.deals,
        "unknown_cost": m.unknown_cost,
        "amount": money(m.amount_minor, c),
        "margin_amount": money(m.margin_minor, c),
        "margin": m.margin,
        "comparable_margin": m.comparable_margin,
        "mix_coverage": m.mix_coverage,
        "min_margin": floor,
        "below_min": m.margin < floor if floor is not None and m.margin is not None else None,
    }


def margin_payload(report: PromotionsReport) -> dict[str, Any]:
    """The `margin` object: status, what is missing, the plan's floors, deals without."""
    margins, c = report.margins, report.currency
    return {
        "status": "needs_input" if margins is None else "measured",
        "needs": ["cost"] if margins is None else [],
        "min_margin": report.min_margins,
        "without_promotion": _margin((margins or {}).get(NO_PROMOTION), c, None),
    }


def promotions_payload(report: PromotionsReport) -> dict[str, Any]:
    """The `promotions` JSON object (docs/market.md)."""
    c = report.currency
    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end_exclusive": report.period.end.isoformat(),
        },
        "plan": report.has_plan,
        "promotions": [
            {
                "promotion": r.promotion,
                "win_rate": rate_json(r.win_rate),
                "comparable_win_rate": rate_json(r.comparable),
                "comparable_win_rate_adjusted": r.comparable_win_rate_adjusted,
                "lift": r.lift,
                "coverage": r.coverage,
                "discount": {"mean": r.discount_mean, "n": r.discount_n, "max": r.max_discount},
                "avg_deal": money(r.avg_deal_minor, c),
                "comparable_avg_deal": money(r.comparable_avg_deal_minor, c),
                "cycle_median_days": r.cycle_median_days,
                "comparable_cycle_days": r.comparable_cycle_days,
                "margin": _margin(
                    (report.margins or {}).get(r.promotion), c, report.min_margins.get(r.promotion)
                ),
            }
            for r in report.promotions.rows
        ],
        "margin": margin_payload(report),
        "breaches": [
            {
                "owner": b.owner_id,
                "promotion": b.promotion,
                "max_discount": b.max_discount,
                "deals": b.deals,
                "amount": money(b.amount_minor, c),
                "worst_discount": b.worst_discount,
                "deal_ids": b.deal_ids,
            }
            for b in report.promotions.breaches
        ],
    }


def promotions_tables(report: PromotionsReport) -> list[TableResult]:
    comparison = TableResult(
        title=N_("Promotions against comparable deals"),
        columns=[
            Column("promotion", N_("Promotion")),
            Column("n", N_("Closed deals"), Kind.INT),
            Column("win_rate", N_("Win rate"), Kind.RATE),
            Column("win_low", N_("Win rate, low (95%)"), Kind.RATE),
            Column("win_high", N_("Win rate, high (95%)"), Kind.RATE),
            Column("comparable", N_("Comparable win rate (same mix)"), Kind.RATE),
            Column("comparable_n", N_("Comparable deals"), Kind.INT),
            Column("discount", N_("Average discount"), Kind.RATE),
            Column("avg_deal", N_("Average deal size"), Kind.MONEY),
            Column("comparable_avg_deal", N_("Comparable deal size"), Kind.MONEY),
            Column("cycle", N_("Sales cycle, median days"), Kind.INT),
            Column("comparable_cycle", N_("Comparable cycle, days"), Kind.INT),
        ],
        rows=[
            {
                "promotion": r.promotion,
                "n": r.win_rate.n,
                "win_rate": r.win_rate.rate,
                "win_low": r.win_rate.low,
                "win_high": r.win_rate.high,
                "comparable": r.comparable_win_rate_adjusted,
                "comparable_n": r.comparable.n,
                "discount": r.discount_mean,
                "avg_deal": r.avg_deal_minor,
                "comparable_avg_deal": r.comparable_avg_deal_minor,
                "cycle": r.cycle_median_days,
                "comparable_cycle": r.comparable_cycle_days,
            }
            for r in report.promotions.rows
        ],
    )
    breaches = TableResult(
        title=N_("Discounts above the plan's maximum"),
        columns=[
            Column("owner", N_("Owner")),
            Column("promotion", N_("Promotion")),
            Column("max_discount", N_("Maximum discount"), Kind.RATE),
            Column("worst", N_("Largest discount"), Kind.RATE),
            Column("deals", N_("Deals"), Kind.INT),
            Column("amount", N_("Amount"), Kind.MONEY),
        ],
        rows=[
            {
                "owner": b.owner_id,
                "promotion": b.promotion,
                "max_discount": b.max_discount,
                "worst": b.worst_discount,
                "deals": b.deals,
                "amount": b.amount_minor,
            }
            for b in report.promotions.breaches
        ],
    )
    return [comparison, breaches, _margin_table(report)]


def _margin_table(report: PromotionsReport) -> TableResult:
    margins = report.margins or {}
    base = margins.get(NO_PROMOTION)
    rows = []
    for r in report.promotions.rows:
        m = margins.get(r.promotion)
        rows.append(
            {
                "promotion": r.promotion,
                "deals": m.deals if m else None,
                "margin": m.margin if m else None,
                "comparable": base.margin if base else None,
                "comparable_mix": m.comparable_margin if m else None,
                "min_margin": report.min_margins.get(r.promotion),
                "status": "needs_input" if report.margins is None else "measured",
            }
        )
    return TableResult(
        title=N_("Margin per promotion (won deals with a known cost)"),
        columns=[
            Column("promotion", N_("Promotion")),
            Column("deals", N_("Deals with a cost"), Kind.INT),
            Column("margin", N_("Margin"), Kind.RATE),
            Column("comparable", N_("Margin without a promotion"), Kind.RATE),
            Column("comparable_mix", N_("Margin without a promotion, same product mix"), Kind.RATE),
            Column("min_margin", N_("Minimum margin (plan)"), Kind.RATE),
            Column("status", N_("Status"), labels=MARGIN_STATUS),
        ],
        rows=rows,
    )


@app.command("promotions")
def promotions(
    period: PeriodOption = None,
    fmt: FormatOption = "table",
    out: OutOption = None,
) -> None:
    """Deals with each promotion against comparable deals without, and guardrail breaches."""
    output = parse_format(fmt)
    s = settings()
    report = compute_promotions(s, period=period)
    emit(
        "promotions",
        promotions_payload(report),
        promotions_tables(report),
        as_of=report.as_of,
        output=output,
        out=out,
    )
