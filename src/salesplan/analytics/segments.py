"""The segment table and an ICP (ideal customer profile) fit ranking, grounded in history.

Per segment (opportunity `segment`; retention from the account's segment), for [start, end):

- win rate (Rate) and shrunk win rate (toward the pooled rate, rates.py), average won deal,
  median cycle days, bookings and share of revenue = bookings ÷ all bookings;
- logo retention and annualised churn (retention.py); a segment without customers at the
  period start borrows the overall annualised churn (`churn_borrowed`);
- lifetime value proxy = average won deal × expected lifetime in years, lifetime =
  min(1 ÷ annualised churn, 10) (10 when nobody churned), half-even minor units;
- ICP score = shrunk win rate × LTV proxy ÷ median cycle days: the expected lifetime value an
  opportunity of the segment earns per day of selling. Fit = score ÷ the best score (0-1);
  rank 1 is the best fit. Segments without a won deal have no score and rank last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

import polars as pl

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.rates import Rate
from salesplan.analytics.retention import retention

MAX_LIFETIME_YEARS = 10.0


@dataclass(frozen=True, slots=True)
class SegmentRow:
    segment: str | None
    won: int
    lost: int
    win_rate: Rate
    win_rate_shrunk: float | None
    avg_deal_minor: int | None
    cycle_median_days: float | None
    bookings_minor: int
    revenue_share: float | None
    logo_retention: Rate
    annualised_churn: float | None
    churn_borrowed: bool
    lifetime_years: float | None
    ltv_proxy_minor: int | None
    icp_score: float | None
    icp_fit: float | None
    icp_rank: int | None


def lifetime_years(annual_churn: float | None) -> float | None:
    """Expected customer lifetime 1 ÷ churn, capped at MAX_LIFETIME_YEARS."""
    if annual_churn is None:
        return None
    if annual_churn <= 0:
        return MAX_LIFETIME_YEARS
    return min(1 / annual_churn, MAX_LIFETIME_YEARS)


def segment_table(
    opportunities: pl.DataFrame, accounts: pl.DataFrame, start: dt.date, end: dt.date
) -> list[SegmentRow]:
    """Segments ranked by ICP fit, best first (see module doc)."""
    groups = baseline_groups(opportunities, start, end, ["segment"])
    kept = retention(accounts, opportunities, start, end)
    overall_churn = kept[0].annualised_churn
    by_segment = {r.segment: r for r in kept[1:]}
    total = sum(g.bookings_minor for g in groups)
    rows = []
    for g in groups:
        segment = g.group["segment"]
        r = by_segment.get(segment)
        churn = r.annualised_churn if r is not None else None
        borrowed = churn is None
        churn = overall_churn if borrowed else churn
        life = lifetime_years(churn)
        ltv = None
        if g.avg_deal_minor is not None and life is not None:
            value = Decimal(g.avg_deal_minor) * Decimal(repr(life))
            ltv = int(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
        score = None
        if ltv is not None and g.win_rate_shrunk is not None and g.cycle_median_days:
            score = g.win_rate_shrunk * ltv / g.cycle_median_days
        rows.append(
            SegmentRow(
                segment=segment,
                won=g.won,
                lost=g.lost,
                win_rate=g.win_rate,
                win_rate_shrunk=g.win_rate_shrunk,
                avg_deal_minor=g.avg_deal_minor,
                cycle_median_days=g.cycle_median_days,
                bookings_minor=g.bookings_minor,
                revenue_share=g.bookings_minor / total if total else None,
                logo_retention=r.logo_retention if r is not None else _no_rate(),
                annualised_churn=churn,
                churn_borrowed=borrowed,
                lifetime_years=life,
                ltv_proxy_minor=ltv,
                icp_score=score,
                icp_fit=None,
                icp_rank=None,
            )
        )
    return _rank(rows)


def _no_rate() -> Rate:
    return Rate(0, 0, None, None, None, True)


def _rank(rows: list[SegmentRow]) -> list[SegmentRow]:
    scored = sorted(
        rows, key=lambda r: (r.icp_score is None, -(r.icp_score or 0.0), str(r.segment))
    )
    best = scored[0].icp_score if scored and scored[0].icp_score else None
    result = []
    for position, row in enumerate(scored, start=1):
        has = row.icp_score is not None
        fit = row.icp_score / best if row.icp_score is not None and best else None
        result.append(replace(row, icp_fit=fit, icp_rank=position if has else None))
    return result
