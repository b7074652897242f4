"""The reverse funnel: from a revenue target back to deals, pipeline, leads and activities.

    won deals      = ⌈target ÷ average deal size⌉
    opportunities  = ⌈won ÷ win rate (count)⌉
    entries(s)     = ⌈entries(next stage) ÷ conversion(s)⌉, from the last open stage back,
                     with entries(won) = won deals
    SQL            = ⌈opportunities ÷ (SQL → opportunity)⌉, MQL = ⌈SQL ÷ (MQL → SQL)⌉,
    leads          = ⌈MQL ÷ (lead → MQL)⌉
    activities(k)  = ⌈opportunities × activities of type k per opportunity created⌉,
                     per rep per week = activities(k) ÷ (reps × selling weeks)

Each month's won deals and opportunities are the annual counts split by the monthly targets
(largest remainder), and the pipeline for month m must be created `shift` months earlier,
shift = round(median cycle days ÷ 30.4375).

Required coverage (pipeline due to close in a period ÷ the period's target). Model: pipeline
is created at a steady value c per month, every deal closes (won or lost) L months after it
is created, and a share w of the value is won. The target of a period of P months is then
T = w·c·P. At the period's start, the deals that will close inside it are those created in
the L months before, up to P months' worth: value c·min(L, P). So

    coverage = c·min(L, P) ÷ (w·c·P) = min(1, L ÷ P) ÷ w.

Worked example: w = 25% by value. With a cycle of 3 months or more and a quarter (P = 3),
coverage = 1 ÷ 0.25 = 4x; the common "3x" rule is the special case w = ⅓, L ≥ P. With a
45-day cycle (L = 1.5 months): coverage = (1.5 ÷ 3) ÷ 0.25 = 2x, because half of the
quarter's bookings come from deals that do not exist yet when the quarter starts.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.rates import Rate, rate
from salesplan.domain.periods import add_months
from salesplan.planning.decomposition import allocate

DAYS_PER_MONTH = 30.4375
"""365.25 ÷ 12: converts a cycle in days to months."""


def required_coverage(win_rate_value: float, cycle_months: float, period_months: float) -> float:
    """min(1, L ÷ P) ÷ w (see the module docstring for the derivation and a worked example)."""
    if not 0 < win_rate_value <= 1:
        raise ValueError("the win rate must be in (0, 1]")
    if period_months <= 0 or cycle_months < 0:
        raise ValueError("period and cycle lengths must be positive")
    return min(1.0, cycle_months / period_months) / win_rate_value


@dataclass(frozen=True, slots=True)
class LeadRates:
    leads: int
    to_mql: Rate
    mql_to_sql: Rate
    sql_to_opportunity: Rate


def lead_rates(leads: pl.DataFrame, start: dt.date, end: dt.date) -> LeadRates:
    """Lead → MQL → SQL → opportunity rates among leads created in [start, end)."""
    window = leads.filter((pl.col("created_on") >= start) & (pl.col("created_on") < end))
    converted = pl.col("converted_on").is_not_null() | pl.col("opportunity_id").is_not_null()
    sql = pl.col("sql_on").is_not_null() | converted
    mql = pl.col("mql_on").is_not_null() | sql
    counts = window.select(
        mql.sum().alias("mql"), sql.sum().alias("sql"), converted.sum().alias("converted")
    ).row(0)
    n_mql, n_sql, n_conv = (int(v or 0) for v in counts)
    return LeadRates(
        window.height, rate(n_mql, window.height), rate(n_sql, n_mql), rate(n_conv, n_sql)
    )


def activities_per_opportunity(
    activities: pl.DataFrame, opportunities_created: int, start: dt.date, end: dt.date
) -> dict[str, float]:
    """Activities logged in [start, end) per opportunity created then, by activity type."""
    if opportunities_created <= 0:
        return {}
    window = activities.filter(
        (pl.col("occurred_at") >= dt.datetime.combine(start, dt.time()))
        & (pl.col("occurred_at") < dt.datetime.combine(end, dt.time()))
    )
    counts = window.group_by("type").len().sort("type")
    return {
        str(t): int(n) / opportunities_created
        for t, n in zip(counts["type"].to_list(), counts["len"].to_list(), strict=True)
        if t is not None
    }


@dataclass(frozen=True, slots=True)
class FunnelInputs:
    target_minor: int
    monthly_target_minor: Sequence[int]
    year: int
    avg_deal_minor: int
    win_rate: float
    """By count: won ÷ closed."""
    win_rate_value: float
    """By value: won amount ÷ closed amount (for pipeline value and coverage)."""
    cycle_days: float
    stage_conversion: Sequence[tuple[str, float]]
    """(stage key, conversion to a later stage) for the open stages, funnel order."""
    lead_to_mql: float | None = None
    mql_to_sql: float | None = None
    sql_to_opportunity: float | None = None
    activities_per_opportunity: Mapping[str, float] | None = None
    reps: int = 0
    weeks_per_year: int = 48


@dataclass(frozen=True, slots=True)
class FunnelMonth:
    close_month: dt.date
    target_minor: int
    won: int
    opportunities: int
    pipeline_minor: int
    create_in: dt.date
    """First day of the month the pipeline for `close_month` must be created in."""


@dataclass(frozen=True, slots=True)
class ReverseFunnel:
    won: int
    opportunities: int
    pipeline_minor: int
    """Pipeline value to create: ⌈target ÷ win rate by value⌉."""
    stage_entries: tuple[tuple[str, float, int], ...]
    """(stage, conversion, deals that must enter it)."""
    sql: int | None
    mql: int | None
    leads: int | None
    activities: dict[str, int]
    activities_per_rep_week: dict[str, float]
    cycle_months: float
    shift_months: int
    coverage_quarter: float
    coverage_month: float
    months: tuple[FunnelMonth, ...]


def _up(count: int, conversion: float | None) -> int | None:
    if conversion is None or conversion <= 0:
        return None
    return math.ceil(count / conversion - 1e-9)


def reverse_funnel(x: FunnelInputs) -> ReverseFunnel:
    """Work the funnel backwards from the target (formulas in the module docstring)."""
    if x.avg_deal_minor <= 0 or not 0 < x.win_rate <= 1 or not 0 < x.win_rate_value <= 1:
        raise ValueError("the funnel needs a positive deal size and win rates in (0, 1]")
    won = math.ceil(x.target_minor / x.avg_deal_minor) if x.target_minor > 0 else 0
    opportunities = _up(won, x.win_rate) or 0
    pipeline = math.ceil(x.target_minor / x.win_rate_value) if x.target_minor > 0 else 0
    entries: list[tuple[str, float, int]] = []
    needed = won
    for stage, conversion in reversed(list(x.stage_conversion)):
        needed = _up(needed, conversion) or needed
        entries.append((stage, conversion, needed))
    entries.reverse()
    sql = _up(opportunities, x.sql_to_opportunity)
    mql = _up(sql, x.mql_to_sql) if sql is not None else None
    leads = _up(mql, x.lead_to_mql) if mql is not None else None
    per_opp = dict(x.activities_per_opportunity or {})
    activities = {k: math.ceil(opportunities * v - 1e-9) for k, v in per_opp.items()}
    rep_weeks = x.reps * x.weeks_per_year
    per_rep_week = {k: v / rep_weeks for k, v in activities.items()} if rep_weeks else {}
    cycle_months = x.cycle_days / DAYS_PER_MONTH
    shift = round(cycle_months)
    weights = list(x.monthly_target_minor)
    won_m = allocate(won, weights)
    opps_m = allocate(opportunities, weights)
    pipe_m = allocate(pipeline, weights)
    months = tuple(
        FunnelMonth(
            close_month=dt.date(x.year, m + 1, 1),
            target_minor=weights[m],
            won=won_m[m],
            opportunities=opps_m[m],
            pipeline_minor=pipe_m[m],
            create_in=add_months(dt.date(x.year, m + 1, 1), -shift),
        )
        for m in range(12)
    )
    return ReverseFunnel(
        won=won,
        opportunities=opportunities,
        pipeline_minor=pipeline,
        stage_entries=tuple(entries),
        sql=sql,
        mql=mql,
        leads=leads,
        activities=activities,
        activities_per_rep_week=per_rep_week,
        cycle_months=cycle_months,
        shift_months=shift,
        coverage_quarter=required_coverage(x.win_rate_value, cycle_months, 3),
        coverage_month=required_coverage(x.win_rate_value, cycle_months, 1),
        months=months,
    )
