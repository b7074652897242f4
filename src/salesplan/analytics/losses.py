"""Why deals are lost: a Pareto of loss reasons, and competitors with our win rate against each.

Among deals closed in [start, end):

- loss reasons: lost deals per `loss_reason` (missing reasons form the `None` row), sorted by
  count; share = count ÷ lost deals, cumulative share in that order (the Pareto curve), and the
  lost amount (plan-currency minor units).
- competitors: closed deals that name a `competitor`; per competitor lost (to them), won
  (against them) and win rate against them = won ÷ (won + lost) as a Rate; share of the
  competitive losses and its cumulative share, sorted by losses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from salesplan.analytics.baseline import closed_in
from salesplan.analytics.rates import Rate, rate


@dataclass(frozen=True, slots=True)
class LossReason:
    reason: str | None
    lost: int
    lost_minor: int
    share: float
    cumulative_share: float


@dataclass(frozen=True, slots=True)
class Competitor:
    competitor: str
    lost: int
    won: int
    win_rate: Rate
    lost_minor: int
    share_of_losses: float
    cumulative_share: float


@dataclass(frozen=True, slots=True)
class Losses:
    lost: int
    lost_minor: int
    reasons: list[LossReason]
    competitors: list[Competitor]
    competitive_share: Rate
    """Closed deals naming a competitor ÷ closed deals."""


def losses(opportunities: pl.DataFrame, start: dt.date, end: dt.date) -> Losses:
    """Loss reasons and competitors of deals closed in [start, end) (see module doc)."""
    columns = ["status", "closed_on", "amount_plan_minor", "loss_reason", "competitor"]
    closed = closed_in(opportunities.select(columns), start, end)  # select first: cheaper copy
    lost = closed.filter(pl.col("status") == "lost")
    total = lost.height
    amount = pl.col("amount_plan_minor").fill_null(0).sum().cast(pl.Int64)
    by_reason = (
        lost.group_by("loss_reason")
        .agg(pl.len().cast(pl.Int64).alias("n"), amount.alias("minor"))
        .sort(["n", "loss_reason"], descending=[True, False], nulls_last=True)
    )
    reasons, running = [], 0
    for row in by_reason.iter_rows(named=True):
        running += row["n"]
        reasons.append(
            LossReason(
                row["loss_reason"], row["n"], row["minor"], row["n"] / total, running / total
            )
        )
    named = closed.filter(pl.col("competitor").is_not_null())
    lost_flag = pl.col("status") == "lost"
    by_competitor = (
        named.group_by("competitor")
        .agg(
            lost_flag.sum().cast(pl.Int64).alias("lost"),
            (~lost_flag).sum().cast(pl.Int64).alias("won"),
            pl.col("amount_plan_minor").filter(lost_flag).fill_null(0).sum().cast(pl.Int64),
        )
        .sort(["lost", "competitor"], descending=[True, False])
    )
    competitive_losses = int(by_competitor["lost"].sum() or 0)
    competitors, running = [], 0
    for row in by_competitor.iter_rows(named=True):
        running += row["lost"]
        competitors.append(
            Competitor(
                competitor=row["competitor"],
                lost=row["lost"],
                won=row["won"],
                win_rate=rate(row["won"], row["lost"] + row["won"]),
                lost_minor=row["amount_plan_minor"],
                share_of_losses=row["lost"] / competitive_losses if competitive_losses else 0.0,
                cumulative_share=running / competitive_losses if competitive_losses else 0.0,
            )
        )
    return Losses(
        lost=total,
        lost_minor=int(lost["amount_plan_minor"].fill_null(0).sum() or 0),
        reasons=reasons,
        competitors=competitors,
        competitive_share=rate(named.height, closed.height),
    )
