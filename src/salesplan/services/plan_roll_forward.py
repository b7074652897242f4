"""`salesplan plan roll-forward --year YYYY`: yearly re-planning as a standard procedure.

Next year's plan starts from the latest stored plan, its year's results in the workspace's
data and the targets service's proposal for the new year (planning/roll_forward.py decides
what is carried, dropped and marked). The new plan is written to its own file (never over an
existing one without `force`), stored as the next version with its reason, and copied to
plan.yaml, like `plan import`. Money is Decimal in the plan currency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from salesplan import files
from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.kpis import Value, kpi_metrics, load_library
from salesplan.analytics.seasonality import monthly_index
from salesplan.config import Settings
from salesplan.domain.plan import Plan
from salesplan.domain.plan_lessons import Lessons
from salesplan.errors import ConfigError
from salesplan.i18n import N_
from salesplan.i18n.money import decimal_to_minor, minor_to_decimal
from salesplan.planning.decomposition import split_year
from salesplan.planning.roll_forward import PendingDecision, YearActuals, roll_forward
from salesplan.services.baseline import BaselineFrames, load_frames
from salesplan.services.plan import PlanVersion, refuse_unsaved_edits, write_plan_file
from salesplan.services.plan_fill import has_opportunities, plan_targets, workspace_facts
from salesplan.services.plan_store import (
    check_year_option,
    dump_document,
    kpi_units,
    parse_document,
    plan_drift,
    plan_path,
    resolve_author,
    store_version,
    stored_plan,
    validated,
)
from salesplan.services.plan_sync import sync_document

NO_DATA = N_(
    "The workspace has no CRM data: the plan rolls forward without last year's results or "
    "proposed targets."
)
DATA_BEFORE_YEAR = N_(
    "The data ends on {as_of}, before the {year} plan began: its results are empty."
)
DIGITS = {"rate": 4, "ratio": 4, "days": 1}
"""Decimal places kept of a KPI value computed as a float, by unit."""


@dataclass(frozen=True, slots=True)
class RollForwardResult:
    source: PlanVersion
    """The version the new plan was started from."""
    version: PlanVersion
    path: Path
    from_year: int
    year: int
    decisions: list[PendingDecision]
    dropped: list[tuple[str, str]]
    lessons: Lessons
    proposals: dict[str, Decimal]
    warnings: list[tuple[str, str, dict[str, Any]]]
    """(code, message id, parameters): no data, or data that ends before the plan year."""


def default_path(settings: Settings, year: int) -> Path:
    return settings.workspace / f"plan-{year}.yaml"


def _kpi_value(value: Value, unit: str, currency: str) -> Decimal | None:
    if value is None:
        return None
    if unit == "money":
        return minor_to_decimal(int(value), currency)
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(str(round(value, DIGITS.get(unit, 4))))


def _bookings(frames: BaselineFrames, start: dt.date, end: dt.date) -> int:
    return baseline_groups(frames.opportunities, start, end)[0].bookings_minor


def year_actuals(frames: BaselineFrames, plan: Plan, currency: str) -> YearActuals:
    """The plan year's calendar quarters, segments and KPIs measured on the workspace data.

    Quarter targets: the top bookings goal split by the seasonality index of won deals
    (as `salesplan targets` splits a year); KPIs over the year up to the as-of date."""
    year = plan.year
    bounds = [dt.date(year, m, 1) for m in (1, 4, 7, 10)] + [dt.date(year + 1, 1, 1)]
    quarters = [
        minor_to_decimal(_bookings(frames, bounds[q], bounds[q + 1]), currency) for q in range(4)
    ]
    top = next(
        (g for g in plan.goals if g.level == "top" and g.metric == "bookings" and not g.segment),
        None,
    )
    quarter_targets = None
    if top is not None and top.target is not None:
        won = frames.opportunities.filter(pl.col("status") == "won")
        split = split_year(decimal_to_minor(top.target, currency), monthly_index(won).index)
        quarter_targets = [minor_to_decimal(q, currency) for q in split.quarters]
    segments = {g.segment for g in plan.goals if g.metric == "bookings" and g.segment}
    by_segment = {
        s: minor_to_decimal(
            baseline_groups(
                frames.opportunities.filter(pl.col("segment") == s), bounds[0], bounds[4]
            )[0].bookings_minor,
            currency,
        )
        for s in sorted(segments)
    }
    library = {k.id: k for k in load_library()}
    values: dict[str, Decimal | None] = {}
    if frames.as_of >= bounds[0]:  # data that ends before the year has no KPI values for it
        metrics = kpi_metrics(
            opportunities=frames.opportunities,
            leads=frames.leads,
            accounts=frames.accounts,
            activities=frames.activities,
            team=frames.team,
            start=bounds[0],
            end=min(bounds[4], frames.as_of + dt.timedelta(days=1)),
        )
        for kpi in plan.kpis:
            known = library.get(kpi.id)
            if known is not None and known.metric is not None:
                values[kpi.id] = _kpi_value(metrics.get(known.metric), known.unit, currency)
    return YearActuals(
        as_of=frames.as_of,
        quarter_bookings=quarters,
        quarter_targets=quarter_targets,
        segment_bookings=by_segment,
        kpi_values=values,
        kpi_good={k: v.good for k, v in library.items()},
        kpi_units={k: v.unit for k, v in library.items()},
    )


def roll_forward_plan(
    settings: Settings,
    year: int,
    *,
    out: Path | None = None,
    reason: str | None = None,
    author: str | None = None,
    force: bool = False,
) -> RollForwardResult:
    """Start `year`'s plan from the latest version; write, store and return what to decide."""
    check_year_option(year)
    found = stored_plan(settings)
    if found is None:
        raise ConfigError("No plan yet: run `salesplan plan new` first.")
    stored, plan = found
    if year <= plan.year:
        raise ConfigError(
            "The new plan's year {year} must be after the plan's year {plan_year}.",
            year=year,
            plan_year=plan.year,
        )
    refuse_unsaved_edits(plan_drift(settings, stored), "`salesplan plan export --force`")
    target = out or default_path(settings, year)
    if target.exists() and not force:
        raise ConfigError(
            "{path} already exists; use {option} to overwrite it.",
            path=str(target),
            option="--force",
        )
    actuals, proposals = None, {}
    warnings: list[tuple[str, str, dict[str, Any]]] = []
    if has_opportunities(settings):
        actuals = year_actuals(load_frames(settings), plan, settings.currency)
        proposals = plan_targets(settings, workspace_facts(settings), year)
        if actuals.as_of < dt.date(plan.year, 1, 1):
            params: dict[str, Any] = {"as_of": actuals.as_of.isoformat(), "year": plan.year}
            warnings.append(("data_before_year", DATA_BEFORE_YEAR, params))
    else:
        warnings.append(("no_data", NO_DATA, {}))
    units = kpi_units()
    rolled = roll_forward(plan, year, actuals, proposals, units)
    document = parse_document(stored.content, f"plan version {stored.number}")
    sync_document(document, rolled.plan, {k for k, u in units.items() if u == "money"})
    text = dump_document(document)
    validated(text, f"plan {year}")
    why = (reason or "").strip() or f"roll-forward from the {plan.year} plan"
    # the file first: a path that cannot be written must not leave a stored version behind
    target.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(target, text)
    new = store_version(settings, text, author=resolve_author(settings, author), reason=why)
    if target.resolve() != plan_path(settings).resolve():
        write_plan_file(plan_path(settings), text)
    assert rolled.plan.lessons is not None
    return RollForwardResult(
        PlanVersion.of(stored),
        PlanVersion.of(new),
        target,
        plan.year,
        year,
        rolled.decisions,
        rolled.dropped,
        rolled.plan.lessons,
        proposals,
        warnings,
    )
