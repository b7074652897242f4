"""`salesplan targets`: the year's revenue target by every method, split and explained.

Reads bookings, the team and the funnel history from the store, takes the leader's
judgement calls as a `TargetInputs`, and returns one `TargetsReport`: every method side by
side, the chosen target split into quarters and months (and groups), the team's capacity and
hiring plan, and the reverse funnel. `compute_targets(settings, year=2027, method="blend")`
is the one call other faces (the demo, the web) need.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import polars as pl
from pydantic import ValidationError

from salesplan.analytics.baseline import GroupBaseline, baseline_groups
from salesplan.analytics.funnel import stage_conversion
from salesplan.analytics.seasonality import monthly_index
from salesplan.config import Settings
from salesplan.domain.periods import Period, parse_period
from salesplan.domain.stages import DEFAULT_STAGES
from salesplan.domain.targets import TargetInputs
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import N_
from salesplan.i18n.money import minor_to_decimal
from salesplan.planning.capacity import HiringPlan, TeamCapacity, hiring_plan, team_capacity
from salesplan.planning.decomposition import (
    InfeasibleSplit,
    YearSplit,
    manual_distribution,
    split_year,
)
from salesplan.planning.reverse_funnel import (
    FunnelInputs,
    ReverseFunnel,
    activities_per_opportunity,
    lead_rates,
    reverse_funnel,
)
from salesplan.planning.targets import (
    MethodResult,
    blend_target,
    fit_trend,
    monthly_bookings,
    trend_target,
    yoy_target,
)
from salesplan.services.baseline import data_as_of
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.store import open_store
from salesplan.services.target_groups import (
    GroupTarget,
    break_down,
    convert_quotas,
    typical,
)
from salesplan.services.target_groups import (
    members as team_members,
)
from salesplan.services.target_segments import SegmentFunnel, segment_funnels
from salesplan.storage import frames, records

SELLING_ROLES = ("sdr", "bdr", "ae", "am")
NOTES = {
    "no-quota-carriers": N_("The capacity method needs team members with a quota."),
    "too-little-history": N_("The trend method needs at least 3 months of bookings history."),
    "year-in-history": N_("The trend method only forecasts years after the data; {year} is not."),
    "weights-renormalised": N_(
        "Blend weights were renormalised over the methods that have a target."
    ),
    "no-method": N_("No method has a target, so there is no blend."),
}


@dataclass(frozen=True, slots=True)
class Warning_:
    code: str
    message: str
    """i18n message id."""
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TargetsReport:
    inputs: TargetInputs
    as_of: dt.date
    currency: str
    baseline_period: Period
    methods: list[MethodResult]
    """yoy, capacity, trend and blend, in that order."""
    target_minor: int
    seasonality_source: str
    """`manual` or the baseline seasonality index's method (see analytics.seasonality)."""
    month_weights: list[float]
    split: YearSplit
    groups: list[GroupTarget]
    basis: str | None
    capacity: TeamCapacity | None
    hiring: HiringPlan | None
    funnel: ReverseFunnel | None
    baseline: GroupBaseline
    warnings: list[Warning_]
    segment_funnels: list[SegmentFunnel] = field(default_factory=list)
    """The reverse funnel worked per segment (services.target_segments)."""


def target_inputs(**fields: Any) -> TargetInputs:
    """Build TargetInputs from options, turning a validation error into a ConfigError."""
    try:
        return TargetInputs(**fields)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ConfigError(
            "Invalid target input {name}: {reason}",
            name=".".join(str(p) for p in first["loc"]) or "targets",
            reason=str(first["msg"]).removeprefix("Value error, "),
        ) from None


@dataclass(frozen=True, slots=True)
class _Store:
    opportunities: pl.DataFrame
    team: pl.DataFrame
    events: pl.DataFrame
    leads: pl.DataFrame
    activities: pl.DataFrame
    stages: Any


