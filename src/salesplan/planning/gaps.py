"""Find the real bottleneck: every gap between the target and the data, ranked by money.

`find_gaps(GapInputs(...))` runs every detector on plain inputs (canonical frames with
`amount_plan_minor`, the reverse funnel, forecast outlooks, capacity, hygiene flags, notes
from the plan) and returns `Gap` records ranked by revenue at stake (plan-currency minor
units). Detectors: gaps_outcomes (forecast, capacity, pipeline creation and coverage),
gaps_funnel (stage conversion and time in stage per group, the team against last year, rep
skill gaps), gaps_signals (follow-up, lead qualification, retention, qualitative notes).
Gaps overlap (a weak stage is part of a forecast shortfall), so their amounts are not added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.leads import lead_funnel
from salesplan.analytics.retention import retention
from salesplan.domain.stages import StageList
from salesplan.planning.capacity import HiringPlan, TeamCapacity
from salesplan.planning.gaps_funnel import group_stage_gaps, rep_stage_gaps, team_stage_gaps
from salesplan.planning.gaps_model import (
    QUALITATIVE_TYPES,
    Confidence,
    Gap,
    GapType,
    confidence,
    rank,
)
from salesplan.planning.gaps_outcomes import (
    CoverageInput,
    Outlook,
    capacity_gap,
    coverage_gaps,
    forecast_gaps,
    pipeline_creation_gaps,
)
from salesplan.planning.gaps_signals import (
    QualitativeNote,
    follow_up_gaps,
    lead_gaps,
    qualitative_gaps,
    retention_gaps,
)
from salesplan.planning.reverse_funnel import ReverseFunnel

__all__ = [
    "QUALITATIVE_TYPES",
    "Confidence",
    "CoverageInput",
    "Gap",
    "GapInputs",
    "GapType",
    "Outlook",
    "QualitativeNote",
    "confidence",
    "created_by_month",
    "find_gaps",
    "rank",
]

GROUP_COLUMNS = ("segment", "region")
"""Dimensions compared group against group; `owner` is judged by rep_stage_gaps."""


@dataclass(frozen=True)
class GapInputs:
    period: str
    """The plan period label the gaps threaten (the plan year, e.g. `2026`)."""
    as_of: dt.date
    opportunities: pl.DataFrame
    """Canonical opportunities with `amount_plan_minor`."""
    events: pl.DataFrame
    stages: StageList
    window: tuple[dt.date, dt.date]
    """Evidence window [start, end) for rates (normally the last 12 months)."""
    window_label: str = "last-12m"
    by: Sequence[str] = ("segment",)
    leads: pl.DataFrame | None = None
    accounts: pl.DataFrame | None = None
    hygiene_deals: pl.DataFrame | None = None
    funnel: ReverseFunnel | None = None
    outlooks: Sequence[Outlook] = ()
    target_minor: int | None = None
    capacity: TeamCapacity | None = None
    hiring: HiringPlan | None = None
    coverage: Sequence[CoverageInput] = ()
    notes: Sequence[QualitativeNote] = field(default_factory=tuple)


def created_by_month(opportunities: pl.DataFrame) -> dict[dt.date, int]:
    """First day of month → value of deals created in it (plan-currency minor units)."""
    rows = (
        opportunities.filter(pl.col("created_on").is_not_null())
        .group_by(pl.col("created_on").dt.truncate("1mo").alias("month"))
        .agg(pl.col("amount_plan_minor").fill_null(0).sum().alias("value"))
    )
    return {r["month"]: int(r["value"]) for r in rows.iter_rows(named=True)}


def find_gaps(x: GapInputs) -> list[Gap]:
    """Every detector over the inputs; ranked by money at stake (gaps_model.rank)."""
    start, end = x.window
    (team,) = baseline_groups(x.opportunities, start, end)
    w = team.win_rate_value or 0.0
    common = {"period": x.period, "window_label": x.window_label}
    gaps: list[Gap] = []
    gaps += forecast_gaps(x.outlooks)
    if x.capacity is not None and x.target_minor is not None:
        gaps += capacity_gap(x.period, x.target_minor, x.capacity, x.hiring)
    if x.funnel is not None and w > 0:
        gaps += pipeline_creation_gaps(x.funnel, created_by_month(x.opportunities), w, x.as_of)
    if w > 0:
        gaps += coverage_gaps(x.coverage, w, x.as_of)
    for column in (c for c in x.by if c in GROUP_COLUMNS):
        gaps += group_stage_gaps(
            x.events, x.opportunities, x.stages, x.window, column=column, **common
        )
    gaps += team_stage_gaps(x.events, x.opportunities, x.stages, x.window, **common)
    gaps += rep_stage_gaps(x.events, x.opportunities, x.stages, x.window, **common)
    if x.hygiene_deals is not None and w > 0:
        gaps += follow_up_gaps(
            x.hygiene_deals,
            w,
            period=x.period,
            as_of=x.as_of.isoformat(),
            per_owner="owner_id" in x.by,
        )
    if x.leads is not None and x.leads.height:
        funnels = lead_funnel(x.leads, x.opportunities, start, end)
        gaps += lead_gaps(funnels, team.avg_deal_minor or 0, **common)
    if x.accounts is not None and x.accounts.height:
        now = retention(x.accounts, x.opportunities, start, end)
        before = retention(x.accounts, x.opportunities, _year_back(start), _year_back(end))
        gaps += retention_gaps(now, before, **common)
    gaps += qualitative_gaps(x.notes, period=x.period)
    return rank(gaps)


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)
