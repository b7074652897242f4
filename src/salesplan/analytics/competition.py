"""Competition, measured per competitor: how often we win against them, why we lose, and how
deals differ when they are in the deal.

Among deals closed in [start, end) (`competitor` null or blank = no competitor named; names
are trimmed, so `Acme ` is `Acme`):

- win rate against c = won ÷ (won + lost) of the closed deals naming c (Rate, Wilson 95%);
  value won and lost (plan-currency minor units); share of losses = c's losses ÷ all
  competitive losses.
- loss reasons of the deals lost where c was present: a Pareto (reason, count, share =
  count ÷ c's losses, cumulative share), most frequent first; a missing reason is `None`.
- deal profile when c is present vs when no competitor is named: closed deals (won and lost)
  with a positive amount give the average (half-even) and median deal size in minor units
  (an even count's median is the mean of the middle two, half-even); the median cycle is
  the median of `closed_on − created_on` in days over all the closed deals.
- trend: win rate against c per calendar half-year (`2025H1`) over every closed deal that
  ends before `end`, so the history before the period shows which way it is moving.

Rows are sorted by losses (most first), then by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from salesplan.analytics.baseline import closed_in, mean_minor
from salesplan.analytics.rates import Rate, rate


@dataclass(frozen=True, slots=True)
class ReasonShare:
    reason: str | None
    lost: int
    share: float
    cumulative_share: float


@dataclass(frozen=True, slots=True)
class DealProfile:
    """Closed deals of one group: sizes (positive amounts only) and cycle."""

    deals: int
    sized: int
    """Deals with a positive amount, the basis of the two sizes."""
    avg_minor: int | None
    median_minor: int | None
    cycle_median_days: float | None


@dataclass(frozen=True, slots=True)
class TrendPoint:
    label: str
    """Calendar half-year, e.g. `2025H2`."""
    start: dt.date
    win_rate: Rate


@dataclass(frozen=True, slots=True)
class CompetitorStats:
    competitor: str
    won: int
    lost: int
    win_rate: Rate
    won_minor: int
    lost_minor: int
    share_of_losses: float | None
    reasons: list[ReasonShare]
    present: DealProfile
    trend: list[TrendPoint]


@dataclass(frozen=True, slots=True)
class Competition:
    competitors: list[CompetitorStats]
    absent: DealProfile
    """Closed deals that name no competitor: the baseline for `present`."""
    competitive_share: Rate
    """Closed deals naming a competitor ÷ closed deals."""


def _named() -> pl.Expr:
    return pl.col("competitor").is_not_null() & (pl.col("competitor").str.strip_chars() != "")


def median_minor(values: list[int]) -> int | None:
    """Median of whole minor units, an even count's middle pair averaged half-even."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return round(Fraction(ordered[mid - 1] + ordered[mid], 2))


def deal_profile(deals: pl.DataFrame) -> DealProfile:
    """Sizes and cycle of closed deals (see module doc)."""
    amounts = [int(a) for a in deals["amount_plan_minor"].to_list() if a is not None and a > 0]
    cycle = (deals["closed_on"] - deals["created_on"]).dt.total_days().drop_nulls()
    median_cycle = cycle.median() if cycle.len() else None
    return DealProfile(
        deals=deals.height,
        sized=len(amounts),
        avg_minor=mean_minor(sum(amounts), len(amounts)),
        median_minor=median_minor(amounts),
        cycle_median_days=float(median_cycle) if median_cycle is not None else None,  # type: ignore[arg-type]
    )


def _reasons(lost: pl.DataFrame) -> list[ReasonShare]:
    total = lost.height
    counts = (
        lost.group_by("loss_reason")
        .agg(pl.len().cast(pl.Int64).alias("n"))
        .sort(["n", "loss_reason"], descending=[True, False], nulls_last=True)
    )
    out, running = [], 0
    for row in counts.iter_rows(named=True):
        running += row["n"]
        out.append(ReasonShare(row["loss_reason"], row["n"], row["n"] / total, running / total))
    return out


def half_year(day: dt.date) -> tuple[str, dt.date]:
    """(label, first day) of the calendar half-year holding `day`."""
    first_half = day.month <= 6
    return f"{day.year}H{1 if first_half else 2}", dt.date(day.year, 1 if first_half else 7, 1)


def _trend(history: pl.DataFrame) -> list[TrendPoint]:
    counts: dict[tuple[str, dt.date], list[int]] = {}
    for closed_on, status in history.select("closed_on", "status").iter_rows():
        key = half_year(closed_on)
        won_n = counts.setdefault(key, [0, 0])
        won_n[0] += status == "won"
        won_n[1] += 1
    return [
        TrendPoint(label, start, rate(won, n))
        for (label, start), (won, n) in sorted(counts.items(), key=lambda kv: kv[0][1])
    ]


def _sum(frame: pl.DataFrame) -> int:
    return int(frame["amount_plan_minor"].fill_null(0).sum() or 0)


def competition(opportunities: pl.DataFrame, start: dt.date, end: dt.date) -> Competition:
    """Per-competitor numbers of deals closed in [start, end) (see module doc)."""
    # "Acme " and "Acme" are one competitor (blank names are none, see _named)
    opportunities = opportunities.with_columns(
        pl.col("competitor").cast(pl.String).str.strip_chars()
    )
    closed = closed_in(opportunities, start, end)
    named = closed.filter(_named())
    history = closed_in(opportunities, dt.date.min, end).filter(_named())
    competitive_losses = named.filter(pl.col("status") == "lost").height
    rows = []
    for name in sorted(named["competitor"].unique().to_list()):
        mine = named.filter(pl.col("competitor") == name)
        won = mine.filter(pl.col("status") == "won")
        lost = mine.filter(pl.col("status") == "lost")
        rows.append(
            CompetitorStats(
                competitor=name,
                won=won.height,
                lost=lost.height,
                win_rate=rate(won.height, mine.height),
                won_minor=_sum(won),
                lost_minor=_sum(lost),
                share_of_losses=lost.height / competitive_losses if competitive_losses else None,
                reasons=_reasons(lost),
                present=deal_profile(mine),
                trend=_trend(history.filter(pl.col("competitor") == name)),
            )
        )
    rows.sort(key=lambda r: (-r.lost, r.competitor))
    return Competition(
        competitors=rows,
        absent=deal_profile(closed.filter(~_named().fill_null(False))),
        competitive_share=rate(named.height, closed.height),
    )
