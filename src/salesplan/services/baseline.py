"""`salesplan baseline`: the honest baseline of a period, with last year's for comparison.

Besides win rates, deal size, cycle, stage conversion and seasonality it carries the lead
funnel, activities, retention, losses, rep performance, trends, the segment table and the
current-state findings, all computed by the pure analytics modules from the stored frames.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from salesplan.analytics.activities import ActivitySummary, activity_summary, outreach_targets
from salesplan.analytics.assessment import Finding, assess
from salesplan.analytics.baseline import ALLOWED_DIMENSIONS, GroupBaseline, baseline_groups
from salesplan.analytics.currency import MissingRateError, to_plan_currency
from salesplan.analytics.demand import demand
from salesplan.analytics.demand import findings as findings_of
from salesplan.analytics.funnel import (
    StageConversion,
    sort_events,
    stage_conversion,
    stage_conversion_by,
    stage_paths,
)
from salesplan.analytics.leads import LeadFunnel, lead_flags, lead_funnel
from salesplan.analytics.losses import Losses, losses
from salesplan.analytics.reps import RepDistribution, rep_performance
from salesplan.analytics.retention import Retention, retention
from salesplan.analytics.seasonality import Seasonality, monthly_index
from salesplan.analytics.segments import SegmentRow, segment_table
from salesplan.analytics.trends import Trends, trends
from salesplan.config import Settings
from salesplan.domain.periods import Period, PeriodError, parse_period
from salesplan.domain.stages import DEFAULT_STAGES, StageList
from salesplan.errors import ConfigError, DataError
from salesplan.i18n import N_
from salesplan.i18n.money import currency_exponent
from salesplan.services.overview import plan_currency_opportunities
from salesplan.services.store import open_store
from salesplan.storage import frames, records

DIMENSION_ALIASES = {"owner": "owner_id", "rep": "owner_id"}


@dataclass(frozen=True, slots=True)
class BaselineReport:
    period: Period
    as_of: dt.date
    currency: str
    by: list[str]
    overall: GroupBaseline
    previous_year: GroupBaseline
    groups: list[GroupBaseline]
    stages: list[StageConversion]
    seasonality: Seasonality
    leads: list[LeadFunnel]
    activities: ActivitySummary
    retention: list[Retention]
    losses: Losses
    reps: RepDistribution
    trends: Trends
    segments: list[SegmentRow]
    findings: list[Finding]


@dataclass(frozen=True, slots=True)
class BaselineFrames:
    """Every frame the baseline reads; money in plan-currency minor units (see load_frames)."""

    as_of: dt.date
    opportunities: pl.DataFrame
    events: pl.DataFrame
    accounts: pl.DataFrame
    leads: pl.DataFrame
    activities: pl.DataFrame
    team: pl.DataFrame
    """With `quota_plan_minor` and `cost_plan_minor`: annual quota and cost at the as-of rate."""
    stages: StageList


def parse_dimensions(text: str | None) -> list[str]:
    if not text:
        return []
    result = []
    for raw in text.split(","):
        name = DIMENSION_ALIASES.get(raw.strip().lower(), raw.strip().lower())
        if name not in ALLOWED_DIMENSIONS:
            raise ConfigError(
                "Unknown dimension {value} for {option}; use any of: {choices}.",
                value=raw.strip(),
                option="--by",
                choices="segment, region, owner, industry, source, product, type",
            )
        if name not in result:
            result.append(name)
    return result


def resolve_period(text: str | None, as_of: dt.date) -> Period:
    try:
        return parse_period(text or "last-12m", as_of)
    except PeriodError:
        raise ConfigError(
            "Unknown period {value}; write it as 2026, 2026Q1, 2026-03 or last-12m.",
            value=text,
        ) from None


def data_as_of(opportunities: pl.DataFrame) -> dt.date:
    """The latest date the data knows about (the last created or closed deal)."""
    dates = [opportunities["created_on"].max(), opportunities["closed_on"].max()]
    known = [d for d in dates if isinstance(d, dt.date)]
    return max(known) if known else dt.date.today()


def team_in_plan_currency(
    team: pl.DataFrame, rates: pl.DataFrame, plan: str, as_of: dt.date
) -> pl.DataFrame:
    """Add quota_plan_minor and cost_plan_minor: quotas and costs at the as-of date's rate."""
    codes = set(team["currency"].drop_nulls().unique().to_list()) | {plan}
    exponents = {code: currency_exponent(code) for code in codes}
    dated = team.with_columns(pl.lit(as_of).alias("rate_on"))
    try:
        for source, out in (("annual_quota_minor", "quota_plan_minor"),
                            ("annual_cost_minor", "cost_plan_minor")):  # fmt: skip
            dated = to_plan_currency(
                dated, rates, plan, exponents, amount=source, on="rate_on", out=out
            )
    except MissingRateError as exc:
        raise DataError(
            "No exchange rate to {plan} for {currencies}: import a rates file "
            "(`salesplan import rates FILE`).",
            plan=plan,
            currencies=", ".join(exc.currencies),
        ) from exc
    return dated.drop("rate_on")


def load_frames(settings: Settings) -> BaselineFrames:
    """Read the workspace's frames once; refuses a workspace without opportunities."""
    engine = open_store(settings)
    try:
        opportunities = plan_currency_opportunities(engine, settings.currency)
        events = frames.read_stage_events(engine)
        accounts = frames.read_accounts(engine)
        leads = frames.read_leads(engine)
        activities = frames.read_activities(engine)
        team = frames.read_team(engine)
        rates = frames.read_fx_rates(engine)
        with engine.connect() as connection:
            stages = records.read_stages(connection) or DEFAULT_STAGES
    finally:
        engine.dispose()
    if opportunities.height == 0:
        raise DataError(
            "Nothing to show: the workspace has no opportunities yet. "
            "Run `salesplan demo` or import a CRM export."
        )
    as_of = data_as_of(opportunities)
    team = team_in_plan_currency(team, rates, settings.currency, as_of)
    return BaselineFrames(as_of, opportunities, events, accounts, leads, activities, team, stages)


