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
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.activities import activity_summary
from salesplan.analytics.baseline import baseline_groups
from salesplan.analytics.leads import lead_funnel
from salesplan.analytics.retention import retention
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
) -> dict[str, Value]:
    """The METRICS of [start, end) (frames as for the baseline; empty frames give None/0)."""
    (g,) = baseline_groups(opportunities, start, end)
    funnel = lead_funnel(leads, opportunities, start, end)[0]
    churn = retention(accounts, opportunities, start, end, by_segment=False)[0].churn
    acts = activity_summary(activities, start, end)
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
        "churn": churn.rate,
        "activities": acts.total,
        "outreach_to_meeting": acts.outreach_to_meeting.rate,
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
) -> Trends:
    """YoY for [start, end) and QoQ for its last complete quarter (see module doc)."""
    frames = (opportunities, leads, accounts, activities)
    now = metric_snapshot(*frames, start, end)
    year_ago = metric_snapshot(*frames, _year_earlier(start), _year_earlier(end))
    q_start, q_end = last_complete_quarter(end)
    quarter = metric_snapshot(*frames, q_start, q_end)
    before = metric_snapshot(*frames, add_months(q_start, -3), q_start)
    return Trends(compare(now, year_ago), (q_start, q_end), compare(quarter, before))
