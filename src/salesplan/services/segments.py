"""`salesplan segments`: candidate segments ranked by ICP fit, and the proposed ICP.

For each `--by` dimension separately (default `segment`), deals closed in the period are
grouped by the dimension's value. `segment` uses analytics/segments.py (ICP score = shrunk
win rate × LTV proxy ÷ median cycle days, retention included). Dimensions without account
retention (industry, company_size, region, source) score shrunk win rate × average won
deal (minor units) ÷ median cycle days: expected won value per day of selling. Fit = score ÷
the dimension's best score. `company_size` comes from the lead that created the deal.

The proposed ICP takes, per dimension, the best-ranked value whose win rate rests on at least
LOW_CONFIDENCE_N closed deals (falling back to the best-ranked value, flagged low confidence);
an unknown (null) value is ranked but never proposed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.rates import LOW_CONFIDENCE_N, Rate
from salesplan.analytics.segments import segment_table
from salesplan.config import Settings
from salesplan.domain.periods import Period
from salesplan.errors import ConfigError
from salesplan.services.baseline import BaselineFrames, load_frames, resolve_period

SEGMENT_DIMENSIONS = ("segment", "industry", "company_size", "region", "source")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value of one dimension; money in plan-currency minor units, cycle in days."""

    dimension: str
    value: str | None
    win_rate: Rate
    win_rate_shrunk: float | None
    avg_deal_minor: int | None
    cycle_median_days: float | None
    bookings_minor: int
    revenue_share: float | None
    ltv_proxy_minor: int | None
    score: float | None
    fit: float | None
    rank: int | None


@dataclass(frozen=True, slots=True)
class IcpChoice:
    dimension: str
    value: str | None
    fit: float | None
    n: int
    low_confidence: bool


@dataclass(frozen=True, slots=True)
class SegmentsReport:
    period: Period
    as_of: dt.date
    currency: str
    by: list[str]
    candidates: list[Candidate]
    icp: list[IcpChoice]


def parse_segment_dimensions(text: str | None) -> list[str]:
    if not text:
        return ["segment"]
    result: list[str] = []
    for raw in text.split(","):
        name = raw.strip().lower()
        if name not in SEGMENT_DIMENSIONS:
            raise ConfigError(
                "Unknown dimension {value} for {option}; use any of: {choices}.",
                value=raw.strip(),
                option="--by",
                choices=", ".join(SEGMENT_DIMENSIONS),
            )
        if name not in result:
            result.append(name)
    return result


def with_company_size(opportunities: pl.DataFrame, leads: pl.DataFrame) -> pl.DataFrame:
    """Opportunities with `company_size` from the lead that converted into each (else null)."""
    sizes = (
        leads.filter(pl.col("opportunity_id").is_not_null())
        .sort("created_on")
        .unique("opportunity_id", keep="first")
        .select(pl.col("opportunity_id").alias("id"), "company_size")
    )
    return opportunities.join(sizes, on="id", how="left")


def _rank(dimension: str, rows: list[Candidate]) -> list[Candidate]:
    ordered = sorted(rows, key=lambda r: (r.score is None, -(r.score or 0.0), str(r.value)))
    best = ordered[0].score if ordered and ordered[0].score else None
    ranked = []
    for position, r in enumerate(ordered, start=1):
        fit = r.score / best if r.score is not None and best else None
        rank = position if r.score is not None else None
        ranked.append(replace(r, dimension=dimension, fit=fit, rank=rank))
    return ranked


def dimension_candidates(
    opportunities: pl.DataFrame, dimension: str, start: dt.date, end: dt.date
) -> list[Candidate]:
    """Candidates of a dimension without retention: score = shrunk win × avg deal ÷ cycle."""
    groups = baseline_groups(opportunities, start, end, [dimension])
    total = sum(g.bookings_minor for g in groups)
    rows = []
    for g in groups:
        if g.win_rate.n == 0:
            continue
        score = None
        if g.avg_deal_minor is not None and g.win_rate_shrunk is not None and g.cycle_median_days:
            score = g.win_rate_shrunk * g.avg_deal_minor / g.cycle_median_days
        rows.append(
            Candidate(
                dimension=dimension,
                value=g.group[dimension],
                win_rate=g.win_rate,
                win_rate_shrunk=g.win_rate_shrunk,
                avg_deal_minor=g.avg_deal_minor,
                cycle_median_days=g.cycle_median_days,
                bookings_minor=g.bookings_minor,
                revenue_share=g.bookings_minor / total if total else None,
                ltv_proxy_minor=None,
                score=score,
                fit=None,
                rank=None,
            )
        )
    return _rank(dimension, rows)


def _segment_candidates(data: BaselineFrames, start: dt.date, end: dt.date) -> list[Candidate]:
    rows = [
        Candidate(
            dimension="segment",
            value=r.segment,
            win_rate=r.win_rate,
            win_rate_shrunk=r.win_rate_shrunk,
            avg_deal_minor=r.avg_deal_minor,
            cycle_median_days=r.cycle_median_days,
            bookings_minor=r.bookings_minor,
            revenue_share=r.revenue_share,
            ltv_proxy_minor=r.ltv_proxy_minor,
            score=r.icp_score,
            fit=None,
            rank=None,
        )
        for r in segment_table(data.opportunities, data.accounts, start, end)
        if r.win_rate.n > 0
    ]
    return _rank("segment", rows)


def propose_icp(candidates: Sequence[Candidate], by: Sequence[str]) -> list[IcpChoice]:
    """Per dimension the best-ranked known value with n ≥ LOW_CONFIDENCE_N, else the best."""
    choices = []
    for dimension in by:
        ranked = [
            c
            for c in candidates
            if c.dimension == dimension and c.rank is not None and c.value is not None
        ]
        if not ranked:
            continue
        solid = [c for c in ranked if c.win_rate.n >= LOW_CONFIDENCE_N]
        pick = (solid or ranked)[0]
        choices.append(IcpChoice(dimension, pick.value, pick.fit, pick.win_rate.n, not solid))
    return choices


def segments_from_frames(
    data: BaselineFrames, currency: str, *, period: str | None, by: Sequence[str]
) -> SegmentsReport:
    chosen = resolve_period(period, data.as_of)
    opportunities = data.opportunities
    if "company_size" in by:
        opportunities = with_company_size(opportunities, data.leads)
    candidates: list[Candidate] = []
    for dimension in by:
        if dimension == "segment":
            candidates += _segment_candidates(data, chosen.start, chosen.end)
        else:
            candidates += dimension_candidates(opportunities, dimension, chosen.start, chosen.end)
    return SegmentsReport(
        chosen, data.as_of, currency, list(by), candidates, propose_icp(candidates, by)
    )


def compute_segments(
    settings: Settings, *, period: str | None = None, by: Sequence[str] = ("segment",)
) -> SegmentsReport:
    """Rank candidate segments of the workspace's history (see module doc)."""
    data = load_frames(settings)
    return segments_from_frames(data, settings.currency, period=period, by=by)