def compute_baseline(
    settings: Settings, *, period: str | None = None, by: Sequence[str] = ()
) -> BaselineReport:
    data = load_frames(settings)
    report = baseline_report(data, settings.currency, period=period, by=by)
    extra = demand_findings(data, report.period)
    return replace(report, findings=[*report.findings, *extra]) if extra else report


def demand_findings(data: BaselineFrames, chosen: Period) -> list[Finding]:
    """Ongoing falls in leads or pipeline created below their seasonal expectation
    (analytics/demand.py), as obstacles — only when the period reaches the last complete
    month: a decline is news about now, not about a past year under review."""
    this_month = data.as_of.replace(day=1)
    last_complete = (this_month - dt.timedelta(days=1)).replace(day=1)
    if chosen.end <= last_complete:
        return []
    return findings_of(demand(data.leads, data.opportunities, data.as_of))


def baseline_report(
    data: BaselineFrames, currency: str, *, period: str | None = None, by: Sequence[str] = ()
) -> BaselineReport:
    """Every baseline section for the period (default last-12m) from loaded frames.

    Period-free intermediates are built once and shared: the sorted stage events and the
    period's stage paths (overall and per-segment conversion), the leads with their funnel
    steps and the outreach targets (this period and the four trend snapshots)."""
    opportunities, events, stages = data.opportunities, data.events, data.stages
    as_of = data.as_of
    chosen = resolve_period(period, as_of)
    start, end = chosen.start, chosen.end
    last_year = chosen.previous_year()
    overall = baseline_groups(opportunities, start, end)[0]
    previous = baseline_groups(opportunities, last_year.start, last_year.end)[0]
    groups = baseline_groups(opportunities, start, end, list(by)) if by else []
    ordered = sort_events(events)
    paths = stage_paths(ordered, stages, start, end)
    conversions = stage_conversion(events, stages, start, end, paths=paths)
    won = opportunities.select("status", "closed_on", "amount_plan_minor").filter(
        pl.col("status") == "won"
    )
    flagged_leads = lead_flags(data.leads, opportunities)
    targets = outreach_targets(data.activities)
    funnel = lead_funnel(data.leads, opportunities, start, end, flagged=flagged_leads)
    trend_frames = (opportunities, data.leads, data.accounts, data.activities)
    kept = retention(data.accounts, opportunities, start, end)
    lost = losses(opportunities, start, end)
    reps = rep_performance(opportunities, data.team, start, end)
    segments = segment_table(opportunities, data.accounts, start, end)
    findings = assess(
        overall=overall,
        previous_year=previous,
        stages=conversions,
        stages_by_segment=stage_conversion_by(
            events, opportunities, stages, start, end, ordered=ordered, paths=paths
        ),
        segments=segments,
        losses=lost,
        leads=funnel,
        retention=kept,
        reps=reps,
    )
    return BaselineReport(
        period=chosen,
        as_of=as_of,
        currency=currency,
        by=list(by),
        overall=overall,
        previous_year=previous,
        groups=groups,
        stages=conversions,
        seasonality=monthly_index(won),
        leads=funnel,
        activities=activity_summary(data.activities, start, end, targets=targets),
        retention=kept,
        losses=lost,
        reps=reps,
        trends=trends(
            *trend_frames,
            start,
            end,
            flagged_leads=flagged_leads,
            targets=targets,
            deals={(start, end): overall, (last_year.start, last_year.end): previous},
        ),
        segments=segments,
        findings=findings,
    )


FINDING_MESSAGES: dict[str, str] = {
    "lowest_stage_conversion": N_(
        "{stage} conversion in {segment} is {value}, the lowest of all segments "
        "(all segments: {benchmark})."
    ),
    "best_segment_win_rate": N_(
        "{segment} wins most often: {value} of closed deals (shrunk), against {benchmark} overall."
    ),
    "worst_segment_win_rate": N_(
        "{segment} wins least often: {value} of closed deals (shrunk), against {benchmark} overall."
    ),
    "win_rate_up": N_("The win rate rose to {value} from {benchmark} a year earlier."),
    "win_rate_down": N_("The win rate fell to {value} from {benchmark} a year earlier."),
    "cycle_longer": N_(
        "The median sales cycle grew to {value} days from {benchmark} days a year earlier."
    ),
    "top_loss_reason": N_("The most frequent loss reason is {subject}: {value} of lost deals."),
    "top_competitor": N_(
        "We lose most often to {subject}; our win rate against them is {value} "
        "(overall: {benchmark})."
    ),
    "best_lead_source": N_(
        "Leads from {subject} convert best: {value} become won deals (all leads: {benchmark})."
    ),
    "worst_lead_source": N_(
        "Leads from {subject} convert worst: {value} become won deals (all leads: {benchmark})."
    ),
    "nrr_above_one": N_("Net revenue retention is {value}: existing customers buy more."),
    "nrr_below_one": N_("Net revenue retention is {value}: existing customers buy less."),
    "most_reps_below_quota": N_("Only {value} of reps reached their quota."),
    "demand_decline": N_(
        "{subject} ran at {value} of the seasonal expectation for the last {n} months: "
        "demand may be falling (see `salesplan demand`)."
    ),
}
"""Finding code → message id; placeholders are the Finding's fields (value, benchmark, …)."""
