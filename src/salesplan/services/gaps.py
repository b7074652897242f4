"""`salesplan gaps`: the gaps between the plan year's target and the data, ranked by money.

Reads the workspace (baseline frames, the forecast history). The year's and each quarter's
target is the stored plan's bookings goal where it has one (services.forecast_target: the
target `salesplan forecast` uses), else `compute_targets`' blend. Forecasts each remaining
quarter and the year with the same call as `salesplan forecast --method auto`
(services.forecast.forecast_model, quarter backtest), flags pipeline hygiene, and hands
everything to planning.gaps.find_gaps. `--propose` turns the top gaps into draft
initiatives from the playbook and adds the first of each gap to the plan as a draft
(services.plan.add_draft_initiatives; existing initiatives are kept).
`compute_gaps(settings, year=None, period=None)` is the one call other faces (the demo, the
web) need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN
from typing import Any

import polars as pl

from salesplan.analytics.baseline import baseline_groups
from salesplan.config import Settings
from salesplan.domain.periods import Period, add_months, parse_period
from salesplan.errors import ConfigError, SalesplanError
from salesplan.forecast.history import won_between
from salesplan.forecast.hygiene import pipeline_hygiene
from salesplan.i18n import N_
from salesplan.i18n.money import currency_exponent
from salesplan.planning.gaps import (
    CoverageInput,
    Gap,
    GapInputs,
    GapType,
    Outlook,
    QualitativeNote,
    find_gaps,
)
from salesplan.planning.gaps_outcomes import group_outlooks
from salesplan.planning.playbook import DraftInitiative, load_playbook, play_for, propose
from salesplan.services import plan as plan_service
from salesplan.services.baseline import load_frames, resolve_period
from salesplan.services.forecast import (
    ForecastModel,
    Notice,
    Workspace,
    forecast_model,
    load_workspace,
)
from salesplan.services.forecast_target import PlanTargets
from salesplan.services.plan_store import check_year_option, latest, stored_plan
from salesplan.services.targets import TargetsReport, compute_targets, target_inputs

FORECAST_METHOD = "auto"
"""As `salesplan forecast` does by default: the method the backtest picks."""
PROPOSE_TOP = 5
"""--propose drafts initiatives for this many gaps with money at stake (and every note)."""
GROUP_DIMENSIONS = {
    "region": "region",
    "segment": "segment",
    "owner": "owner_id",
    "owner_id": "owner_id",
    "rep": "owner_id",
}
OUTCOME_TYPES = (
    GapType.FORECAST,
    GapType.FORECAST_DOWNSIDE,
    GapType.PIPELINE_CREATION,
    GapType.PIPELINE_COVERAGE,
)


@dataclass(frozen=True)
class GapsReport:
    as_of: dt.date
    currency: str
    year: int
    period: Period | None
    by: list[str]
    target_minor: int | None
    forecast_method: str
    gaps: list[Gap]
    owners: dict[str, str]
    """team_member id → name."""
    plays: dict[str, str] = field(default_factory=dict)
    """Gap id → key of the playbook play that answers it."""
    proposals: list[DraftInitiative] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    """Plan ids of the drafts added to the plan (empty without a plan)."""
    notices: list[Notice] = field(default_factory=list)
    target_source: str | None = None
    """`plan_period`/`plan_goal_split` (the stored plan's goal, as `salesplan forecast` uses)
    or `blend` (`salesplan targets`' blend when the plan has no bookings goal for the year)."""


def parse_dimensions(text: str | None) -> list[str]:
    """`region,segment,owner` → canonical column names (owner → owner_id)."""
    result: list[str] = []
    for raw in (text or "").split(","):
        if not raw.strip():
            continue
        name = GROUP_DIMENSIONS.get(raw.strip().lower())
        if name is None:
            raise ConfigError(
                "Unknown dimension {value} for {option}; use any of: {choices}.",
                value=raw.strip(),
                option="--by",
                choices="region, segment, owner",
            )
        if name not in result:
            result.append(name)
    return result


def plan_year(as_of: dt.date, year: int | None, period: Period | None) -> int:
    """The year asked for, else the period's, else the as-of year (next year from October)."""
    if year is not None:
        return year
    if period is not None:
        return period.start.year
    return as_of.year + 1 if as_of.month >= 10 else as_of.year


def compute_gaps(
    settings: Settings,
    year: int | None = None,
    period: str | None = None,
    *,
    by: Sequence[str] = ("segment",),
    propose_drafts: bool = False,
    seed: int = 0,
    workspace: Workspace | None = None,
    model: ForecastModel | None = None,
) -> GapsReport:
    """Every gap of the plan year, ranked by revenue at stake (see planning.gaps).

    `workspace` and `model` let a caller that already loaded the workspace and fitted the
    `auto` model at quarter grain with the same seed (the written plan's year forecast)
    pass them in instead of doing both again."""
    if year is not None:
        check_year_option(year)
    data = load_frames(settings)
    as_of = data.as_of
    chosen = resolve_period(period, as_of) if period else None
    y = plan_year(as_of, year, chosen)
    notices: list[Notice] = []
    targets = _targets(settings, y, None, notices)
    window = parse_period("last-12m", as_of)
    workspace = workspace or load_workspace(settings)
    history = workspace.history
    hygiene = pipeline_hygiene(history)
    outlooks: list[Outlook] = []
    coverage: list[CoverageInput] = []
    method = FORECAST_METHOD
    plan_targets = PlanTargets(settings, history)
    year_period = Period(str(y), dt.date(y, 1, 1), dt.date(y + 1, 1, 1), "year")
    planned, target_source = plan_targets.target(year_period)
    if targets is not None and planned is None:
        target_source = "blend"
    if targets is not None:
        outlooks, method = _outlooks(
            settings, targets, plan_targets, history, model, data.opportunities, window, by, seed
        )
        coverage = _coverage(targets, data.opportunities, as_of)
    inputs = GapInputs(
        period=str(y),
        as_of=as_of,
        opportunities=data.opportunities,
        events=data.events,
        stages=data.stages,
        window=(window.start, window.end),
        window_label=window.label,
        by=list(by),
        leads=data.leads,
        accounts=data.accounts,
        hygiene_deals=hygiene.deals,
        funnel=None if targets is None else targets.funnel,
        outlooks=outlooks,
        target_minor=planned if planned is not None else _blend_total(targets),
        capacity=None if targets is None else targets.capacity,
        hiring=None if targets is None else targets.hiring,
        coverage=coverage,
        notes=_plan_notes(settings),
    )
    gaps = [g for g in find_gaps(inputs) if _in_period(g, chosen)]
    playbook = load_playbook()
    plays = {g.id: p.key for g in gaps if (p := play_for(g, playbook)) is not None}
    drafts: list[DraftInitiative] = []
    written: list[str] = []
    if propose_drafts:
        chosen_gaps = [g for g in gaps if g.at_stake_minor > 0][:PROPOSE_TOP]
        chosen_gaps += [g for g in gaps if g.note is not None and g not in chosen_gaps]
        drafts = propose(
            chosen_gaps,
            playbook,
            language=settings.locale,
            currency_exponent=currency_exponent(settings.currency),
        )
        written = _write_drafts(settings, drafts, notices)
    return GapsReport(
        as_of=as_of,
        currency=settings.currency,
        year=y,
        period=chosen,
        by=list(by),
        target_minor=planned if planned is not None else _blend_total(targets),
        forecast_method=method,
        gaps=gaps,
        target_source=target_source,
        owners={str(k): str(v) for k, v in workspace.owners.items()},
        plays=plays,
        proposals=drafts,
        written=written,
        notices=notices,
    )


def _blend_total(targets: TargetsReport | None) -> int | None:
    return None if targets is None else targets.target_minor


def _targets(
    settings: Settings, year: int, by: str | None, notices: list[Notice]
) -> TargetsReport | None:
    try:
        if by is None:
            return compute_targets(settings, year=year)
        return compute_targets(settings, inputs=target_inputs(year=year, by=by))
    except SalesplanError as exc:
        if by is None:
            notices.append(
                Notice("no_target", exc.message_id, {k: str(v) for k, v in exc.params.items()})
            )
        return None


def _quarters(year: int, as_of: dt.date) -> list[Period]:
    result = []
    for q in range(1, 5):
        start = dt.date(year, 3 * q - 2, 1)
        end = add_months(start, 3)
        if end > as_of + dt.timedelta(days=1):
            result.append(Period(f"{year}Q{q}", start, end, "quarter"))
    return result


def _outlooks(
    settings: Settings,
    targets: TargetsReport,
    plan_targets: PlanTargets,
    history: Any,
    fitted: ForecastModel | None,
    opportunities: pl.DataFrame,
    window: Period,
    by: Sequence[str],
    seed: int,
) -> tuple[list[Outlook], str]:
    """The year and each quarter not yet over: total, and per group of `by`; the method."""
    y, as_of = targets.inputs.year, history.as_of
    cutoff = as_of + dt.timedelta(days=1)
    if dt.date(y + 1, 1, 1) <= cutoff:
        return [], FORECAST_METHOD
    model = fitted or forecast_model(history, "quarter", FORECAST_METHOD, seed=seed)
    method = model.method
    periods: list[tuple[Period, int | None]] = [
        (Period(str(y), dt.date(y, 1, 1), dt.date(y + 1, 1, 1), "year"), None)
    ]
    periods += [(q, (q.start.month - 1) // 3) for q in _quarters(y, as_of)]
    group_targets = {
        column: _targets(settings, y, "owner" if column == "owner_id" else column, [])
        for column in by
    }
    shares = {column: _shares(opportunities, window, column) for column in by}
    result = []
    for p, quarter in periods:
        # The plan's own goal when it has one (the target `salesplan forecast` compares
        # with), else the blend of `salesplan targets`.
        planned, _ = plan_targets.target(p)
        target = planned
        if target is None:
            target = targets.target_minor if quarter is None else targets.split.quarters[quarter]
        f = model.period(history, p.start, p.end, seed=seed)
        r = f.range
        result.append(Outlook(p.label, {}, target, r.p10_minor, r.p50_minor, r.p90_minor, method))
        won = won_between(history, p.start, min(cutoff, p.end)).join(
            history.opportunities.select(pl.col("id").alias("opportunity_id"), *by),
            on="opportunity_id",
            how="left",
        )
        for column, report in group_targets.items():
            if report is None or not report.groups:
                continue
            months = slice(0, 12) if quarter is None else slice(3 * quarter, 3 * quarter + 3)
            wanted = {g.key: sum(g.months[months]) for g in report.groups}
            result += group_outlooks(
                f.deals,
                won,
                column,
                wanted,
                shares[column],
                (f.runrate.expected_minor, f.runrate.sd_minor),
                period=p.label,
                method=method,
                seed=seed,
            )
    return result, method


def _shares(opportunities: pl.DataFrame, window: Period, column: str) -> dict[str, float]:
    groups = baseline_groups(opportunities, window.start, window.end, [column])
    total = sum(g.bookings_minor for g in groups)
    return {
        str(g.group[column]): g.bookings_minor / total
        for g in groups
        if total > 0 and g.group[column] is not None
    }


def _coverage(
    targets: TargetsReport, opportunities: pl.DataFrame, as_of: dt.date
) -> list[CoverageInput]:
    funnel = targets.funnel
    if funnel is None:
        return []
    y = targets.inputs.year
    open_deals = opportunities.filter(pl.col("status") == "open")
    result = []
    for m in range(12):
        start = dt.date(y, m + 1, 1)
        q = m // 3
        spans = [
            (
                f"{y}-{m + 1:02d}",
                start,
                add_months(start, 1),
                targets.split.months[m],
                funnel.coverage_month,
                "month",
            )
        ]
        if m % 3 == 0:
            spans.append(
                (
                    f"{y}Q{q + 1}",
                    start,
                    add_months(start, 3),
                    targets.split.quarters[q],
                    funnel.coverage_quarter,
                    "quarter",
                )
            )
        for label, s, e, target, required, grain in spans:
            inside = open_deals.filter((pl.col("close_date") >= s) & (pl.col("close_date") < e))
            value = int(inside["amount_plan_minor"].fill_null(0).sum())
            result.append(CoverageInput(label, s, target, value, required, inside.height, grain))
    return result


def _in_period(gap: Gap, period: Period | None) -> bool:
    """Outcome gaps inside --period; cause gaps (about the plan year) always stay."""
    if period is None or gap.type not in OUTCOME_TYPES:
        return True
    try:
        own = parse_period(gap.period, period.start)
    except ValueError:
        return True
    return period.start <= own.start and own.end <= period.end


def _plan_notes(settings: Settings) -> list[QualitativeNote]:
    """Qualitative gaps recorded in the plan's `gaps` section (the latest stored version)."""
    try:
        stored = stored_plan(settings)
    except (SalesplanError, ValueError):
        return []
    if stored is None:
        return []
    exponent = currency_exponent(settings.currency)
    notes = []
    for gap in stored[1].gaps:
        scope = {k: v for k, v in (("segment", gap.segment), ("region", gap.region)) if v}
        estimate = None
        if gap.estimate is not None:
            estimate = int(gap.estimate.scaleb(exponent).to_integral_value(ROUND_HALF_EVEN))
        notes.append(QualitativeNote(gap.kind, gap.description, scope, estimate))
    return notes


def _write_drafts(
    settings: Settings, drafts: list[DraftInitiative], notices: list[Notice]
) -> list[str]:
    """Add the first proposed initiative of each gap to the plan as a draft (the others stay
    in the output as alternatives); returns the plan ids added."""
    if latest(settings) is None:
        notices.append(
            Notice(
                "no_plan",
                N_(
                    "No plan yet: the proposed initiatives are listed here only; run "
                    "`salesplan plan new`, then `salesplan gaps --propose` again to add them."
                ),
            )
        )
        return []
    first: dict[str, DraftInitiative] = {}
    for draft in drafts:
        first.setdefault(draft.gap, draft)
    result = plan_service.add_draft_initiatives(
        settings,
        [
            plan_service.DraftInitiative(
                gap=d.gap, title=d.title, change=d.change, kpi=d.kpi, expected_lift=d.expected_lift
            )
            for d in first.values()
        ],
        "salesplan gaps --propose",
    )
    if result.skipped_gaps:
        notices.append(
            Notice(
                "gaps_already_answered",
                N_("{count} gaps already have an initiative in the plan; left as they are."),
                {"count": str(len(result.skipped_gaps))},
            )
        )
    return list(result.added)
