"""Outcome gaps: forecast, capacity and pipeline against the target and the reverse funnel.

All money in plan-currency minor units; w is the win rate by value (won ÷ closed amount).

- forecast_shortfall (per period, and per group): listed when P10 < target;
  at stake = max(0, target − P50); the downside target − P10 is kept in `terms`. The interval
  is [P10, P90], so a target inside it makes the gap low-confidence.
- capacity_shortfall: at stake = target − team capacity (planning.capacity), with the hires
  the hiring plan says close it.
- pipeline_creation (per close month m of the plan year whose creation month is complete):
  required = reverse-funnel pipeline for m, created = value of deals created in m's creation
  month (m − shift); at stake = (required − created) × w.
- pipeline_coverage (the first month and the first quarter of the plan year starting after
  the as-of date, if within COVERAGE_HORIZON_DAYS): required = required coverage × target of the
  period, open = value of open deals whose close date falls in it;
  at stake = (required − open) × w.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from salesplan.domain.periods import add_months
from salesplan.forecast.simulation import simulate
from salesplan.planning.capacity import HiringPlan, TeamCapacity
from salesplan.planning.gaps_model import Gap, GapType, money
from salesplan.planning.reverse_funnel import ReverseFunnel

COVERAGE_HORIZON_DAYS = 92


@dataclass(frozen=True, slots=True)
class Outlook:
    """A forecast range against a target, for one period and scope."""

    period: str
    scope: dict[str, str]
    target_minor: int
    p10_minor: int
    p50_minor: int
    p90_minor: int
    method: str


def group_outlooks(
    scored: pl.DataFrame,
    won: pl.DataFrame,
    column: str,
    targets: Mapping[str, int],
    shares: Mapping[str, float],
    runrate: tuple[int, float],
    *,
    period: str,
    method: str,
    sims: int = 2000,
    seed: int = 0,
) -> list[Outlook]:
    """Each group's range: won so far + its open deals (`scored`: amount_plan_minor, p_period)
    + its share of the run-rate (share of the window's bookings), simulated like the total.

    `won`: wins of the period so far with `column` and amount_plan_minor; `runrate`:
    (expected, sd) of the whole team's run-rate, both minor units."""
    dim = "owner_id" if column == "owner_id" else column
    result = []
    for key, target in sorted(targets.items()):
        deals = scored.filter(pl.col(column) == key)
        closed = int(won.filter(pl.col(column) == key)["amount_plan_minor"].fill_null(0).sum())
        share = shares.get(key, 0.0)
        spread = simulate(
            deals["amount_plan_minor"].fill_null(0).to_numpy().astype(float),
            deals["p_period"].fill_null(0.0).to_numpy(),
            extra_mean=closed + runrate[0] * share,
            extra_sd=runrate[1] * share,
            sims=sims,
            seed=seed,
        )
        result.append(
            Outlook(
                period,
                {dim: key},
                target,
                spread.p10_minor,
                spread.p50_minor,
                spread.p90_minor,
                method,
            )
        )
    return result


def forecast_gaps(outlooks: Sequence[Outlook]) -> list[Gap]:
    """One gap per outlook whose P10 falls short of its target."""
    gaps = []
    for o in outlooks:
        if o.target_minor <= 0 or o.p10_minor >= o.target_minor:
            continue
        short = o.p50_minor < o.target_minor
        gaps.append(
            Gap(
                type=GapType.FORECAST if short else GapType.FORECAST_DOWNSIDE,
                period=o.period,
                scope=dict(o.scope),
                metric="p50",
                unit="money",
                actual=float(o.p50_minor),
                benchmark=float(o.target_minor),
                benchmark_source="target",
                at_stake_minor=max(0, o.target_minor - o.p50_minor),
                formula="forecast_shortfall",
                terms={
                    "target_minor": o.target_minor,
                    "p10_minor": o.p10_minor,
                    "p50_minor": o.p50_minor,
                    "p90_minor": o.p90_minor,
                    "downside_minor": o.target_minor - o.p10_minor,
                },
                interval=(float(o.p10_minor), float(o.p90_minor)),
                window=o.method,
            )
        )
    return gaps


def capacity_gap(
    period: str, target_minor: int, capacity: TeamCapacity, hiring: HiringPlan | None
) -> list[Gap]:
    """The team's capacity short of the target (none when capacity covers it)."""
    short = target_minor - capacity.total_minor
    if short <= 0:
        return []
    return [
        Gap(
            type=GapType.CAPACITY,
            period=period,
            scope={},
            metric="capacity",
            unit="money",
            actual=float(capacity.total_minor),
            benchmark=float(target_minor),
            benchmark_source="target",
            at_stake_minor=short,
            formula="capacity_shortfall",
            terms={
                "target_minor": target_minor,
                "capacity_minor": capacity.total_minor,
                "members": len(capacity.members),
                "attainment": float(capacity.attainment),
                "hires_needed": None if hiring is None else hiring.hires_needed,
                "per_hire_minor": None if hiring is None else hiring.per_hire_minor,
            },
        )
    ]


def pipeline_creation_gaps(
    funnel: ReverseFunnel,
    created_by_month: Mapping[dt.date, int],
    win_rate_value: float,
    as_of: dt.date,
) -> list[Gap]:
    """Months whose creation month is over and created less pipeline than required.

    `created_by_month`: first day of month → value of deals created in it (minor units)."""
    gaps = []
    today = as_of + dt.timedelta(days=1)
    for month in funnel.months:
        if add_months(month.create_in, 1) > today or month.pipeline_minor <= 0:
            continue
        created = int(created_by_month.get(month.create_in, 0))
        if created >= month.pipeline_minor:
            continue
        missing = month.pipeline_minor - created
        gaps.append(
            Gap(
                type=GapType.PIPELINE_CREATION,
                period=f"{month.close_month.year}-{month.close_month.month:02d}",
                scope={},
                metric="pipeline_created",
                unit="money",
                actual=float(created),
                benchmark=float(month.pipeline_minor),
                benchmark_source="reverse_funnel",
                at_stake_minor=money(missing * win_rate_value),
                formula="pipeline_creation",
                terms={
                    "required_minor": month.pipeline_minor,
                    "created_minor": created,
                    "missing_minor": missing,
                    "win_rate_value": win_rate_value,
                    "created_in": month.create_in.isoformat(),
                    "shift_months": funnel.shift_months,
                },
                window=f"{month.create_in.year}-{month.create_in.month:02d}",
            )
        )
    return gaps


@dataclass(frozen=True, slots=True)
class CoverageInput:
    period: str
    start: dt.date
    target_minor: int
    open_minor: int
    """Open pipeline (stated amounts) with a close date in the period."""
    required_coverage: float
    deals: int
    grain: str = "quarter"
    """`month` or `quarter`: only the first period of each grain after the as-of date counts."""


def coverage_gaps(
    periods: Sequence[CoverageInput], win_rate_value: float, as_of: dt.date
) -> list[Gap]:
    """Periods starting soon whose open pipeline is short of the required coverage."""
    gaps = []
    firsts: dict[str, dt.date] = {}
    for p in sorted(periods, key=lambda p: p.start):
        if p.start > as_of:
            firsts.setdefault(p.grain, p.start)
    for p in periods:
        if p.start != firsts.get(p.grain) or (p.start - as_of).days > COVERAGE_HORIZON_DAYS:
            continue
        required = money(p.required_coverage * p.target_minor)
        if p.target_minor <= 0 or p.open_minor >= required:
            continue
        missing = required - p.open_minor
        gaps.append(
            Gap(
                type=GapType.PIPELINE_COVERAGE,
                period=p.period,
                scope={},
                metric="coverage",
                unit="ratio",
                actual=p.open_minor / p.target_minor,
                benchmark=p.required_coverage,
                benchmark_source="required_coverage",
                at_stake_minor=money(missing * win_rate_value),
                formula="pipeline_coverage",
                terms={
                    "target_minor": p.target_minor,
                    "open_minor": p.open_minor,
                    "required_minor": required,
                    "missing_minor": missing,
                    "win_rate_value": win_rate_value,
                },
                n=p.deals,
            )
        )
    return gaps
