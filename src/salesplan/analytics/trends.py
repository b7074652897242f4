"""Year-over-year and quarter-over-quarter change of every headline baseline metric.

- YoY: the period against the same dates one year earlier.
- QoQ: the last *complete* calendar quarter ending on or before the period's end against the
  quarter before it (a quarter-to-date would be compared with a whole quarter otherwise).

For each metric: current, previous, change = current − previous (rates: in fraction points,
money: exact minor units) and relative change = change ÷ |previous| (None when previous is 0
or missing). Which direction is good is in the KPI library (kpis.yaml).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.activities import activity_count, outreach_conversion, outreach_targets
from salesplan.analytics.baseline import GroupBaseline, baseline_groups
from salesplan.analytics.leads import lead_flags, lead_funnel
from salesplan.analytics.retention import churn
from salesplan.domain.periods import add_months

Value = float | int | None

METRICS: tuple[tuple[str, str], ...] = (
    ("win_rate", "rate"),
    ("win_rate_value", "rate"),
    ("deals_won", "count"),
    ("bookings", "money"),
    ("avg_deal", "money"),
    ("median_deal", "money"),
    ("cycle_median_days", "days"),
    ("pipeline_created", "money"),
    ("pipeline_created_count", "count"),
    ("leads", "count"),
    ("lead_to_opportunity", "rate"),
    ("churn", "rate"),
    ("activities", "count"),
    ("outreach_to_meeting", "rate"),
)
"""(metric id, unit): unit is rate (0-1), money (plan-currency minor units), count or days."""


@dataclass(frozen=True, slots=True)
class Trend:
    metric: str
    unit: str
    current: Value
    previous: Value
    change: Value
    relative_change: float | None


@dataclass(frozen=True, slots=True)
class Trends:
    yoy: list[Trend]
    quarter: tuple[dt.date, dt.date]
    """The compared quarter [start, end); the one before it is its QoQ reference."""
    qoq: list[Trend]


def metric_snapshot(
    opportunities: pl.DataFrame,
    leads: pl.DataFrame,
    accounts: pl.DataFrame,
    activities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    flagged_leads: pl.DataFrame | None = None,
    targets: pl.DataFrame | None = None,
    deals: GroupBaseline | None = None,
) -> dict[str, Value]:
    """The METRICS of [start, end) (frames as for the baseline; empty frames give None/0).

    `flagged_leads` (`lead_flags`) and `targets` (`outreach_targets`) are the period-free
    intermediates; pass them to compute several periods without rebuilding them. `deals`:
    the period's `baseline_groups` overall row when already computed."""
    (g,) = [deals] if deals is not None else baseline_groups(opportunities, start, end)
    funnel = lead_funnel(leads, opportunities, start, end, flagged=flagged_leads)[0]
    if targets is None:
        targets = outreach_targets(activities)
    return {
        "win_rate": g.win_rate.rate,
        "win_rate_value": g.win_rate_value,
        "deals_won": g.won,
        "bookings": g.bookings_minor,
        "avg_deal": g.avg_deal_minor,
        "median_deal": g.median_deal_minor,
        "cycle_median_days": g.cycle_median_days,
        "pipeline_created": g.created_minor,
        "pipeline_created_count": g.created,
        "leads": funnel.leads,
        "lead_to_opportunity": funnel.lead_to_opportunity.rate,
        "churn": churn(accounts, start, end).rate,
        "activities": activity_count(activities, start, end),
        "outreach_to_meeting": outreach_conversion(targets, start, end).rate,
    }


def compare(current: dict[str, Value], previous: dict[str, Value]) -> list[Trend]:
    """One Trend per metric in METRICS order."""
    trends = []
    for metric, unit in METRICS:
        now, before = current.get(metric), previous.get(metric)
        change: Value = None
        relative = None
        if now is not None and before is not None:
            change = now - before
            relative = change / abs(before) if before else None
        trends.append(Trend(metric, unit, now, before, change, relative))
    return trends


def last_complete_quarter(end: dt.date) -> tuple[dt.date, dt.date]:
    """The latest calendar quarter [q_start, q_end) with q_end ≤ end (end exclusive)."""
    q_end = dt.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1)
    return add_months(q_end, -3), q_end


def _year_earlier(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def trends(
    opportunities: pl.DataFrame,
    leads: pl.DataFrame,
    accounts: pl.DataFrame,
    activities: pl.DataFrame,
    start: dt.date,
    end: dt.date,
    *,
    flagged_leads: pl.DataFrame | None = None,
    targets: pl.DataFrame | None = None,
    deals: Mapping[tuple[dt.date, dt.date], GroupBaseline] | None = None,
) -> Trends:
    """YoY for [start, end) and QoQ for its last complete quarter (see module doc).

    The period-free intermediates are built once (or taken from the arguments, see
    `metric_snapshot`) and shared by the four snapshots; `deals` gives the overall
    `baseline_groups` row of windows [start, end) already computed by the caller."""
    known = deals or {}
    frames = (opportunities, leads, accounts, activities)
    shared = {
        "flagged_leads": lead_flags(leads, opportunities)
        if flagged_leads is None
        else flagged_leads,
        "targets": outreach_targets(activities) if targets is None else targets,
    }
    q_start, q_end = last_complete_quarter(end)
    now, year_ago, quarter, before = (
        metric_snapshot(*frames, a, b, **shared, deals=known.get((a, b)))
        for a, b in (
            (start, end),
            (_year_earlier(start), _year_earlier(end)),
            (q_start, q_end),
            (add_months(q_start, -3), q_start),
        )
    )
    return Trends(compare(now, year_ago), (q_start, q_end), compare(quarter, before))
