"""A new plan from a template, filled from the workspace's data where it exists.

Filled: the period (from the data's as-of date), last 12 months' figures as goal baselines,
next year's blended target (`salesplan targets`) and its reverse funnel as goal targets, the
segments found in the data (ranked by ICP fit), team members per role, and the sales team's
annual cost as the headcount budget line. Everything else stays the template's example text.
Money is written as quoted decimal strings in the plan currency (major units).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.segments import segment_table
from salesplan.config import Settings
from salesplan.domain.periods import parse_period
from salesplan.domain.plan_checks import History
from salesplan.domain.plan_process import DataFacts
from salesplan.domain.plan_templates import (
    fill_tokens,
    plan_period,
    template_texts,
    template_tokens,
)
from salesplan.domain.records import RecordKind
from salesplan.errors import SalesplanError
from salesplan.i18n.money import minor_to_decimal
from salesplan.services.baseline import BaselineFrames, load_frames
from salesplan.services.plan_store import dump_document, parse_document
from salesplan.services.store import open_store
from salesplan.services.targets import compute_targets
from salesplan.storage import records

MATURE_DAYS = 180
"""A 12-month window counts as history when the data starts this long before it."""
TOP_FACTS = 3


@dataclass(frozen=True, slots=True)
class WorkspaceFacts:
    """What the workspace's data says, in the plan currency (major units)."""

    as_of: dt.date
    data: DataFacts = field(default_factory=DataFacts)
    history: History = field(default_factory=History)
    team: dict[str, str] = field(default_factory=dict)
    """Team member id → name (everyone ever employed)."""
    active_by_role: dict[str, list[str]] = field(default_factory=dict)
    segments: list[dict[str, Any]] = field(default_factory=list)
    last_12m: dict[str, Decimal] = field(default_factory=dict)
    headcount_cost: Decimal | None = None


def has_opportunities(settings: Settings) -> bool:
    engine = open_store(settings)
    try:
        with engine.connect() as connection:
            return records.count_rows(connection, RecordKind.OPPORTUNITY) > 0
    finally:
        engine.dispose()


def _money(minor: int | None, currency: str) -> Decimal | None:
    return None if minor is None else minor_to_decimal(int(minor), currency)


def _history(frames: BaselineFrames, currency: str) -> list[tuple[int, Decimal]]:
    """Bookings of trailing 12-month windows ending at as_of, oldest first, mature ones only."""
    first = frames.opportunities["created_on"].min()
    end = frames.as_of + dt.timedelta(days=1)
    windows = []
    for k in range(10):
        stop = end.replace(year=end.year - k) if not (end.month == 2 and end.day == 29) else end
        start = stop.replace(year=stop.year - 1)
        if k > 0 and (not isinstance(first, dt.date) or first > start - dt.timedelta(MATURE_DAYS)):
            break
        won = baseline_groups(frames.opportunities, start, stop)[0].bookings_minor
        windows.append((stop.year, minor_to_decimal(won, currency)))
    return windows[::-1]