def _load(settings: Settings) -> _Store:
    engine = open_store(settings)
    try:
        opportunities = plan_currency_opportunities(engine, settings.currency)
        if opportunities.height == 0:
            raise DataError(
                "Nothing to show: the workspace has no opportunities yet. "
                "Run `salesplan demo` or import a CRM export."
            )
        with engine.connect() as connection:
            stages = records.read_stages(connection) or DEFAULT_STAGES
        team = frames.read_team(engine)
        rates = frames.read_fx_rates(engine)
        as_of = data_as_of(opportunities)
        team = convert_quotas(team, rates, settings.currency, as_of)
        return _Store(
            opportunities,
            team,
            frames.read_stage_events(engine),
            frames.read_leads(engine),
            frames.read_activities(engine),
            stages,
        )
    finally:
        engine.dispose()


def compute_targets(
    settings: Settings,
    *,
    year: int | None = None,
    method: str = "blend",
    inputs: TargetInputs | None = None,
) -> TargetsReport:
    """The targets report; `inputs` wins over `year`/`method` (year defaults to next year)."""
    store = _load(settings)
    opportunities = store.opportunities
    as_of = data_as_of(opportunities)
    if inputs is None:
        inputs = target_inputs(year=year or as_of.year + 1, method=method)
    warnings: list[Warning_] = []
    period = parse_period("last-12m", as_of)
    base = baseline_groups(opportunities, period.start, period.end)[0]
    won = opportunities.filter(pl.col("status") == "won")

    yoy = _yoy(won, inputs, as_of, warnings)
    members = team_members(store.team, inputs)
    capacity = team_capacity(members, inputs.year, inputs.attainment, inputs.attrition)
    cap_result = MethodResult(
        "capacity",
        capacity.total_minor if members else None,
        {
            "members": sum(1 for m in members if not m.planned),
            "planned_hires": sum(1 for m in members if m.planned),
            "attainment": inputs.attainment,
            "attrition": inputs.attrition,
        },
        None if members else "no-quota-carriers",
    )
    trend = _trend(won, inputs, as_of)
    blend, _ = blend_target([yoy, cap_result, trend], inputs.weights)
    methods = [yoy, cap_result, trend, blend]
    for result in methods:
        if result.note:
            warnings.append(Warning_(result.note, NOTES[result.note], {"year": inputs.year}))
    chosen = next(r for r in methods if r.method == inputs.method)
    if chosen.target_minor is None:
        raise DataError(
            "The {method} target cannot be computed from this workspace's data; "
            "choose another --method.",
            method=inputs.method,
        )
    target = chosen.target_minor

    seasonality = monthly_index(won)
    weights: list[Fraction]
    if inputs.month_distribution is not None:
        weights, source = manual_distribution(inputs.month_distribution), "manual"
    else:
        weights, source = [Fraction(v) for v in seasonality.index], seasonality.method
    locks = {m - 1: amount for m, amount in inputs.locked_months.items()}
    try:
        split = split_year(target, weights, locks)
    except InfeasibleSplit:
        raise ConfigError(
            "The locked amounts ({locked}) do not fit in the target ({target}).",
            locked=str(minor_to_decimal(sum(locks.values()), settings.currency)),
            target=str(minor_to_decimal(target, settings.currency)),
        ) from None

    groups, basis = break_down(won, period, capacity, split, target, inputs, settings.currency)
    hiring = _hiring(inputs, target, capacity, members, as_of) if members else None
    funnel = _funnel(store, base, period, inputs, target, split, warnings)
    by_segment = segment_funnels(
        store,
        period,
        split,
        lambda part, b, sp: _funnel(part, b, period, inputs, sum(sp.months), sp, []),
    )
    return TargetsReport(
        inputs=inputs,
        as_of=as_of,
        currency=settings.currency,
        baseline_period=period,
        methods=methods,
        target_minor=target,
        seasonality_source=source,
        month_weights=[float(w) for w in weights],
        split=split,
        groups=groups,
        basis=basis,
        capacity=capacity if members else None,
        hiring=hiring,
        funnel=funnel,
        baseline=base,
        warnings=warnings,
        segment_funnels=by_segment,
    )


