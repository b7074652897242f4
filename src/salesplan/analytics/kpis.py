"""The KPI library (analytics/kpis.yaml, data not code) and the figures that feed it.

`load_library()` reads and checks the YAML shipped inside the package. `kpi_metrics(...)`
computes every metric a KPI can reference from the canonical frames of a period;
`evaluate(...)` pairs each KPI of an audience with its value, or says it needs input.

Team metrics (docs/methods.md, KPI library): attrition = people whose end_date falls in the
period ÷ the mean of the head counts on its first and last day; sales cost = Σ annual cost
(plan currency) × days employed in the period ÷ 365; sales ROI = (bookings − sales cost) ÷
sales cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import polars as pl
from ruamel.yaml import YAML

from salesplan.analytics.activities import activity_summary
from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.leads import lead_funnel
from salesplan.analytics.reps import period_quota, rep_performance
from salesplan.analytics.retention import retention

UNITS = ("rate", "money", "count", "days", "ratio")
TYPES = ("leading", "lagging")
AUDIENCES = ("rep", "manager", "executive")
DIRECTIONS = ("up", "down")
Value = float | int | None


@dataclass(frozen=True, slots=True)
class Kpi:
    id: str
    name_en: str
    name_zh: str
    definition_en: str
    definition_zh: str
    formula: str
    unit: str
    type: str
    audience: tuple[str, ...]
    good: str
    metric: str | None
    needs_en: str | None
    needs_zh: str | None

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def definition(self, locale: str) -> str:
        return self.definition_zh if locale.startswith("zh") else self.definition_en

    def needs(self, locale: str) -> str | None:
        return self.needs_zh if locale.startswith("zh") else self.needs_en


@dataclass(frozen=True, slots=True)
class KpiValue:
    kpi: Kpi
    status: str
    """`computed`, `no_data` (supported, but nothing in the period) or `needs_input`."""
    value: Value


def _pair(entry: Mapping[str, Any], key: str, kpi_id: str) -> tuple[str, str]:
    value = entry.get(key)
    if not isinstance(value, Mapping) or not value.get("en") or not value.get("zh"):
        raise ValueError(f"KPI {kpi_id}: {key} needs en and zh texts")
    return str(value["en"]), str(value["zh"])


def _choice(entry: Mapping[str, Any], key: str, allowed: Sequence[str], kpi_id: str) -> str:
    value = str(entry.get(key))
    if value not in allowed:
        raise ValueError(f"KPI {kpi_id}: {key} {value!r} not one of {list(allowed)}")
    return value


def parse_library(document: Mapping[str, Any]) -> list[Kpi]:
    """Check and convert a parsed kpis.yaml; raises ValueError naming the faulty KPI."""
    result: list[Kpi] = []
    for entry in document.get("kpis") or []:
        kpi_id = str(entry.get("id") or "")
        if not kpi_id or any(k.id == kpi_id for k in result):
            raise ValueError(f"KPI id missing or repeated: {kpi_id!r}")
        audience = tuple(str(a) for a in entry.get("audience") or [])
        if not audience or any(a not in AUDIENCES for a in audience):
            raise ValueError(f"KPI {kpi_id}: audience {audience} not within {list(AUDIENCES)}")
        metric = entry.get("metric")
        # `needs` says what to import or enter: required without a metric, optional beside one
        # whose input the data may lack (gross margin needs deal costs).
        has_needs = metric is None or entry.get("needs") is not None
        needs = _pair(entry, "needs", kpi_id) if has_needs else (None, None)
        result.append(
            Kpi(
                kpi_id,
                *_pair(entry, "name", kpi_id),
                *_pair(entry, "definition", kpi_id),
                formula=str(entry.get("formula") or ""),
                unit=_choice(entry, "unit", UNITS, kpi_id),
                type=_choice(entry, "type", TYPES, kpi_id),
                audience=audience,
                good=_choice(entry, "good", DIRECTIONS, kpi_id),
                metric=None if metric is None else str(metric),
                needs_en=needs[0],
                needs_zh=needs[1],
            )
        )
    return result


def load_library() -> list[Kpi]:
    """The KPI library shipped with salesplan (analytics/kpis.yaml)."""
    text = resources.files("salesplan.analytics").joinpath("kpis.yaml").read_text("utf-8")
    return parse_library(YAML(typ="safe", pure=True).load(text))


def team_attrition(team: pl.DataFrame, start: dt.date, end: dt.date) -> float | None:
    """Leavers in [start, end) ÷ mean head count of its first and last day."""
    last = end - dt.timedelta(days=1)

    def employed(day: dt.date) -> int:
        on = (pl.col("start_date").is_null() | (pl.col("start_date") <= day)) & (
            pl.col("end_date").is_null() | (pl.col("end_date") >= day)
        )
        return team.filter(on).height

    leavers = team.filter((pl.col("end_date") >= start) & (pl.col("end_date") < end)).height
    heads = (employed(start) + employed(last)) / 2
    return leavers / heads if heads else None


def sales_cost_minor(team: pl.DataFrame, start: dt.date, end: dt.date) -> int:
    """Σ annual cost (`cost_plan_minor`) prorated to the days employed in [start, end)."""
    return sum(
        period_quota(row["cost_plan_minor"], start, end, row["start_date"], row["end_date"]) or 0
        for row in team.iter_rows(named=True)
    )


def gross_margin(opportunities: pl.DataFrame, start: dt.date, end: dt.date) -> float | None:
    """(Σ amount − Σ cost) ÷ Σ amount over deals won in [start, end) whose cost is known
    (`cost_plan_minor`); None when no such deal has a cost (the KPI then needs input)."""
    if "cost_plan_minor" not in opportunities.columns:
        return None
    won = opportunities.filter(
        (pl.col("status") == "won")
        & pl.col("closed_on").is_between(start, end, closed="left")
        & pl.col("cost_plan_minor").is_not_null()
        & pl.col("amount_plan_minor").is_not_null()
    )
    revenue = int(won["amount_plan_minor"].sum() or 0)
    if revenue <= 0:
        return None
    return (revenue - int(won["cost_plan_minor"].sum() or 0)) / revenue


def kpi_metrics(
    *,
    opportunities: pl.DataFrame,
    leads: pl.DataFrame,
    accounts: pl.DataFrame,
    activities: pl.DataFrame,
    team: pl.DataFrame,
    start: dt.date,
    end: dt.date,
) -> dict[str, Value]:
    """Every metric id kpis.yaml may name, for [start, end). `team` needs quota_plan_minor
    and cost_plan_minor (plan currency); empty frames give None or 0."""
    (g,) = baseline_groups(opportunities, start, end)
    funnel = lead_funnel(leads, opportunities, start, end)[0]
    kept = retention(accounts, opportunities, start, end, by_segment=False)[0]
    acts = activity_summary(activities, start, end)
    reps = rep_performance(opportunities, team, start, end)
    cost = sales_cost_minor(team, start, end) if team.height else 0
    open_deals = opportunities.filter(pl.col("status") == "open")
    return {
        "gross_margin": gross_margin(opportunities, start, end),
        "sales_roi": (g.bookings_minor - cost) / cost if cost else None,
        "leads": funnel.leads if leads.height else None,
        "lead_to_opportunity": funnel.lead_to_opportunity.rate,
        "open_pipeline": int(open_deals["amount_plan_minor"].fill_null(0).sum() or 0),
        "pipeline_created": g.created_minor,
        "win_rate": g.win_rate.rate,
        "avg_deal": g.avg_deal_minor,
        "cycle_median_days": g.cycle_median_days,
        "bookings": g.bookings_minor,
        "reps_at_quota": reps.at_or_above_quota.rate,
        "calls": acts.calls if activities.height else None,
        "emails": acts.emails if activities.height else None,
        "meetings_booked": acts.meetings + acts.demos if activities.height else None,
        "outreach_to_meeting": acts.outreach_to_meeting.rate,
        "logo_retention": kept.logo_retention.rate,
        "nrr": kept.nrr,
        "attrition": team_attrition(team, start, end) if team.height else None,
    }


def evaluate(
    library: Sequence[Kpi], metrics: Mapping[str, Value], audience: str | None = None
) -> list[KpiValue]:
    """Each KPI of the audience (all when None) with its value or why it has none."""
    result = []
    for kpi in library:
        if audience is not None and audience not in kpi.audience:
            continue
        if kpi.metric is None:
            result.append(KpiValue(kpi, "needs_input", None))
            continue
        value = metrics.get(kpi.metric)
        if value is None and kpi.needs_en is not None:
            result.append(KpiValue(kpi, "needs_input", None))
            continue
        result.append(KpiValue(kpi, "computed" if value is not None else "no_data", value))
    return result