def _active(team: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    return team.filter(
        (pl.col("start_date").is_null() | (pl.col("start_date") <= day))
        & (pl.col("end_date").is_null() | (pl.col("end_date") > day))
    )


def _top(frame: pl.DataFrame, column: str) -> list[str]:
    counts = frame[column].drop_nulls().value_counts(sort=True)
    return [str(v) for v in counts[column].head(TOP_FACTS).to_list()]


def _segments(frames: BaselineFrames, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = segment_table(frames.opportunities, frames.accounts, start, end)
    result = []
    for row in rows:
        if row.segment is None:
            continue
        deals = frames.opportunities.filter(pl.col("segment") == row.segment)
        result.append(
            {
                "id": row.segment,
                "name": row.segment.replace("_", " ").capitalize(),
                "geography": _top(deals, "region"),
                "industries": _top(deals, "industry"),
                "priority": row.icp_rank,
                "from_data": True,
            }
        )
    return result


def workspace_facts(settings: Settings, today: dt.date | None = None) -> WorkspaceFacts:
    """Facts for filling and checking a plan; an empty workspace gives counts of zero."""
    if not has_opportunities(settings):
        return WorkspaceFacts(as_of=today or dt.date.today())
    frames = load_frames(settings)
    cur = settings.currency
    period = parse_period("last-12m", frames.as_of)
    overall = baseline_groups(frames.opportunities, period.start, period.end)[0]
    history = _history(frames, cur)
    first = frames.opportunities["created_on"].min()
    years = (frames.as_of - first).days // 365 if isinstance(first, dt.date) else 0
    active = _active(frames.team, frames.as_of)
    by_role: dict[str, list[str]] = {}
    for role, member in active.select("role", "id").iter_rows():
        by_role.setdefault(str(role), []).append(str(member))
    quota = active["quota_plan_minor"].drop_nulls().sum()
    cost = active["cost_plan_minor"].drop_nulls()
    leads = frames.leads.filter(
        (pl.col("created_on") >= period.start) & (pl.col("created_on") < period.end)
    ).height
    last: dict[str, Decimal] = {
        "bookings": minor_to_decimal(overall.bookings_minor, cur),
        "pipeline_created": minor_to_decimal(overall.created_minor, cur),
        "leads": Decimal(leads),
    }
    if overall.win_rate.rate is not None:
        last["win_rate"] = Decimal(str(round(overall.win_rate.rate, 3)))
    if overall.cycle_median_days is not None:
        last["sales_cycle"] = Decimal(str(round(overall.cycle_median_days)))
    open_deals = frames.opportunities.filter(pl.col("status") == "open").height
    return WorkspaceFacts(
        as_of=frames.as_of,
        data=DataFacts(frames.opportunities.height, years, open_deals),
        history=History(
            yearly={"bookings": history},
            capacity={"bookings": minor_to_decimal(int(quota), cur)} if quota else {},
        ),
        team={str(i): str(n or i) for i, n in frames.team.select("id", "name").iter_rows()},
        active_by_role=by_role,
        segments=_segments(frames, period.start, period.end),
        last_12m=last,
        headcount_cost=minor_to_decimal(int(cost.sum()), cur) if cost.len() else None,
    )


def _flow(items: Sequence[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _number(value: Decimal, unit: str | None) -> Any:
    if unit == "money":
        return DoubleQuotedScalarString(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _merge(base: CommentedMap, overlay: CommentedMap) -> None:
    """Overlay keys replace the base's; new keys go before sub_plans (the last section)."""
    for key, value in overlay.items():
        if key in base:
            base[key] = value
        else:
            base.insert(list(base.keys()).index("sub_plans"), key, value)


def _fill(document: CommentedMap, facts: WorkspaceFacts, targets: dict[str, Decimal]) -> None:
    goals_by_metric = {g.get("metric"): g for g in document.get("goals") or []}
    for metric, goal in goals_by_metric.items():
        unit = goal.get("unit")
        if metric in facts.last_12m and "baseline" in goal:
            goal["baseline"] = _number(facts.last_12m[metric], unit)
        value = targets.get(str(metric))
        if value is not None:
            goal["target"] = _number(value, unit)
    for kpi in document.get("kpis") or []:
        value = targets.get(kpi["id"])
        if value is not None:
            unit = goals_by_metric.get(kpi["id"], {}).get(
                "unit", "money" if kpi["id"] in ("bookings", "pipeline_created") else None
            )
            kpi["target"] = _number(value, unit)
    if facts.segments:
        segments = CommentedSeq()
        for row in facts.segments:
            entry = CommentedMap(row)
            entry["geography"] = _flow(row["geography"])
            entry["industries"] = _flow(row["industries"])
            segments.append(entry)
        document["target_market"]["segments"] = segments
    for role in document["team"]["roles"]:
        if facts.active_by_role.get(role["function"]):
            role["members"] = _flow(sorted(facts.active_by_role[role["function"]]))
    if facts.headcount_cost is not None:
        for line in document.get("budget") or []:
            if line.get("category") == "headcount":
                line["amount"] = DoubleQuotedScalarString(str(facts.headcount_cost))
                break


def plan_targets(settings: Settings, facts: WorkspaceFacts, year: int) -> dict[str, Decimal]:
    """Targets per metric: next year's blended target and its reverse funnel; held rates."""
    result: dict[str, Decimal] = {}
    for metric in ("win_rate", "sales_cycle"):
        if metric in facts.last_12m:
            result[metric] = facts.last_12m[metric]
    if facts.data.opportunities == 0:
        return result
    try:
        report = compute_targets(settings, year=year, method="blend")
    except SalesplanError:
        return result
    result["bookings"] = minor_to_decimal(report.target_minor, settings.currency)
    if report.funnel is not None:
        result["pipeline_created"] = minor_to_decimal(
            report.funnel.pipeline_minor, settings.currency
        )
        if report.funnel.leads is not None:
            result["leads"] = Decimal(report.funnel.leads)
        meetings = report.funnel.activities.get("meeting")
        if meetings is not None:
            result["meetings_booked"] = Decimal(meetings)
    return result


def template_plan_text(plan_type: str, language: str, as_of: dt.date, currency: str) -> str:
    """The template alone (no data): base merged with the type's overlay, dates filled."""
    period = plan_period(plan_type, as_of)
    tokens = template_tokens(plan_type, period, currency)
    base_text, types_text = (fill_tokens(t, tokens) for t in template_texts(plan_type, language))
    document = parse_document(base_text, f"base.{language}.yaml")
    overlay = parse_document(types_text, f"types.{language}.yaml")[plan_type]
    _merge(document, overlay)
    return dump_document(document)


def filled_plan_text(
    settings: Settings, plan_type: str, language: str, facts: WorkspaceFacts
) -> str:
    """The template filled from the workspace's facts (the text `plan new` stores)."""
    text = template_plan_text(plan_type, language, facts.as_of, settings.currency)
    document = parse_document(text, "template")
    year = int(document["year"])
    _fill(document, facts, plan_targets(settings, facts, year))
    return dump_document(document)