def _yoy(
    won: pl.DataFrame, inputs: TargetInputs, as_of: dt.date, warnings: list[Warning_]
) -> MethodResult:
    """Last complete calendar year before the target year, else the last 12 months."""
    last = inputs.year - 1
    if dt.date(last, 12, 31) <= as_of:
        start, end, basis = dt.date(last, 1, 1), dt.date(last + 1, 1, 1), str(last)
    else:
        rolling = parse_period("last-12m", as_of)
        start, end, basis = rolling.start, rolling.end, rolling.label
        warnings.append(
            Warning_(
                "yoy-rolling-base",
                N_("{year} is not complete in the data: year-over-year grows the last 12 months."),
                {"year": last},
            )
        )
    window = won.filter((pl.col("closed_on") >= start) & (pl.col("closed_on") < end))
    base = int(window["amount_plan_minor"].sum() or 0)
    return yoy_target(base, inputs.growth, basis)


def _trend(won: pl.DataFrame, inputs: TargetInputs, as_of: dt.date) -> MethodResult:
    first, history = monthly_bookings(won, (as_of.year, as_of.month))
    try:
        fit = fit_trend(history, first, inputs.year)
    except ValueError:
        note = "too-little-history" if len(history) < 3 else "year-in-history"
        return MethodResult("trend", None, {"months_of_history": len(history)}, note)
    return trend_target(fit, inputs.market_growth)


def _hiring(
    inputs: TargetInputs, target: int, capacity: TeamCapacity, members: list[Any], as_of: dt.date
) -> HiringPlan:
    quota, ramp_months = typical(members, inputs.quota_roles[0])
    return hiring_plan(
        target_minor=target,
        capacity_minor=capacity.total_minor,
        year=inputs.year,
        quota_minor=quota,
        ramp_months=ramp_months,
        attainment=inputs.attainment,
        attrition=inputs.attrition,
        as_of=as_of,
        lead_months=inputs.hiring_lead_months,
    )


def _funnel(
    store: _Store,
    base: GroupBaseline,
    period: Period,
    inputs: TargetInputs,
    target: int,
    split: YearSplit,
    warnings: list[Warning_],
) -> ReverseFunnel | None:
    if (
        base.avg_deal_minor is None
        or not base.win_rate.rate
        or not base.win_rate_value
        or base.cycle_median_days is None
    ):
        warnings.append(
            Warning_("no-funnel", N_("No won deals in the last 12 months: no reverse funnel."))
        )
        return None
    conversions = stage_conversion(store.events, store.stages, period.start, period.end)
    leads = lead_rates(store.leads, period.start, period.end)
    year_start = dt.date(inputs.year, 1, 1)
    team = store.team.filter(
        pl.col("role").is_in(SELLING_ROLES)
        & (pl.col("start_date").is_null() | (pl.col("start_date") <= year_start))
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= year_start))
    )
    reps = team.height + sum(h.count for h in inputs.planned_hires)
    return reverse_funnel(
        FunnelInputs(
            target_minor=target,
            monthly_target_minor=split.months,
            year=inputs.year,
            avg_deal_minor=base.avg_deal_minor,
            win_rate=base.win_rate.rate,
            win_rate_value=base.win_rate_value,
            cycle_days=base.cycle_median_days,
            stage_conversion=[
                (c.stage, c.conversion.rate) for c in conversions if c.conversion.rate
            ],
            lead_to_mql=leads.to_mql.rate,
            mql_to_sql=leads.mql_to_sql.rate,
            sql_to_opportunity=leads.sql_to_opportunity.rate,
            activities_per_opportunity=activities_per_opportunity(
                store.activities, base.created, period.start, period.end
            ),
            reps=reps,
            weeks_per_year=inputs.weeks_per_year,
        )
    )
